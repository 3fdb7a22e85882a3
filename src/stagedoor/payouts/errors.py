"""Errors of payouts: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class PayoutDetailsInvalid(ValidationFailed):
    code = "payouts.details_invalid"
    default_message = "These payout details are not valid."


class HolderNameMismatch(ValidationFailed):
    code = "payouts.holder_name_mismatch"
    default_message = (
        "Payouts go only to an account in your own name: the account holder must match your verified legal name."
    )


class IdentityRequired(Conflict):
    code = "payouts.identity_required"
    default_message = "Verify your identity first: payout details must be in the name on your verified ID."


class SanctionsListMalformed(ApplicationError):
    code = "payouts.sanctions_list_malformed"
    status = 422
    default_message = "The sanctions list has malformed rows; nothing was loaded."


class ScreeningCaseNotFound(NotFound):
    code = "payouts.screening_case_not_found"
    default_message = "No such screening case."


class ScreeningCaseDecided(Conflict):
    code = "payouts.screening_case_decided"
    default_message = "This screening case was already decided."


class ReasonRequired(ValidationFailed):
    code = "payouts.reason_required"
    default_message = "Give the reason for this decision."
