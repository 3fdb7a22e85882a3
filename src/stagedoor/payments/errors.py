"""Payments errors with stable codes."""

from stagedoor.core.errors import ApplicationError, NotFound, ValidationFailed


class ProviderNotAvailable(ValidationFailed):
    code = "payments.provider_unavailable"
    default_message = "That payment method is not available."


class ProviderFailed(ApplicationError):
    """The processor did not answer as expected; retrying later may work."""

    code = "payments.provider_failed"
    status = 502
    default_message = "The payment processor did not respond; try again in a moment."


class PurchaseNotFound(NotFound):
    code = "payments.purchase_not_found"
    default_message = "That purchase does not exist."


class PurchaseNotRefundable(ApplicationError):
    code = "payments.not_refundable"
    status = 409
    default_message = "Only a paid purchase can be refunded."


class ForgedPostback(Exception):
    """The signature does not verify: never act on it."""


class MalformedPostback(Exception):
    """Signed correctly (or unsigned parts) but not something we understand or that matches a purchase."""


class ReplayedPostback(Exception):
    """Signed correctly but too old or already seen (sandbox timestamps)."""


class PurchaseAgeCheckRequired(ApplicationError):
    code = "payments.age_check_required"
    status = 403
    default_message = "Where you are, an age check is needed before buying tokens."
