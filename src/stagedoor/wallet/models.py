"""The token ledger (append-only double entry), packages, tips, tip menus and goals.

Money model:
- every movement of tokens is one `LedgerTransfer` with two or more `LedgerEntry` rows whose amounts sum to
  zero; transfers and entries are never updated or deleted — a correction is another transfer;
- an account's balance is the sum of its entries. Viewer wallets keep that sum in `LedgerAccount.balance`
  in the same transaction as the entries, and a spend is one conditional `UPDATE … WHERE balance >= n`;
- every other account (performer earnings, platform revenue, clearing…) is credited by tips many times a
  second, so no tip touches its row: the entry is appended together with a `PendingDelta`, and a roll-up
  folds the deltas into `balance` in batches. Its balance is `balance + sum(pending deltas)`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from stagedoor.core.fields import IdField, OpaqueKeyField


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self.model.__name__} is append-only")

    def delete(self) -> NoReturn:
        raise TypeError(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is append-only")


class AccountKind(models.TextChoices):
    VIEWER_WALLET = "viewer_wallet", "Viewer wallet"
    PERFORMER_EARNINGS = "performer_earnings", "Performer earnings"
    PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
    PROMOTIONS = "promotions", "Promotions"
    PURCHASE_CLEARING = "purchase_clearing", "Purchase clearing"
    CHARGEBACK_LOSSES = "chargeback_losses", "Chargeback losses"
    AFFILIATE_PAYABLES = "affiliate_payables", "Affiliate payables"
    # Tokens a viewer has put on hold (a show's first minute, a ticket before the show runs): out of the
    # wallet, not yet anyone's earnings. Settled once per hold: captured to the performer or released back.
    HOLDS = "holds", "Holds (escrow)"
    # Payouts: a performer's rolling reserve (held back from a payout for N days, then released to earnings);
    # what a payout run owes performers until the bank, e-wallet or BTCPay confirms it (payout clearing); and
    # what has left the platform to performers (paid out — a returned payment comes back from it).
    PERFORMER_RESERVE = "performer_reserve", "Performer reserve"
    PAYOUT_CLEARING = "payout_clearing", "Payout clearing"
    PAID_OUT = "paid_out", "Paid out"


OWNED_KINDS = frozenset(
    {
        AccountKind.VIEWER_WALLET,
        AccountKind.PERFORMER_EARNINGS,
        AccountKind.AFFILIATE_PAYABLES,
        AccountKind.PERFORMER_RESERVE,
    }
)
SYSTEM_KINDS = frozenset(set(AccountKind) - OWNED_KINDS)
# Accounts whose `balance` column is exact at every commit (and may never go below zero).
MATERIALIZED_KINDS = frozenset({AccountKind.VIEWER_WALLET})


class LedgerAccount(models.Model):
    id = IdField(primary_key=True)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    # Exact for materialized kinds; for the others, the rolled-up part (add the pending deltas).
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner"], condition=models.Q(owner__isnull=False), name="ledger_account_per_owner"
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(owner__isnull=True), name="ledger_system_account_once"
            ),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | ~models.Q(kind=AccountKind.VIEWER_WALLET),
                name="ledger_wallet_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner_id or 'system'}"

    @property
    def materialized(self) -> bool:
        return self.kind in MATERIALIZED_KINDS


class TransferKind(models.TextChoices):
    PURCHASE = "purchase", "Token purchase"
    PURCHASE_REFUND = "purchase_refund", "Purchase refund"
    CHARGEBACK = "chargeback", "Chargeback"
    TIP = "tip", "Tip"
    TIP_REFUND = "tip_refund", "Tip refund"
    PROMOTION = "promotion", "Promotional tokens"
    AFFILIATE_COMMISSION = "affiliate_commission", "Affiliate commission"
    # A viewer pays a performer for something other than a tip (a show minute, a fan-club month, a paid
    # message, an unlocked item); `data["item"]` says what, `data["ref"]` which.
    CHARGE = "charge", "Charge"
    HOLD = "hold", "Hold"
    HOLD_CAPTURE = "hold_capture", "Hold captured"
    HOLD_RELEASE = "hold_release", "Hold released"
    # A payout run moves what each performer is owed out of earnings (to payout clearing, the reserve share to
    # their reserve); each line is then settled once: paid (clearing → paid out), failed (clearing → earnings) or
    # returned after being paid (paid out → earnings). A cancelled run moves its lines back; a reserve is
    # released to earnings when its days are over. `data["run"]`, `data["lines"]` say which.
    PAYOUT = "payout", "Payout"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    PAYOUT_FAILED = "payout_failed", "Payout failed"
    PAYOUT_RETURNED = "payout_returned", "Payout returned"
    PAYOUT_CANCELLED = "payout_cancelled", "Payout cancelled"
    RESERVE_RELEASE = "reserve_release", "Reserve released"


class LedgerTransfer(AppendOnlyModel):
    id = IdField(primary_key=True)
    kind = models.CharField(max_length=24, choices=TransferKind.choices)
    # Scoped by the caller ("tip:<user id>:<client key>"); unique forever, so a retry can never pay twice.
    idempotency_key = OpaqueKeyField(max_length=200, unique=True)
    request_hash = models.CharField(max_length=64)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    memo = models.CharField(max_length=200, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class LedgerEntry(AppendOnlyModel):
    id = models.BigAutoField(primary_key=True)
    transfer = models.ForeignKey(LedgerTransfer, on_delete=models.PROTECT, related_name="entries")
    # Indexed by (account, created_at) below; no separate FK index (fewer index writes per tip). No database
    # FK constraint either: its check would take a KEY SHARE lock on the account row at every commit, and
    # the platform's and a popular performer's rows would become the hot rows we designed away. The
    # posting engine only writes ids it just read, and `ledger verify` reports entries of unknown accounts.
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="entries", db_index=False, db_constraint=False
    )
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "created_at"], name="ledger_entry_account_time")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_nonzero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"


class PendingDelta(models.Model):
    """A credit (or guarded debit) to a hot account not yet folded into `LedgerAccount.balance`.

    Not part of the books: the entry is. The roll-up deletes deltas and adds them to the balance in one
    transaction, so `balance + sum(deltas)` is exact at every commit.
    """

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(  # no DB constraint: see LedgerEntry.account
        LedgerAccount, on_delete=models.PROTECT, related_name="pending_deltas", db_index=False, db_constraint=False
    )
    amount = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["account", "id"], name="ledger_pending_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d} (pending)"


class TokenPackage(models.Model):
    id = IdField(primary_key=True)
    name = models.CharField(max_length=60)
    tokens = models.PositiveIntegerField()
    price_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "tokens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(tokens__gt=0), name="package_tokens_positive"),
            models.CheckConstraint(condition=models.Q(price_minor__gt=0), name="package_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tokens} tokens)"


class PerformerTerms(models.Model):
    """A performer's own share (the staff terms API). Kept readable; since commission rules it is mirrored by a
    `performer_override` CommissionRule, which is what splits use."""

    performer = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="wallet_terms"
    )
    share_bp = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(share_bp__lte=10_000), name="terms_share_at_most_all")]

    def __str__(self) -> str:
        return f"{self.performer_id}: {self.share_bp / 100:.2f}%"


class TipMenuItem(models.Model):
    id = IdField(primary_key=True)
    performer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tip_menu")
    label = models.CharField(max_length=80)
    price = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "price"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gt=0), name="tip_menu_price_positive")]

    def __str__(self) -> str:
        return f"{self.label} ({self.price})"


class TipGoal(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        ACTIVE = "active", "Active"
        REACHED = "reached", "Reached"
        CANCELLED = "cancelled", "Cancelled"

    id = IdField(primary_key=True)
    performer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tip_goals")
    title = models.CharField(max_length=120)
    target = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    reached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gt=0), name="tip_goal_target_positive"),
            models.UniqueConstraint(
                fields=["performer"], condition=models.Q(status="active"), name="one_active_goal_per_performer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.target}, {self.status})"


class Tip(AppendOnlyModel):
    id = IdField(primary_key=True)
    transfer = models.OneToOneField(LedgerTransfer, on_delete=models.PROTECT, related_name="tip")
    # Indexed by (performer, created_at) and (sender, created_at) below.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tips_sent", db_index=False
    )
    performer = models.ForeignKey(  # no DB constraint: a popular performer's user row must not be locked per tip
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tips_received",
        db_index=False,
        db_constraint=False,
    )
    amount = models.PositiveBigIntegerField()
    performer_amount = models.BigIntegerField()
    platform_amount = models.BigIntegerField()
    message = models.CharField(max_length=300, blank=True, default="")
    anonymous = models.BooleanField(default=False)
    # Indexed only where set (most tips are not menu tips), for SET_NULL when an item is deleted.
    menu_item = models.ForeignKey(
        TipMenuItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    menu_label = models.CharField(max_length=80, blank=True, default="")
    room_id = models.CharField(max_length=26, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["performer", "created_at"], name="tip_performer_time"),
            models.Index(fields=["sender", "created_at"], name="tip_sender_time"),
            models.Index(fields=["menu_item"], name="tip_menu_item", condition=models.Q(menu_item__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"tip {self.amount} to {self.performer_id}"


class TipReversal(AppendOnlyModel):
    """Part or all of a tip taken back: a staff refund (to the sender) or a chargeback claw-back."""

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund"
        CLAWBACK = "clawback", "Chargeback claw-back"

    id = models.BigAutoField(primary_key=True)
    tip = models.ForeignKey(Tip, on_delete=models.PROTECT, related_name="reversals")
    transfer = models.ForeignKey(LedgerTransfer, on_delete=models.PROTECT, related_name="tip_reversals")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.PositiveBigIntegerField()
    performer_amount = models.BigIntegerField()
    platform_amount = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} of {self.amount} from tip {self.tip_id}"


# --- commission rules ----------------------------------------------------------------------


class CommissionKind(models.TextChoices):
    """In precedence order, strongest first (see `selectors.commission`)."""

    PERFORMER_OVERRIDE = "performer_override", "Performer override"
    PROMO_NEW_PERFORMER = "promo_new_performer", "Promotion for new performers"
    PRODUCT = "product", "Product rate"
    TIER = "tier", "Earnings tier"
    DEFAULT = "default", "Default rate"


class CommissionProduct(models.TextChoices):
    ALL = "", "All products"
    TIPS = "tips", "Tips"
    SHOWS = "shows", "Private and ticket shows"
    FAN_CLUBS = "fan_clubs", "Fan clubs"
    MESSAGES = "messages", "Paid messages"


class CommissionRule(models.Model):
    """A performer's share, valid from `valid_from` until `valid_to` (open-ended when null).

    Append-only in effect: once written only `valid_to` changes, and only to a time not yet past (ending a
    rule); `valid_from` is never in the past when a rule is created. So the rule that produced a split — recorded
    on its transfer as `data["rule"]` — never changes after the split, and neither does the split.
    """

    id = IdField(primary_key=True)
    kind = models.CharField(max_length=24, choices=CommissionKind.choices)
    share_bp = models.PositiveSmallIntegerField()  # the performer's share, 0–10000
    product = models.CharField(max_length=12, choices=CommissionProduct.choices, blank=True, default="")
    min_earned = models.BigIntegerField(null=True, blank=True)  # tier: tokens earned in the previous month
    new_within_days = models.PositiveIntegerField(null=True, blank=True)  # promo: account younger than N days
    performer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="commission_rules"
    )
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-created_at"]
        indexes = [models.Index(fields=["valid_to"], name="commission_rule_valid_to")]
        constraints = [
            models.CheckConstraint(condition=models.Q(share_bp__lte=10_000), name="commission_share_at_most_all"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="commission_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="performer_override") | models.Q(performer__isnull=False),
                name="commission_override_has_performer",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="tier") | models.Q(min_earned__gte=0),
                name="commission_tier_has_minimum",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="promo_new_performer") | models.Q(new_within_days__gte=1),
                name="commission_promo_has_days",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="product") | ~models.Q(product=""), name="commission_product_has_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.share_bp / 100:.2f}% ({self.id})"


class CommissionState(models.Model):
    """One row: a random version stamp, replaced by every rule write and tier job (the resolver's cache key)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.CharField(max_length=26)

    def __str__(self) -> str:
        return self.version


class PerformerTier(models.Model):
    """What a performer earned in the calendar month (UTC) before `period_start`, computed once by the tier job
    at the month boundary (`stagedoor wallet_tiers`); tier rules are resolved against `earned` by lookup.
    `rule` is the tier rule that `earned` reached when the job ran (for statements; resolution re-reads the
    tier rules valid at the transfer's time)."""

    id = models.BigAutoField(primary_key=True)
    performer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateTimeField()
    earned = models.BigIntegerField()
    rule = models.ForeignKey(CommissionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["performer", "period_start"], name="performer_tier_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.performer_id} {self.period_start:%Y-%m}: {self.earned}"
