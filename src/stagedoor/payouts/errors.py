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


class PeriodNotOver(Conflict):
    code = "payouts.period_not_over"
    default_message = "This payout period has not ended yet."


class PeriodOverlaps(Conflict):
    code = "payouts.period_overlaps"
    default_message = "Another payout run already covers part of this period (was the period length changed?)."


class NoPayoutRate(Conflict):
    code = "payouts.no_payout_rate"
    default_message = "Tokens have no payout value (STAGEDOOR_WALLET_PAYOUT_RATE_MINOR is 0): nothing can be paid."


class PayoutRunNotFound(NotFound):
    code = "payouts.run_not_found"
    default_message = "No such payout run."


class PayoutItemNotFound(NotFound):
    code = "payouts.item_not_found"
    default_message = "No such payout."


class PayoutItemNotInReview(Conflict):
    code = "payouts.item_not_in_review"
    default_message = "This payout is not held for review."


class PayoutItemNotPayable(Conflict):
    code = "payouts.item_not_payable"
    default_message = "This payout cannot be paid now."


class PayoutRunClosed(Conflict):
    code = "payouts.run_closed"
    default_message = "This payout run has already gone out (or was cancelled): it cannot be changed."


class PayoutRunNotAwaitingApproval(Conflict):
    code = "payouts.run_not_awaiting_approval"
    default_message = "This payout run is not waiting for approval."


class AlreadyApproved(Conflict):
    code = "payouts.already_approved"
    default_message = "You have already approved this run: a second approval must come from someone else."


class PayoutRunNotApproved(Conflict):
    code = "payouts.run_not_approved"
    default_message = "This payout run has not been approved."


class PayoutFileRefused(ApplicationError):
    code = "payouts.file_refused"
    status = 422
    default_message = "The payout file could not be built; nothing was sent."


class UnknownOutcome(ValidationFailed):
    code = "payouts.unknown_outcome"
    default_message = "The outcome must be paid, failed or returned."
