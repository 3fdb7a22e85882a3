"""On PostgreSQL: a year of synthetic activity for 200 performers, then the 52 weekly payout runs of that year in
order — each created, reviewed, approved, sent (SEPA file, e-wallet CSV), settled from the bank's pain.002 and
camt.054 (most lines paid, a few rejected, a few returned after payment) — with the books verified after every run.

Each run's lines are checked against what is owed computed here, independently, from the raw ledger rows (earnings
before the period's end, minus what each product's hold days still hold, plus every payout move so far). At the
end, for every performer: paid lines + payout clearing still owed + reserve still held + what is left in earnings
== every earning ever, to the token; what is left is only what is still held or was not payable in the last run
(no payout method, under the minimum, kept for review); every returned or failed line was paid again later.

History is written through the real services (tips, show-minute / fan-club / paid-message charges, tip refunds,
chargebacks clawed back from the tips they paid for) and moved into its week afterwards, a week at a time.
Skipped on SQLite (the point is the production database and its volume)."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from stagedoor.conftest import skip_or_fail
from stagedoor.core.ids import new_id
from stagedoor.payouts import services
from stagedoor.payouts.models import PayoutFile, PayoutItem, PayoutMethod, PayoutRun
from stagedoor.payouts.tests.helpers import performer_named
from stagedoor.payouts.tests.test_files_reconcile import block, camt054, entry, pain002, tx
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerTransfer
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
ST = PayoutItem.Status
WEEKS = 52
PERFORMERS = 200
WITHOUT_METHOD = 6  # verified performers who never set a payout method: blocked every run, carried over
EWALLET_EVERY = 9  # every 9th performer is paid by e-wallet, the rest by SEPA
VIEWERS = 40
RATE_MINOR = 5
RESERVE_BP = 1000
RESERVE_DAYS = 30
MINIMUM = 200
HOLD_DAYS = {"tips": 7, "shows": 3, "fan_clubs": 14, "messages": 10}
ITEM_PRODUCT = {"show_minute": "shows", "fanclub": "fan_clubs", "message": "messages"}
PAYOUT_KINDS = ("payout", "payout_paid", "payout_failed", "payout_returned", "payout_cancelled", "reserve_release")
QUIET_LAST_RUNS = 2  # no rejection or return in the last runs: every line of theirs ends paid
CARRIED = (ST.BLOCKED, ST.BELOW_MINIMUM, ST.REVIEW)  # a last-run line that moved nothing

FIRST = ["Lena", "Amira", "Jonas", "Sofia", "Mateo", "Ines", "Kofi", "Yuki", "Noor", "Emil", "Clara", "Tariq"]
LAST = ["Vogt", "Haddad", "Brandt", "Okafor", "Lindqvist", "Moreau", "Petrov", "Sato", "Castillo", "Novak", "Reyes"]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


@pytest.fixture(autouse=True)
def _year_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 250 accounts: no argon2 here
    settings.STAGEDOOR_WALLET_PAYOUT_CURRENCY = "EUR"
    settings.STAGEDOOR_WALLET_PAYOUT_RATE_MINOR = RATE_MINOR
    settings.STAGEDOOR_WALLET_HOLD_DAYS = HOLD_DAYS["tips"]
    settings.STAGEDOOR_WALLET_PERFORMER_SHARE_BP = 6000
    settings.STAGEDOOR_WALLET_CHARGEBACK_POLICY = "clawback"
    settings.STAGEDOOR_PAYOUTS_HOLD_DAYS_BY_PRODUCT = ",".join(f"{p}={d}" for p, d in HOLD_DAYS.items())
    settings.STAGEDOOR_PAYOUTS_MINIMUM_TOKENS = MINIMUM
    settings.STAGEDOOR_PAYOUTS_RESERVE_BP = RESERVE_BP
    settings.STAGEDOOR_PAYOUTS_RESERVE_DAYS = RESERVE_DAYS
    settings.STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR = 150_000  # the busiest weeks need a second approver
    settings.STAGEDOOR_PAYOUTS_REVIEW_MIN_TOKENS = 2500  # only the stars' big weeks are looked at
    settings.STAGEDOOR_PAYOUTS_SPIKE_FACTOR = 5
    settings.STAGEDOOR_PAYOUTS_NEW_ACCOUNT_DAYS = 7


# --- the people ------------------------------------------------------------------------------------------------


def german_iban(n: int) -> str:
    """A valid German IBAN (ISO 13616 check digits computed) for account number `n`."""
    bban = f"37040044{n:010d}"
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


def _performers(make_user: Any) -> list[Any]:
    people = []
    for i in range(PERFORMERS):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}-{chr(65 + i // 132)}{i % 7 + 1}"
        performer = performer_named(make_user, name, login=f"year{i:03d}")
        if i >= WITHOUT_METHOD:
            if i % EWALLET_EVERY == 0:
                kind, fields = "ewallet", {"email": f"year{i:03d}@wallet.example"}
            else:
                kind, fields = "sepa", {"iban": german_iban(1000 + i), "bic": ""}
            services.payout_method_set(performer=performer, kind=kind, holder_name=name, fields=fields)
        people.append(performer)
    return people


# --- the year's activity ---------------------------------------------------------------------------------------


class History:
    """Writes activity through the wallet's services, then moves each transfer into its moment, a week at once."""

    def __init__(self, make_user: Any, performers: list[Any], rng: random.Random, staff: Any, until: datetime) -> None:
        self.make_user, self.performers, self.rng, self.staff = make_user, performers, rng, staff
        self.until = until - timedelta(minutes=1)  # nothing after the last period's end (a late refund: just before)
        self.viewers = [make_user("viewer", login=f"fan{i:02d}") for i in range(VIEWERS)]
        for viewer in self.viewers:
            fund_wallet(viewer, 10_000_000)
        self.moves: list[tuple[str, datetime]] = []
        # a few stars earn a lot (their big weeks trip the review rules), most earn a little, some rarely
        self.rate = {p.pk: rng.choice([0.1, 0.25, 0.4, 0.6]) for p in performers}
        self.size = {p.pk: (10 if i % 40 == 7 else 1) for i, p in enumerate(performers)}
        self.refunds = self.chargebacks = 0

    def _at(self, start: datetime) -> datetime:
        return start + timedelta(seconds=self.rng.randrange(1, 7 * 86400 - 3 * 3600))

    def week(self, start: datetime) -> None:
        rng = self.rng
        for performer in self.performers:
            if rng.random() > self.rate[performer.pk]:
                continue
            for _ in range(rng.choice([1, 1, 1, 2])):
                viewer, at = rng.choice(self.viewers), self._at(start)
                what = rng.random()
                if what < 0.5:
                    tip = wallet.tip_send(
                        sender=viewer,
                        performer=performer,
                        amount=rng.randint(20, 900) * self.size[performer.pk],
                        idempotency_key=new_id(),
                    )
                    self.moves.append((tip.transfer_id, at))
                    if rng.random() < 0.03:  # staff refund it a day or so later, inside the hold
                        wallet.tip_refund(actor=self.staff, tip_id=tip.pk, reason="Sent to the wrong performer")
                        refund = self._by_key(f"tip_refund:{tip.pk}")
                        self.moves.append((refund, at + timedelta(hours=rng.randint(2, 40))))
                        self.refunds += 1
                    continue
                item = "show_minute" if what < 0.8 else "fanclub" if what < 0.9 else "message"
                amount = {"show_minute": rng.randint(3, 40) * 30, "fanclub": 499, "message": rng.randint(25, 150)}[item]
                paid = wallet.charge(
                    payer=viewer,
                    payee=performer,
                    amount=amount * self.size[performer.pk],
                    key=f"year:{new_id()}",
                    item=item,
                    ref=new_id(),
                )
                self.moves.append((paid.transfer.pk, at))
        if rng.random() < 0.35:
            self._chargeback(start)
        self.flush()

    def _chargeback(self, start: datetime) -> None:
        """A new account buys tokens, tips them away, and the card is charged back: clawed back from the tips."""
        fraud = self.make_user("viewer", login=f"cb{self.chargebacks:02d}")
        purchase_id = fund_wallet(fraud, 2400)
        at = self._at(start)
        self.moves.append((self._by_key(f"purchase:{purchase_id}"), at - timedelta(hours=1)))
        for amount in (1000, 800, 600):
            performer = self.rng.choice(self.performers[WITHOUT_METHOD:])
            tip = wallet.tip_send(sender=fraud, performer=performer, amount=amount, idempotency_key=new_id())
            self.moves.append((tip.transfer_id, at))
        outcome = wallet.purchase_chargeback(purchase_id=purchase_id, buyer=fraud, reason="Card reported stolen")
        assert outcome.clawed_back == 2400
        self.moves.append((outcome.transfer.pk, at + timedelta(hours=30)))
        self.chargebacks += 1

    @staticmethod
    def _by_key(key: str) -> str:
        return str(LedgerTransfer.objects.values_list("pk", flat=True).get(idempotency_key=key))

    def flush(self) -> None:
        if not self.moves:
            return
        ids, ats = [m[0] for m in self.moves], [min(m[1], self.until) for m in self.moves]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE wallet_ledgertransfer t SET created_at = v.at "
                "FROM unnest(%s::text[], %s::timestamptz[]) AS v(id, at) WHERE t.id = v.id",
                [ids, ats],
            )
            cursor.execute(
                "UPDATE wallet_ledgerentry e SET created_at = v.at "
                "FROM unnest(%s::text[], %s::timestamptz[]) AS v(id, at) WHERE e.transfer_id = v.id",
                [ids, ats],
            )
        self.moves = []


# --- what is owed, from the raw ledger rows --------------------------------------------------------------------


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _earnings_accounts() -> dict[str, str]:
    """earnings account id → performer id."""
    return {
        str(pk): str(owner)
        for pk, owner in LedgerAccount.objects.filter(kind=AccountKind.PERFORMER_EARNINGS).values_list("pk", "owner_id")
    }


def earned_before(end: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Earnings account → every earning (tips, charges, refunds, claw-backs; no payout move) written before `end`,
    and → every earning ever."""
    rows = _rows(
        "SELECT e.account_id, SUM(e.amount) FILTER (WHERE e.created_at < %s), SUM(e.amount) FROM wallet_ledgerentry e "
        "JOIN wallet_ledgertransfer t ON t.id = e.transfer_id JOIN wallet_ledgeraccount a ON a.id = e.account_id "
        "WHERE a.kind = 'performer_earnings' AND t.kind <> ALL(%s) GROUP BY e.account_id",
        [end, list(PAYOUT_KINDS)],
    )
    return {str(a): int(b or 0) for a, b, _ in rows}, {str(a): int(s) for a, _, s in rows}


def held_at(end: datetime) -> dict[str, int]:
    """Earnings account → tokens still inside their product's hold days at `end` (reversals there come off the
    held part first; never negative)."""
    rows = _rows(
        "SELECT e.account_id, t.kind, t.data->>'item', e.created_at, e.amount FROM wallet_ledgerentry e "
        "JOIN wallet_ledgertransfer t ON t.id = e.transfer_id JOIN wallet_ledgeraccount a ON a.id = e.account_id "
        "WHERE a.kind = 'performer_earnings' AND t.kind <> ALL(%s) AND e.created_at >= %s AND e.created_at < %s",
        [list(PAYOUT_KINDS), end - timedelta(days=max(HOLD_DAYS.values())), end],
    )
    held: dict[str, int] = defaultdict(int)
    for account, kind, item, at, amount in rows:
        product = ITEM_PRODUCT.get(item or "", "tips") if kind == "charge" else "tips"
        if at >= end - timedelta(days=HOLD_DAYS[product]):
            held[str(account)] += int(amount)
    return {a: max(0, v) for a, v in held.items()}


def payout_moves(kind: str, *, excluding: str = "") -> dict[str, int]:
    """Account of `kind` → the sum of its payout-move entries (every one ever, `excluding` a transfer)."""
    rows = _rows(
        "SELECT e.account_id, SUM(e.amount) FROM wallet_ledgerentry e JOIN wallet_ledgertransfer t "
        "ON t.id = e.transfer_id JOIN wallet_ledgeraccount a ON a.id = e.account_id "
        "WHERE a.kind = %s AND t.kind = ANY(%s) AND t.id <> %s GROUP BY e.account_id",
        [kind, list(PAYOUT_KINDS), excluding],
    )
    return {str(a): int(s) for a, s in rows}


def account_sums(kind: str) -> dict[str, int]:
    """Owner → the sum of every entry of their account of `kind`."""
    rows = _rows(
        "SELECT a.owner_id, SUM(e.amount) FROM wallet_ledgerentry e JOIN wallet_ledgeraccount a "
        "ON a.id = e.account_id WHERE a.kind = %s GROUP BY a.owner_id",
        [kind],
    )
    return {str(o): int(s) for o, s in rows}


def system_sum(kind: str) -> int:
    """The sum of every entry of the system account of `kind`."""
    [(total,)] = _rows(
        "SELECT COALESCE(SUM(e.amount), 0) FROM wallet_ledgerentry e JOIN wallet_ledgeraccount a "
        "ON a.id = e.account_id WHERE a.kind = %s AND a.owner_id IS NULL",
        [kind],
    )
    return int(total)


def expected_matured(end: datetime, run: PayoutRun) -> dict[str, int]:
    """Performer → what is payable at `end` just as `run` is made: earned before the end, minus what is held,
    plus every payout move so far (reserves released into this run included), never more than earnings hold."""
    owners = _earnings_accounts()
    (before, ever), held = earned_before(end), held_at(end)
    moved = payout_moves(AccountKind.PERFORMER_EARNINGS, excluding=run.transfer_id or "-")
    owed = {}
    for account, performer in owners.items():
        at_end = before.get(account, 0) + moved.get(account, 0) - held.get(account, 0)
        value = max(0, min(at_end, ever.get(account, 0) + moved.get(account, 0)))
        if value:
            owed[performer] = value
    return owed


# --- one run's life --------------------------------------------------------------------------------------------


class Runs:
    def __init__(self, finance: list[Any], rng: random.Random) -> None:
        self.finance, self.rng = finance, rng
        self.returned: list[PayoutItem] = []  # lines returned by the bank: paid again later
        self.failed: list[PayoutItem] = []
        self.kept: list[PayoutItem] = []
        self.stats: dict[str, int] = defaultdict(int)

    def one(self, end: datetime, *, quiet: bool, previous: PayoutRun | None) -> PayoutRun:
        alice, bob = self.finance
        run, created = services.payout_run_create(actor=alice, period_end=end)
        assert created and run.period_end == end
        items = list(PayoutItem.objects.filter(run=run))
        self._check_lines(run, items)
        for item in items:
            if item.status == ST.REVIEW:  # a person looks: most are released, every fourth kept for later
                keep = self.stats["reviewed"] % 4 == 3
                services.payout_item_review(
                    actor=bob, item_id=item.pk, release=not keep, reason="Regular fans; checked the payers"
                )
                self.stats["reviewed"] += 1
                if keep:
                    self.kept.append(item)
        run.refresh_from_db()
        services.payout_run_approve(actor=alice, run_id=run.pk)
        if run.approvals_needed == 2:
            assert PayoutRun.objects.get(pk=run.pk).status == PayoutRun.Status.AWAITING_APPROVAL
            services.payout_run_approve(actor=bob, run_id=run.pk)
            self.stats["four_eyes"] += 1
        run = services.payout_run_send(actor=bob, run_id=run.pk)
        assert run.status == PayoutRun.Status.SENT
        self._settle(run, quiet=quiet)
        if previous is not None and not quiet:
            self._returns(previous)
        problems = ledger_problems()
        assert problems == [], f"books broken after the run ending {end:%Y-%m-%d}: {problems[:5]}"
        assert PayoutRun.objects.get(pk=run.pk).status == PayoutRun.Status.RECONCILED
        return run

    def _check_lines(self, run: PayoutRun, items: list[PayoutItem]) -> None:
        owed = expected_matured(run.period_end, run)
        got = {str(i.performer_id): i for i in items}
        assert {p: i.matured_tokens for p, i in got.items()} == owed, f"run {run.period_end:%Y-%m-%d}"
        for item in items:
            if item.status == ST.PENDING:
                assert item.reserve_tokens == item.matured_tokens * RESERVE_BP // 10_000
                assert item.amount_tokens == item.matured_tokens - item.reserve_tokens
                assert item.amount_minor == item.amount_tokens * RATE_MINOR
            else:
                assert item.amount_tokens == item.reserve_tokens == 0
            if item.status == ST.BELOW_MINIMUM:
                assert item.matured_tokens < MINIMUM
            self.stats[str(item.status)] += 1

    def _settle(self, run: PayoutRun, *, quiet: bool) -> None:
        alice = self.finance[0]
        sent = list(PayoutItem.objects.filter(run=run, status=ST.SENT).order_by("pk"))
        sepa = [i for i in sent if i.method_kind == PayoutMethod.Kind.SEPA]
        ewallet = [i for i in sent if i.method_kind == PayoutMethod.Kind.EWALLET]
        assert len(sepa) + len(ewallet) == len(sent)
        if sepa:
            file = PayoutFile.objects.get(run=run, kind=PayoutMethod.Kind.SEPA)
            assert file.lines == len(sepa) and file.total_minor == sum(i.amount_minor for i in sepa)
            assert all(file.content.count(f"<EndToEndId>{i.pk}</EndToEndId>") == 1 for i in sepa)
            rejected = [] if quiet else [i for i in sepa if self.rng.random() < 0.03]
            txs = [tx(i.pk, "RJCT", "AC01") if i in rejected else tx(i.pk, "ACSC") for i in sepa]
            report = pain002("", block("", *txs), msg=file.batch_id)
            result = services.payout_report_apply(actor=alice, content=report, kind="status")
            assert result.applied == {
                k: v for k, v in {"paid": len(sepa) - len(rejected), "failed": len(rejected)}.items() if v
            }
            self.failed += rejected
        if ewallet:
            assert PayoutFile.objects.filter(run=run, kind=PayoutMethod.Kind.EWALLET, lines=len(ewallet)).exists()
            services.payout_items_mark(
                actor=alice,
                run_id=run.pk,
                item_ids=[i.pk for i in ewallet],
                outcome="paid",
                reason="E-wallet batch confirmed",
            )

    def _returns(self, previous: PayoutRun) -> None:
        """The bank sends back a few of last week's paid SEPA lines (account closed)."""
        paid = PayoutItem.objects.filter(run=previous, status=ST.PAID, method_kind=PayoutMethod.Kind.SEPA).order_by(
            "pk"
        )
        back = [i for i in paid if self.rng.random() < 0.02]
        if not back:
            return
        notice = camt054(*(entry(i.pk, "CRDT", reason="AC04", amount=f"{i.amount_minor / 100:.2f}") for i in back))
        result = services.payout_report_apply(actor=self.finance[1], content=notice, kind="return")
        assert result.applied == {"returned": len(back)}
        self.returned += back


# --- the year --------------------------------------------------------------------------------------------------


def test_a_year_of_weekly_payout_runs_pays_exactly_what_matured(make_user: Any) -> None:
    rng = random.Random(2026)
    finance = [make_user("finance", login="fin-alice"), make_user("finance", login="fin-bob")]
    performers = _performers(make_user)
    _start, last_end = services.period_of(timezone.now())
    ends = [last_end - timedelta(days=7 * (WEEKS - 1 - w)) for w in range(WEEKS)]
    history = History(make_user, performers, rng, finance[0], last_end)
    get_user_model().objects.filter(pk__in=[v.pk for v in history.viewers]).update(
        date_joined=ends[0] - timedelta(days=400)  # long-standing fans: the new-account rule is about the others
    )
    clock = time.monotonic()
    for end in ends:
        history.week(end - timedelta(days=7))
    print(f"history: {time.monotonic() - clock:.1f}s, {history.refunds} refunds, {history.chargebacks} chargebacks")
    clock = time.monotonic()
    assert history.refunds > 5 and history.chargebacks > 5

    runs = Runs(finance, rng)
    previous = None
    for w, end in enumerate(ends):
        previous = runs.one(end, quiet=w >= WEEKS - QUIET_LAST_RUNS, previous=previous)
    stats = runs.stats
    print(f"runs: {time.monotonic() - clock:.1f}s {dict(stats)}")  # shown with -s
    assert stats[ST.PENDING] > 2000 and stats[ST.BLOCKED] >= WITHOUT_METHOD and stats[ST.BELOW_MINIMUM] > 50
    assert stats["reviewed"] > 5 and runs.kept and runs.failed and runs.returned
    assert 0 < stats["four_eyes"] < WEEKS  # some weeks above the four-eyes total, some under

    # --- the year, per performer, from the raw ledger rows -----------------------------------------------------
    owners = _earnings_accounts()
    earned, ever = earned_before(last_end)
    assert earned == ever  # nothing earned after the last period: all of it is this year's
    held = held_at(last_end)
    left = account_sums(AccountKind.PERFORMER_EARNINGS)
    reserve = account_sums(AccountKind.PERFORMER_RESERVE)
    items = list(PayoutItem.objects.select_related("run").order_by("run__period_end"))
    paid: dict[str, int] = defaultdict(int)
    owed_in_clearing: dict[str, int] = defaultdict(int)
    last_line: dict[str, PayoutItem] = {}
    for item in items:
        pid = str(item.performer_id)
        if item.status == ST.PAID:
            paid[pid] += item.amount_tokens
        elif item.status == ST.SENT:
            owed_in_clearing[pid] += item.amount_tokens
        if item.run.period_end == last_end:
            last_line[pid] = item
    assert not owed_in_clearing  # every line of every run was settled
    reserve_due: dict[str, int] = defaultdict(int)  # reserves of the last 30 days' runs: still held, released later
    for item in items:
        assert item.reserve_released == (item.reserve_release_at is not None and item.reserve_release_at <= last_end)
        if item.reserve_tokens and not item.reserve_released:
            reserve_due[str(item.performer_id)] += item.reserve_tokens
    mismatches: list[tuple[Any, ...]] = []
    for account, pid in owners.items():
        total = earned.get(account, 0)
        matured = total - held.get(account, 0)
        unpaid = left.get(pid, 0) - held.get(account, 0)  # matured but still in earnings after the last run
        line = last_line.get(pid)
        carried = line.matured_tokens if line is not None and line.status in CARRIED else 0
        books = (paid[pid], owed_in_clearing[pid], reserve.get(pid, 0), unpaid)
        if paid[pid] + owed_in_clearing[pid] + reserve.get(pid, 0) + unpaid != matured or unpaid != carried:
            mismatches.append((pid, matured, books, carried))
        if reserve.get(pid, 0) != reserve_due[pid]:
            mismatches.append((pid, "reserve", reserve.get(pid, 0), reserve_due[pid]))
    assert mismatches == []
    for pid in {str(p.pk) for p in performers[:WITHOUT_METHOD]}:
        assert paid[pid] == 0 and last_line[pid].status == ST.BLOCKED
    # nobody paid twice: one line per performer per run, each line sent in exactly one file of all the year's
    assert len({(i.run_id, i.performer_id) for i in items}) == len(items)
    sepa_files = "".join(PayoutFile.objects.filter(kind="sepa").values_list("content", flat=True))
    csv_files = "".join(PayoutFile.objects.filter(kind="ewallet").values_list("content", flat=True))
    for item in items:
        if item.status in (ST.PAID, ST.RETURNED, ST.FAILED):
            in_sepa, in_csv = sepa_files.count(f"<EndToEndId>{item.pk}</EndToEndId>"), csv_files.count(item.pk)
            assert (in_sepa, in_csv) == ((1, 0) if item.method_kind == "sepa" else (0, 1)), item.pk
    # what left the platform, in the books, is exactly the paid lines; nothing is still owed in clearing
    assert system_sum(AccountKind.PAID_OUT) == sum(paid.values()) > 0
    assert system_sum(AccountKind.PAYOUT_CLEARING) == 0
    # every returned or failed line came back to earnings and was paid again in a later run (or, if that left
    # the performer under the minimum since, is carried in their last line)
    for back in runs.returned + runs.failed:
        later = [
            i
            for i in items
            if i.performer_id == back.performer_id and i.run.period_end > back.run.period_end and i.status == ST.PAID
        ]
        line = last_line.get(str(back.performer_id))
        carried = line.matured_tokens if line is not None and line.status in CARRIED else 0
        assert sum(i.amount_tokens + i.reserve_tokens for i in later) + carried >= back.amount_tokens
