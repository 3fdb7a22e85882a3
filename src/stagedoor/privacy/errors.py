"""Errors of privacy: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, ValidationFailed


class RequestNotFound(NotFound):
    code = "privacy.request_not_found"
    default_message = "No such request."


class RequestNotCancellable(Conflict):
    code = "privacy.not_cancellable"
    default_message = "This request can no longer be cancelled."


class ExportLinkInvalid(NotFound):
    code = "privacy.export_link_invalid"
    default_message = "This download link is not valid, was already used or has expired."


class HoldNotFound(NotFound):
    code = "privacy.hold_not_found"
    default_message = "No such legal hold."


class HoldReleased(Conflict):
    code = "privacy.hold_released"
    default_message = "This legal hold was already released."


class InvalidHold(ValidationFailed):
    code = "privacy.invalid_hold"
    default_message = "Name an account or a case, give a reason, and an expiry in the future."


class UnknownUser(NotFound):
    code = "privacy.unknown_user"
    default_message = "No account with that login or id."


class VerificationRequired(ValidationFailed):
    code = "privacy.verification_required"
    default_message = "Say how the person's identity was verified (at least 10 characters)."
