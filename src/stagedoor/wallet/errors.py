"""Wallet errors with stable codes."""

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed


class InsufficientBalance(Conflict):
    code = "wallet.insufficient_balance"
    status = 402
    default_message = "Not enough tokens."


class InvalidAmount(ValidationFailed):
    code = "wallet.invalid_amount"
    default_message = "The amount must be a whole number of tokens within the allowed range."


class InvalidIdempotencyKey(ValidationFailed):
    code = "idempotency.key_invalid"
    default_message = "Send an idempotency key of 8–100 letters, digits, '-', '_', ':' or '.'."


class IdempotencyKeyMismatch(ValidationFailed):
    code = "idempotency.key_mismatch"
    default_message = (
        "The `Idempotency-Key` header and the body's `idempotency_key` differ; send the key once, or the same in both."
    )


class NotAPerformer(NotFound):
    code = "wallet.not_a_performer"
    default_message = "That performer does not exist."


class PayeeRefused(ApplicationError):
    """A gate refused paying this performer (verification: identity unverified or lapsed)."""

    code = "wallet.payee_refused"
    status = 403
    default_message = "This performer cannot be paid right now."


class TipToSelf(ValidationFailed):
    code = "wallet.tip_to_self"
    default_message = "You cannot tip yourself."


class PurchasesLocked(PermissionDenied):
    code = "wallet.purchases_locked"
    default_message = "Token purchases are locked on this account. Contact support."


class AlreadyReversed(Conflict):
    code = "wallet.already_reversed"
    default_message = "This was already reversed."


class TokensAlreadySpent(Conflict):
    code = "wallet.tokens_spent"
    default_message = "Some of these tokens were already spent; refund is not possible."


class PackageNotFound(NotFound):
    code = "wallet.package_not_found"
    default_message = "That token package does not exist or is not on sale."


class MenuItemNotFound(NotFound):
    code = "wallet.menu_item_not_found"
    default_message = "That tip menu item does not exist."


class TipNotFound(NotFound):
    code = "wallet.tip_not_found"
    default_message = "No tip of yours has that idempotency key."


class InvalidLimit(ValidationFailed):
    code = "pagination.invalid_limit"
    default_message = "Ask for between 1 and 200 rows."


class GoalNotFound(NotFound):
    code = "wallet.goal_not_found"
    default_message = "That tip goal does not exist."


class LedgerInvariantBroken(ApplicationError):
    """A programming error: a transfer that does not balance. Never shown for bad input."""

    code = "wallet.ledger_invariant"
    status = 500
    default_message = "The ledger refused an unbalanced transfer."


class CommissionRuleNotFound(NotFound):
    code = "wallet.commission_rule_not_found"
    default_message = "That commission rule does not exist."


class CommissionRuleEnded(Conflict):
    code = "wallet.commission_rule_ended"
    default_message = "That commission rule has already ended."


class CommissionInThePast(ValidationFailed):
    code = "wallet.commission_in_the_past"
    default_message = "A rule starts and ends now or later: splits already made never change."
