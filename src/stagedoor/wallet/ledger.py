"""The posting engine: accounts, balanced transfers with idempotency keys, hot-account roll-ups.

Services in `wallet.services` build transfers; this module alone writes ledger rows.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from stagedoor.core import jobs
from stagedoor.core.errors import ApplicationError, IdempotencyConflict
from stagedoor.wallet import conf, errors, selectors
from stagedoor.wallet.models import (
    MATERIALIZED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransfer,
    PendingDelta,
)

KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{8,100}$")
ROLLUP_BATCH = 5000


def check_client_key(key: object) -> str:
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise errors.InvalidIdempotencyKey()
    return key


def client_key_from(*, body: str | None, header: str | None) -> str:
    """The client's idempotency key, sent in ONE place: the body's `idempotency_key` or the `Idempotency-Key`
    header. Both, differing: IdempotencyKeyMismatch (never "body wins"); neither: InvalidIdempotencyKey."""
    if body is not None and header is not None and body != header:
        raise errors.IdempotencyKeyMismatch()
    key = body if body is not None else header
    if key is None:
        raise errors.InvalidIdempotencyKey(
            "Send an idempotency key (body `idempotency_key` or header `Idempotency-Key`)."
        )
    return check_client_key(key)


def check_amount(amount: object, *, maximum: int) -> int:
    # bool is an int in Python; a float, string or Decimal is never a token amount.
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= maximum:
        raise errors.InvalidAmount(extra={"minimum": 1, "maximum": maximum})
    return amount


def request_hash(request: dict[str, Any]) -> str:
    body = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


# --- accounts -----------------------------------------------------------------------------


def account_get(kind: str, owner: AbstractBaseUser | None = None, *, owner_id: Any = None) -> LedgerAccount:
    """The account of `kind` for `owner` (None: the system account), created on first use."""
    if owner is not None:
        owner_id = owner.pk
    found = LedgerAccount.objects.filter(kind=kind, owner_id=owner_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(kind=kind, owner_id=owner_id)
    except IntegrityError:  # created concurrently
        return LedgerAccount.objects.get(kind=kind, owner_id=owner_id)


def accounts_for(pairs: Sequence[tuple[str, Any]]) -> list[LedgerAccount]:
    """Several accounts in one query (the tip path): `[(kind, owner_id or None), …]` in order."""
    from django.db.models import Q

    query = Q()
    for kind, owner_id in pairs:
        query |= Q(kind=kind, owner_id=owner_id) if owner_id is not None else Q(kind=kind, owner__isnull=True)
    found = {(a.kind, a.owner_id): a for a in LedgerAccount.objects.filter(query)}
    result = []
    for kind, owner_id in pairs:
        account = found.get((kind, owner_id))
        if account is None:
            account = account_get(kind, owner_id=owner_id)
        result.append(account)
    return result


def account_balance(account: LedgerAccount) -> int:
    """The exact balance at this instant (materialized, or roll-up + pending deltas, read in one statement)."""
    return selectors.balance_of(account)


# --- transfers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    account: LedgerAccount
    amount: int


def _check_balanced(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise errors.LedgerInvariantBroken("A transfer needs at least two entries.")
    for leg in legs:
        if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount == 0:
            raise errors.LedgerInvariantBroken(f"Entry amount {leg.amount!r} is not a non-zero integer.")
    if sum(leg.amount for leg in legs) != 0:
        raise errors.LedgerInvariantBroken(
            "Entries do not sum to zero.", extra={"sum": sum(leg.amount for leg in legs)}
        )


def _merge(legs: Iterable[Leg]) -> list[Leg]:
    """One entry per account: sum legs on the same account and drop the ones that cancel out."""
    totals: dict[str, int] = {}
    accounts: dict[str, LedgerAccount] = {}
    for leg in legs:
        totals[leg.account.pk] = totals.get(leg.account.pk, 0) + leg.amount
        accounts[leg.account.pk] = leg.account
    return [Leg(accounts[pk], amount) for pk, amount in totals.items() if amount != 0]


def post_legs(transfer: LedgerTransfer, legs: Sequence[Leg]) -> None:
    """Write a balanced set of entries for `transfer` (inside the caller's transaction).

    A debit from a materialized account is one conditional UPDATE that fails with InsufficientBalance;
    credits to materialized accounts update the row; every other account gets an append-only delta.
    """
    legs = _merge(legs)
    _check_balanced(legs)
    deltas = []
    # Debits first: a refused spend aborts before anything else is written.
    for leg in sorted(legs, key=lambda leg: leg.amount):
        if leg.account.kind in MATERIALIZED_KINDS:
            if leg.amount < 0:
                changed = LedgerAccount.objects.filter(pk=leg.account.pk, balance__gte=-leg.amount).update(
                    balance=F("balance") + leg.amount
                )
                if changed != 1:
                    raise errors.InsufficientBalance(extra={"needed": -leg.amount})
            else:
                LedgerAccount.objects.filter(pk=leg.account.pk).update(balance=F("balance") + leg.amount)
        else:
            deltas.append(PendingDelta(account_id=leg.account.pk, amount=leg.amount))
    now = transfer.created_at
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transfer_id=transfer.pk, account_id=leg.account.pk, amount=leg.amount, created_at=now)
            for leg in legs
        ]
    )
    if deltas:
        PendingDelta.objects.bulk_create(deltas)
        schedule_rollup({d.account_id for d in deltas})


def transfer_by_key(key: str) -> LedgerTransfer | None:
    return LedgerTransfer.objects.filter(idempotency_key=key).first()


def idempotent[T](
    *,
    key: str,
    request: dict[str, Any],
    write: Callable[[str], T],
    replay: Callable[[LedgerTransfer], T],
    same_request: Callable[[LedgerTransfer, str], bool] | None = None,
    atomic: bool = True,
    lookup_first: bool = True,
) -> tuple[T, bool]:
    """The idempotency rule of every money-moving call, in one place. Returns (result, written).

    1. The key is looked up FIRST. If it already produced a transfer, the same request gets
       `replay(transfer)` whatever changed since (prices, menu items, roles, settings, balances); a different
       request is IdempotencyConflict. `request` is what the client asked for (not values derived from
       state that may change); `same_request(transfer, digest)` may widen "the same" (default: equal hashes).
    2. Only then `write(digest)` runs — it validates against the current state (it may refuse) and must
       insert the LedgerTransfer with `key` first. A refused write leaves the key unused.
    3. A concurrent call with this key that wins between 1 and 2 makes our write fail (the unique key, or a
       refusal such as a wallet it already emptied): we answer like step 1.

    `atomic=False` for a write that is one statement of its own (the PostgreSQL tip). `lookup_first=False`
    for a write whose single statement IS the lookup (the PostgreSQL tip: its unique key aborts it whole):
    the hot path keeps its one round trip, and the rule still holds, because whatever stops the write — a
    check refusing, a short wallet, the taken key — is answered from the key (step 3) before any refusal.
    """
    digest = request_hash(request)

    def answer(existing: LedgerTransfer) -> T:
        same = same_request(existing, digest) if same_request is not None else existing.request_hash == digest
        if not same:
            raise IdempotencyConflict(extra={"idempotency_key": key.rsplit(":", 1)[-1]})
        return replay(existing)

    if lookup_first:
        existing = transfer_by_key(key)
        if existing is not None:
            return answer(existing), False
    try:
        if not atomic:
            return write(digest), True
        with transaction.atomic():
            return write(digest), True
    except (IntegrityError, ApplicationError):
        existing = transfer_by_key(key)
        if existing is None:
            raise
    return answer(existing), False


def transfer_create(
    *,
    kind: str,
    key: str,
    digest: str,
    legs: Sequence[Leg],
    memo: str = "",
    data: dict[str, Any] | None = None,
    reverses: LedgerTransfer | None = None,
) -> LedgerTransfer:
    """Insert the transfer (the idempotency guard) and its entries. Call inside `idempotent(write=…)`."""
    transfer = LedgerTransfer.objects.create(
        kind=kind,
        idempotency_key=key,
        request_hash=digest,
        memo=memo[:200],
        data=data or {},
        reverses=reverses,
        created_at=timezone.now(),
    )
    post_legs(transfer, legs)
    return transfer


# --- hot accounts: roll-up ----------------------------------------------------------------


def schedule_rollup(account_ids: set[str]) -> None:
    """After commit, on average once in ROLLUP_EVERY writes per account, fold its deltas (a job)."""
    every = conf.rollup_every()
    for account_id in account_ids:
        if every == 1 or random.random() < 1.0 / every:  # load spreading, not security
            transaction.on_commit(_rollup_later(account_id))


def _rollup_later(account_id: str) -> Callable[[], None]:
    return lambda: jobs.enqueue("wallet.rollup", account_id)


def account_rollup(*, account_id: str, batch: int = ROLLUP_BATCH) -> int:
    """Fold up to `batch` committed deltas into the account's balance. Returns how many were folded.

    Locks only the account row (tips never do), deletes the deltas with RETURNING so exactly the
    rows removed are added, and commits both together.
    """
    with transaction.atomic():
        account = LedgerAccount.objects.select_for_update().filter(pk=account_id).first()
        if account is None or account.kind in MATERIALIZED_KINDS:
            return 0
        table = PendingDelta._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - table name is ours, values are bound
                f"(SELECT id FROM {table} WHERE account_id = %s ORDER BY id LIMIT %s) RETURNING amount",
                [account_id, batch],
            )
            amounts = [row[0] for row in cursor.fetchall()]
        if amounts:
            LedgerAccount.objects.filter(pk=account_id).update(balance=F("balance") + sum(amounts))
        return len(amounts)


def account_rollup_all(*, batch: int = ROLLUP_BATCH) -> int:
    folded = 0
    for account_id in PendingDelta.objects.values_list("account_id", flat=True).distinct():
        while True:
            n = account_rollup(account_id=account_id, batch=batch)
            folded += n
            if n < batch:
                break
    return folded


def hot_account_lock(account: LedgerAccount) -> int:
    """For a guarded debit of a hot account: lock its row, roll everything up, return the exact balance.

    Concurrent credits may still be in flight; they only add, so a debit checked against this is safe.
    """
    LedgerAccount.objects.select_for_update().filter(pk=account.pk).first()
    while account_rollup(account_id=account.pk) == ROLLUP_BATCH:
        pass
    return int(LedgerAccount.objects.filter(pk=account.pk).values_list("balance", flat=True).get())


def system_account(kind: AccountKind) -> LedgerAccount:
    return account_get(kind, None)
