"""Payouts benchmark: one weekly payout run over 10,000 performers and a million ledger entries, the SEPA file of
its lines, and the performer dashboard under load while that ledger is there.

    STAGEDOOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/stagedoor .venv/bin/python bench/payouts.py \
        [--performers 10000] [--entries 1000000] [--clients 4] [--seconds 20]

Everything runs on the PostgreSQL server named by STAGEDOOR_DATABASE_URL, in a scratch database this script creates
and drops (`stagedoor_paybench_<pid>`); the database in the URL is never touched. With PYTHONPATH set (a private
copy of the source), the bench and the `stagedoor web` process it starts both import Stagedoor from there.

1. People: `--performers` performers (verified identity, a SEPA payout method in their verified name, each a valid
   IBAN), `--performers / 5` viewers; through the ORM in bulk (the payout method details encrypted like any other).
2. Ledger: `--entries` entries written with SQL (INSERT … SELECT over generate_series): a purchase per viewer,
   then tips (with their `wallet_tip` rows) and charges (`show_minute`, `fanclub`, `message`) of 3 entries each
   (wallet −, performer earnings +, platform revenue +), spread over the 28 days before the period's end (the paid
   week and the review rules' look-back; the last 7 days are inside the hold). Viewer wallets carry their exact
   balance; hot accounts their rolled-up balance, with the last day of earnings still as pending deltas (as
   between two roll-ups). `ledger verify` is run before the payout run: it must find nothing.
3. `payout_run_s`: wall time of `payout_run_create` for that period, with the time of each phase (earnings
   positions, blockers, review rules, the items insert, the ledger posting…) measured by wrapping those calls;
   then approval and `payout_run_send` (`send_s`: the pain.001 of every line built and validated against the
   ISO 20022 schema).
4. `invariant_violations`: `ledger verify` problems after the run, plus performers whose line disagrees with what
   is owed computed here from the raw ledger rows (earned before the end − held by product hold days + payout
   moves; a paid line's amount + reserve must be exactly that), plus a run total that is not its lines' sum.
5. `dashboard_p95_ms`: the analytics roll-up folds the ledger first (timed), then `--clients` threads GET
   /studio/dashboard over HTTP for `--sessions` signed-in performers against one `stagedoor web` process for
   `--seconds`; the load generator's own CPU is reported (`client_cpu_pct` of one core) to show it was not the
   bottleneck, and the machine's.

Last line: one JSON object (payout_run_s, send_s, dashboard_p95_ms, invariant_violations and their parts).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RATE_MINOR = 5
RESERVE_BP = 1000
MINIMUM = 500
HOLD_DAYS = {"tips": 7, "shows": 3, "fan_clubs": 14, "messages": 10}
SPAN_DAYS = 28
PAYOUT_KINDS = ["payout", "payout_paid", "payout_failed", "payout_returned", "payout_cancelled", "reserve_release"]
FIRST = ["Lena", "Amira", "Jonas", "Sofia", "Mateo", "Ines", "Kofi", "Yuki", "Noor", "Emil", "Clara", "Tariq"]
LAST = ["Vogt", "Haddad", "Brandt", "Okafor", "Lindqvist", "Moreau", "Petrov", "Sato", "Castillo", "Novak"]


def log(message: str) -> None:
    print(f"[payouts-bench] {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def bench_env(db_url: str, var_dir: str) -> dict[str, str]:
    """The settings of this bench (the run and the web process read the same)."""
    return {
        "STAGEDOOR_DATABASE_URL": db_url,
        "STAGEDOOR_VAR_DIR": var_dir,
        "STAGEDOOR_LOG_LEVEL": "WARNING",
        "STAGEDOOR_WALLET_PAYOUT_CURRENCY": "EUR",
        "STAGEDOOR_WALLET_PAYOUT_RATE_MINOR": str(RATE_MINOR),
        "STAGEDOOR_WALLET_HOLD_DAYS": str(HOLD_DAYS["tips"]),
        "STAGEDOOR_PAYOUTS_HOLD_DAYS_BY_PRODUCT": ",".join(f"{p}={d}" for p, d in HOLD_DAYS.items()),
        "STAGEDOOR_PAYOUTS_RESERVE_BP": str(RESERVE_BP),
        "STAGEDOOR_PAYOUTS_RESERVE_DAYS": "30",
        "STAGEDOOR_PAYOUTS_MINIMUM_TOKENS": str(MINIMUM),
        "STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR": str(10**12),
    }


def django_setup(db_url: str, var_dir: str) -> None:
    os.environ.update(bench_env(db_url, var_dir))
    os.environ.pop("STAGEDOOR_REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    if not os.environ.get("PYTHONPATH"):  # a private copy on PYTHONPATH wins over this checkout's src/
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def german_iban(n: int) -> str:
    """A valid German IBAN (ISO 13616 check digits computed) for account number `n`."""
    bban = f"37040044{n:010d}"
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


# --------------------------------------------------------------------------- people


def setup_people(performers: int, viewers: int) -> dict[str, Any]:
    """Performers (verified, a SEPA method in their verified name), viewers, their ledger accounts; in bulk."""
    from stagedoor.accounts.models import User
    from stagedoor.payouts.models import PayoutMethod
    from stagedoor.verification.models import Verification
    from stagedoor.verification.testing import give_approved_identity
    from stagedoor.wallet import ledger
    from stagedoor.wallet.models import AccountKind, LedgerAccount

    long_ago = datetime.now(UTC) - timedelta(days=400)
    people = User.objects.bulk_create(
        [
            User(login=f"pb{i:05d}", email=f"pb{i:05d}@bench.test", role="performer", date_joined=long_ago)
            for i in range(performers)
        ],
        batch_size=2000,
    )
    give_approved_identity(people)
    names = {u.pk: f"{FIRST[i % len(FIRST)]} {LAST[(i // 12) % len(LAST)]} {i:05d}" for i, u in enumerate(people)}
    records = list(Verification.objects.filter(user_id__in=list(names)))
    for record in records:
        record.legal_name = names[record.user_id]
    Verification.objects.bulk_update(records, ["legal_name"], batch_size=2000)
    PayoutMethod.objects.bulk_create(
        [
            PayoutMethod(
                performer_id=u.pk,
                version=1,
                kind="sepa",
                holder_name=names[u.pk],
                details=json.dumps({"iban": german_iban(100_000 + i), "bic": ""}),
                name_score=100,
            )
            for i, u in enumerate(people)
        ],
        batch_size=2000,
    )
    fans = User.objects.bulk_create(
        [
            User(login=f"vb{i:05d}", email=f"vb{i:05d}@bench.test", role="viewer", date_joined=long_ago)
            for i in range(viewers)
        ],
        batch_size=2000,
    )
    LedgerAccount.objects.bulk_create(
        [LedgerAccount(kind=AccountKind.PERFORMER_EARNINGS, owner_id=u.pk) for u in people]
        + [LedgerAccount(kind=AccountKind.VIEWER_WALLET, owner_id=u.pk) for u in fans],
        batch_size=5000,
    )
    return {
        "performers": [u.pk for u in people],
        "platform": ledger.system_account(AccountKind.PLATFORM_REVENUE).pk,
        "clearing": ledger.system_account(AccountKind.PURCHASE_CLEARING).pk,
    }


# --------------------------------------------------------------------------- the ledger, in SQL

B32 = """CREATE FUNCTION bench_b32(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((n >> (5 * (15 - i))) & 31)::int + 1, 1), '' ORDER BY i)
  FROM generate_series(0, 15) AS i $$"""


def setup_ledger(*, entries: int, viewers: int, start: datetime, end: datetime, ids: dict[str, Any]) -> dict[str, int]:
    """`entries` ledger entries between `start` and `end`, balanced, with balances and pending deltas to match."""
    from django.db import connection, transaction

    from stagedoor.core.ids import new_id

    transfers = max(1, (entries - 2 * viewers) // 3)
    prefix = new_id()[:10]  # the time part of an id made now: every later id sorts after these
    params = {
        "prefix": prefix,
        "performers": len(ids["performers"]),
        "viewers": viewers,
        "transfers": transfers,
        "start": start,
        "span": (end - start).total_seconds(),
        "platform": ids["platform"],
        "clearing": ids["clearing"],
        "pending_from": end - timedelta(days=1),
    }
    steps = [
        B32,
        "SELECT setseed(0.42)",
        "CREATE TEMP TABLE b_perf AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id AS account_id, "
        "owner_id FROM wallet_ledgeraccount WHERE kind = 'performer_earnings'",
        "CREATE TEMP TABLE b_view AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id AS account_id, "
        "owner_id FROM wallet_ledgeraccount WHERE kind = 'viewer_wallet'",
        "CREATE UNIQUE INDEX ON b_perf (n)",
        "CREATE UNIQUE INDEX ON b_view (n)",
        # one row per tip or charge: who pays whom, what, how much, when (popular performers earn more)
        "CREATE TEMP TABLE b_raw AS SELECT g, floor(power(random(), 1.6) * %(performers)s)::int AS p, "
        "floor(random() * %(viewers)s)::int AS v, random() AS rk, random() AS ra, "
        "%(start)s::timestamptz + random() * %(span)s * interval '1 second' AS at "
        "FROM generate_series(1, %(transfers)s) AS g",
        "CREATE TEMP TABLE b_t AS SELECT g, %(prefix)s || bench_b32(g) AS id, p, v, at, "
        "CASE WHEN rk < 0.6 THEN 'tip' ELSE 'charge' END AS kind, "
        "CASE WHEN rk < 0.6 THEN NULL WHEN rk < 0.85 THEN 'show_minute' WHEN rk < 0.95 THEN 'fanclub' "
        "ELSE 'message' END AS item, "
        "CASE WHEN rk < 0.6 THEN 5 + floor(ra * 200)::int WHEN rk < 0.85 THEN 30 * (1 + floor(ra * 3)::int) "
        "WHEN rk < 0.95 THEN 499 ELSE 25 + floor(ra * 100)::int END AS amount FROM b_raw",
        "ALTER TABLE b_t ADD COLUMN pa int",
        "UPDATE b_t SET pa = amount * 6000 / 10000",
        # a purchase per viewer covering what they spend, the day before
        "CREATE TEMP TABLE b_buy AS SELECT vv.n, vv.account_id, vv.owner_id, "
        "%(prefix)s || bench_b32(%(transfers)s + 1 + vv.n) AS id, COALESCE(s.spent, 0) + 1000 AS tokens "
        "FROM b_view vv LEFT JOIN (SELECT v, SUM(amount) AS spent FROM b_t GROUP BY v) s ON s.v = vv.n",
        "INSERT INTO wallet_ledgertransfer (id, kind, idempotency_key, request_hash, memo, data, created_at) "
        "SELECT id, 'purchase', 'purchase:bench-' || id, repeat('0', 64), '', jsonb_build_object('purchase', "
        "'bench-' || id, 'price_minor', tokens, 'currency', 'USD', 'provider', 'bench'), "
        "%(start)s::timestamptz - interval '1 day' FROM b_buy",
        "INSERT INTO wallet_ledgerentry (transfer_id, account_id, amount, created_at) "
        "SELECT b.id, x.account_id, x.amount, %(start)s::timestamptz - interval '1 day' FROM b_buy b "
        "CROSS JOIN LATERAL (VALUES (%(clearing)s, -b.tokens), (b.account_id, b.tokens)) AS x(account_id, amount) "
        "ORDER BY b.n",
        "INSERT INTO wallet_ledgertransfer (id, kind, idempotency_key, request_hash, memo, data, created_at) "
        "SELECT t.id, t.kind, 'bench:' || t.id, repeat('0', 64), '', CASE WHEN t.kind = 'tip' THEN "
        "jsonb_build_object('performer', pp.owner_id, 'share_bp', 6000) ELSE jsonb_build_object('item', t.item, "
        "'ref', t.id, 'payer', vv.owner_id, 'performer', pp.owner_id, 'amount', t.amount, 'performer_amount', t.pa, "
        "'platform_amount', t.amount - t.pa, 'share_bp', 6000) END, t.at "
        "FROM b_t t JOIN b_perf pp ON pp.n = t.p JOIN b_view vv ON vv.n = t.v",
        "INSERT INTO wallet_tip (id, transfer_id, sender_id, performer_id, amount, performer_amount, platform_amount, "
        "message, anonymous, menu_label, room_id, created_at) "
        "SELECT t.id, t.id, vv.owner_id, pp.owner_id, t.amount, t.pa, t.amount - t.pa, '', false, '', '', t.at "
        "FROM b_t t JOIN b_perf pp ON pp.n = t.p JOIN b_view vv ON vv.n = t.v WHERE t.kind = 'tip'",
        "INSERT INTO wallet_ledgerentry (transfer_id, account_id, amount, created_at) "
        "SELECT t.id, x.account_id, x.amount, t.at FROM b_t t JOIN b_perf pp ON pp.n = t.p JOIN b_view vv "
        "ON vv.n = t.v CROSS JOIN LATERAL (VALUES (vv.account_id, -t.amount), (pp.account_id, t.pa), "
        "(%(platform)s, t.amount - t.pa)) AS x(account_id, amount) ORDER BY t.at, t.g",
        # balances: exact for wallets; hot accounts rolled up but for the last day of earnings (pending deltas)
        "UPDATE wallet_ledgeraccount a SET balance = s.total FROM (SELECT account_id, SUM(amount) AS total "
        "FROM wallet_ledgerentry GROUP BY account_id) s WHERE a.id = s.account_id",
        "INSERT INTO wallet_pendingdelta (account_id, amount) SELECT e.account_id, e.amount FROM wallet_ledgerentry e "
        "JOIN b_perf pp ON pp.account_id = e.account_id WHERE e.created_at >= %(pending_from)s ORDER BY e.id",
        "UPDATE wallet_ledgeraccount a SET balance = a.balance - s.total FROM (SELECT account_id, SUM(amount) AS total "
        "FROM wallet_pendingdelta GROUP BY account_id) s WHERE a.id = s.account_id",
        "DROP TABLE b_raw, b_t, b_buy, b_perf, b_view",
        "DROP FUNCTION bench_b32",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in steps:
            cursor.execute(sql, params if "%(" in sql else None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT COUNT(*) FROM wallet_ledgerentry")
        written = int(cursor.fetchone()[0])
        cursor.execute("SELECT COUNT(*) FROM wallet_pendingdelta")
        pending = int(cursor.fetchone()[0])
    return {"entries": written, "transfers": transfers + viewers, "pending_deltas": pending}


def ledger_problems() -> list[str]:
    from stagedoor.wallet.verify import LedgerProblem, ledger_verify

    return [str(p) for p in ledger_verify() if isinstance(p, LedgerProblem)]


# --------------------------------------------------------------------------- the run, timed by phase


class Phases:
    """Wall time spent in named calls (wrapped in place; the code itself is not changed)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1

        setattr(owner, attribute, timed)
        self.undo.append((owner, attribute, original))

    def restore(self) -> None:
        for owner, attribute, original in reversed(self.undo):
            setattr(owner, attribute, original)
        self.undo = []

    def report(self, total: float) -> dict[str, float]:
        parts = {name: round(value, 3) for name, value in sorted(self.seconds.items(), key=lambda kv: -kv[1])}
        top = sum(v for k, v in self.seconds.items() if "." not in k)  # sub-phases: parent.child (inside parent)
        parts["other"] = round(total - top, 3)
        return parts


def timed_create(finance: Any, end: datetime) -> tuple[Any, float, dict[str, float]]:
    from stagedoor.payouts import selectors
    from stagedoor.payouts.models import PayoutItem
    from stagedoor.payouts.services import runs
    from stagedoor.wallet import ledger
    from stagedoor.wallet import selectors as wallet_selectors
    from stagedoor.wallet import services as wallet_services
    from stagedoor.wallet.selectors import maturity
    from stagedoor.wallet.services import payouts as wallet_payouts

    phases = Phases()
    phases.wrap(runs, "reserves_release_due", "reserves_release_due")
    phases.wrap(wallet_services, "earnings_lock", "earnings_lock")
    phases.wrap(wallet_selectors, "earnings_positions", "earnings_positions")
    phases.wrap(maturity, "held_sums", "earnings_positions.held_sums")
    phases.wrap(runs, "payout_blockers_many", "payout_blockers_many")
    phases.wrap(runs, "review_flags", "review_flags")
    phases.wrap(runs, "current_methods", "current_methods")
    phases.wrap(PayoutItem.objects, "bulk_create", "items_bulk_create")
    phases.wrap(wallet_services, "payout_post", "payout_post")
    phases.wrap(wallet_payouts, "_owned", "payout_post.accounts_lock_or_create")
    phases.wrap(ledger, "account_get", "payout_post.accounts_lock_or_create.account_get")
    phases.wrap(wallet_payouts, "_guard", "payout_post.balance_guard")
    phases.wrap(ledger, "transfer_create", "payout_post.transfer_create")
    phases.wrap(ledger, "post_legs", "payout_post.transfer_create.post_legs")
    phases.wrap(selectors, "holder_name_score", "payout_blockers_many.holder_name_score")
    phases.wrap(runs, "_totals", "totals")
    phases.wrap(runs, "run_counts", "status_counts")
    started = time.perf_counter()
    try:
        run, created = runs.payout_run_create(actor=finance, period_end=end)
    finally:
        elapsed = time.perf_counter() - started
        phases.restore()
    assert created, "a run for this period already existed"
    return run, elapsed, phases.report(elapsed)


def timed_send(finance: Any, run: Any) -> tuple[Any, float, dict[str, float], str]:
    from stagedoor.core.errors import ApplicationError
    from stagedoor.payouts.models import PayoutFile
    from stagedoor.payouts.services import runs

    runs.payout_run_approve(actor=finance, run_id=run.pk)
    phases = Phases()
    phases.wrap(runs, "_line", "lines_and_decrypt")
    phases.wrap(runs, "sepa_credit_transfer", "pain001_build")
    phases.wrap(runs, "validate_pain001", "pain001_validate")
    phases.wrap(PayoutFile.objects, "create", "file_store")
    error = ""
    started = time.perf_counter()
    try:
        run = runs.payout_run_send(actor=finance, run_id=run.pk)
    except ApplicationError as exc:
        error = f"{exc.code}: {exc.message}"
    except Exception as exc:  # a database refusing the send's query is a finding, reported, not a crash
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        elapsed = time.perf_counter() - started
        phases.restore()
    return run, elapsed, phases.report(elapsed), error


# --------------------------------------------------------------------------- what is owed, from the raw rows

EARNED = """SELECT e.account_id, a.owner_id,
  SUM(e.amount) FILTER (WHERE e.created_at < %(end)s),
  SUM(e.amount),
  SUM(e.amount) FILTER (WHERE e.created_at < %(end)s AND e.created_at >= %(end)s - make_interval(days =>
    CASE WHEN t.kind IN ('charge', 'hold_capture') THEN CASE t.data->>'item'
      WHEN 'show_minute' THEN %(shows)s WHEN 'show_ticket' THEN %(shows)s WHEN 'show_hold' THEN %(shows)s
      WHEN 'fanclub' THEN %(fan_clubs)s WHEN 'message' THEN %(messages)s WHEN 'unlock' THEN %(messages)s
      ELSE %(tips)s END ELSE %(tips)s END))
FROM wallet_ledgerentry e JOIN wallet_ledgertransfer t ON t.id = e.transfer_id
JOIN wallet_ledgeraccount a ON a.id = e.account_id
WHERE a.kind = 'performer_earnings' AND t.kind <> ALL(%(payout_kinds)s) GROUP BY e.account_id, a.owner_id"""

MOVED = """SELECT e.account_id, SUM(e.amount) FROM wallet_ledgerentry e
JOIN wallet_ledgertransfer t ON t.id = e.transfer_id JOIN wallet_ledgeraccount a ON a.id = e.account_id
WHERE a.kind = 'performer_earnings' AND t.kind = ANY(%(payout_kinds)s) AND t.id <> %(run_transfer)s
GROUP BY e.account_id"""


def owed_at(end: datetime, run_transfer: str) -> dict[str, int]:
    """Performer → payable at `end` before the run's own move: earned before the end, minus what each product's
    hold days still hold (never below nothing), plus payout moves so far; never more than earnings hold."""
    from django.db import connection

    params = {"end": end, "payout_kinds": PAYOUT_KINDS, "run_transfer": run_transfer or "-", **HOLD_DAYS}
    with connection.cursor() as cursor:
        cursor.execute(MOVED, params)
        moved = {str(a): int(s) for a, s in cursor.fetchall()}
        cursor.execute(EARNED, params)
        rows = cursor.fetchall()
    owed = {}
    for account, owner, before, ever, held in rows:
        m = moved.get(str(account), 0)
        value = max(0, min(int(before or 0) + m - max(0, int(held or 0)), int(ever or 0) + m))
        if value:
            owed[str(owner)] = value
    return owed


def run_mismatches(run: Any) -> list[str]:
    from django.db.models import Sum

    from stagedoor.payouts.models import PayoutItem
    from stagedoor.wallet.models import LedgerEntry

    owed = owed_at(run.period_end, run.transfer_id)
    items = {str(i.performer_id): i for i in PayoutItem.objects.filter(run=run)}
    wrong = []
    for pid in sorted(set(owed) | set(items)):
        item = items.get(pid)
        want = owed.get(pid, 0)
        if item is None or item.matured_tokens != want:
            wrong.append(f"performer {pid}: line {item.matured_tokens if item else None} != owed {want}")
        elif item.status in ("pending", "sent", "paid") and (
            item.amount_tokens + item.reserve_tokens != want
            or item.reserve_tokens != want * RESERVE_BP // 10_000
            or item.amount_minor != item.amount_tokens * RATE_MINOR
        ):
            wrong.append(f"performer {pid}: paid {item.amount_tokens} + reserve {item.reserve_tokens} != owed {want}")
    moved_out = -int(
        LedgerEntry.objects.filter(transfer_id=run.transfer_id, amount__lt=0).aggregate(s=Sum("amount"))["s"] or 0
    )
    paid_lines = sum(i.amount_tokens + i.reserve_tokens for i in items.values() if i.status in ("pending", "sent"))
    if moved_out != paid_lines:
        wrong.append(f"run transfer moved {moved_out} out of earnings, its lines say {paid_lines}")
    return wrong


# --------------------------------------------------------------------------- the dashboard over HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sessions_for(performer_ids: list[str], count: int) -> list[str]:
    """Signed-in sessions (two-factor set up, entry consent given) for `count` performers: their cookie values."""
    import pyotp
    from django.conf import settings
    from django.test import Client

    from stagedoor.accounts.models import User
    from stagedoor.accounts.services import entry_consent_record

    cookies = []
    for user in User.objects.filter(pk__in=random.Random(7).sample(performer_ids, min(count, len(performer_ids)))):
        user.totp_secret = pyotp.random_base32()
        user.mfa_enabled = True
        user.save(update_fields=["totp_secret", "mfa_enabled"])
        entry_consent_record(
            user=user, session_key="", age_confirmed=True, terms_accepted=True, ip="127.0.0.1", user_agent="bench"
        )
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def _busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _proc_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return 0
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dashboard_load(port: int, cookies: list[str], *, clients: int, seconds: float, server_pid: int) -> dict[str, Any]:
    import httpx
    from django.conf import settings

    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    begin = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(n: int) -> None:
        rng = random.Random(100 + n)
        mine: list[float] = []
        bad: dict[str, int] = defaultdict(int)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for cookie in cookies[n::clients][:3]:  # warm-up: not counted
                http.get("/studio/dashboard", cookies={settings.SESSION_COOKIE_NAME: cookie})
            begin.wait()
            while time.time() < stop_at[0]:
                started = time.perf_counter()
                try:
                    response = http.get(
                        "/studio/dashboard", cookies={settings.SESSION_COOKIE_NAME: rng.choice(cookies)}
                    )
                    ok = response.status_code == 200 and b"Dashboard" in response.content
                    key = "" if ok else f"status_{response.status_code}"
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                if key:
                    bad[key] += 1
                else:
                    mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            for k, v in bad.items():
                errors[k] += v

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.time() + seconds + 60  # set properly once everyone is warm
    begin.wait()
    stop_at[0] = time.time() + seconds
    cpu0, wall0 = time.process_time(), time.perf_counter()
    busy0, total0 = _busy()
    server0 = _proc_ticks(server_pid)
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall0
    busy1, total1 = _busy()
    tick = os.sysconf("SC_CLK_TCK")
    return {
        "requests": len(latencies),
        "errors": dict(errors),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(pct(latencies, 0.50), 1),
        "p95_ms": round(pct(latencies, 0.95), 1),
        "p99_ms": round(pct(latencies, 0.99), 1),
        "client_cpu_pct": round(100 * (time.process_time() - cpu0) / wall, 1),
        "server_cpu_pct": round(100 * (_proc_ticks(server_pid) - server0) / tick / wall, 1),
        "machine_busy_pct": round(100 * (busy1 - busy0) / max(1, total1 - total0), 1),
        "cores": os.cpu_count() or 1,
    }


def start_web(db_url: str, var_dir: str) -> tuple[subprocess.Popen[bytes], int]:
    import httpx

    port = free_port()
    env = dict(os.environ, **bench_env(db_url, var_dir))
    server = subprocess.Popen(
        [sys.executable, "-m", "stagedoor.cli", "web", "--host", "127.0.0.1", "--port", str(port)],
        env=env,  # PYTHONPATH (a private copy of the source) is passed on with the rest
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"stagedoor web exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, port
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("stagedoor web did not start")


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--performers", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=4, help="dashboard client threads")
    parser.add_argument("--seconds", type=float, default=20.0, help="dashboard load duration")
    parser.add_argument("--sessions", type=int, default=200, help="signed-in performers the clients use")
    args = parser.parse_args()
    url = os.environ.get("STAGEDOOR_DATABASE_URL", "")
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        sys.exit("bench/payouts.py needs STAGEDOOR_DATABASE_URL=postgres://…")
    viewers = max(50, args.performers // 5)
    name = f"stagedoor_paybench_{os.getpid()}"
    db_url = with_database(url, name)
    var_dir = tempfile.mkdtemp(prefix="stagedoor-paybench-")
    admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin(url, f'CREATE DATABASE "{name}"')
    result: dict[str, Any] = {}
    server: subprocess.Popen[bytes] | None = None
    try:
        django_setup(db_url, var_dir)
        import pyotp
        from django.core.management import call_command
        from django.db import connections

        from stagedoor.accounts.models import User
        from stagedoor.analytics.services import ledger_rollup
        from stagedoor.payouts.models import PayoutItem
        from stagedoor.payouts.services import period_of

        call_command("migrate", verbosity=0)
        clock = time.perf_counter()
        ids = setup_people(args.performers, viewers)
        people_s = time.perf_counter() - clock
        log(f"{args.performers} performers, {viewers} viewers in {people_s:.1f}s")
        _start, end = period_of(datetime.now(UTC))
        clock = time.perf_counter()
        written = setup_ledger(
            entries=args.entries, viewers=viewers, start=end - timedelta(days=SPAN_DAYS), end=end, ids=ids
        )
        ledger_s = time.perf_counter() - clock
        log(f"ledger: {written} in {ledger_s:.1f}s")
        clock = time.perf_counter()
        before = ledger_problems()
        verify_s = time.perf_counter() - clock
        log(f"ledger verify before the run: {len(before)} problems in {verify_s:.1f}s")
        finance = User.objects.create_user(
            "pb-finance", "pb-finance@bench.test", "bench-password-123456", role="finance"
        )
        finance.totp_secret, finance.mfa_enabled = pyotp.random_base32(), True  # staff act with two-factor on
        finance.save(update_fields=["totp_secret", "mfa_enabled"])

        run, run_s, run_phases = timed_create(finance, end)
        counts: dict[str, int] = defaultdict(int)
        for status in PayoutItem.objects.filter(run=run).values_list("status", flat=True):
            counts[str(status)] += 1
        log(f"payout_run_create: {run_s:.2f}s {dict(counts)} phases {run_phases}")
        mismatches = run_mismatches(run)
        for line in mismatches[:10]:
            log(f"MISMATCH {line}")
        run, send_s, send_phases, send_error = timed_send(finance, run)
        log(f"payout_run_send: {send_s:.2f}s phases {send_phases} {send_error or 'ok'}")
        clock = time.perf_counter()
        after = ledger_problems()
        verify_after_s = time.perf_counter() - clock
        for line in after[:10]:
            log(f"VIOLATION {line}")

        clock = time.perf_counter()
        folded = ledger_rollup()
        rollup_s = time.perf_counter() - clock
        log(f"analytics roll-up: {folded} entries in {rollup_s:.1f}s")
        cookies = sessions_for(ids["performers"], args.sessions)
        connections.close_all()
        server, port = start_web(db_url, var_dir)
        load = dashboard_load(port, cookies, clients=args.clients, seconds=args.seconds, server_pid=server.pid)
        log(f"dashboard: {load}")

        result = {
            "payout_run_s": round(run_s, 2),
            "send_s": round(send_s, 2),
            "dashboard_p95_ms": load["p95_ms"],
            "invariant_violations": len(after) + len(mismatches) + len(before),
            "ledger_problems_before": len(before),
            "ledger_problems_after": len(after),
            "line_mismatches": len(mismatches),
            "send_error": send_error,
            "run_phases_s": run_phases,
            "send_phases_s": send_phases,
            "run_lines": dict(counts),
            "sepa_lines": int(run.files.filter(kind="sepa").values_list("lines", flat=True).first() or 0),
            "run_total_tokens": run.total_tokens,
            "dashboard": load,
            "performers": args.performers,
            "viewers": viewers,
            "entries": written["entries"],
            "pending_deltas": written["pending_deltas"],
            "setup_people_s": round(people_s, 1),
            "setup_ledger_s": round(ledger_s, 1),
            "ledger_verify_s": round(verify_s, 1),
            "ledger_verify_after_s": round(verify_after_s, 1),
            "analytics_rollup_s": round(rollup_s, 1),
            "analytics_rollup_entries": folded,
            "clients": args.clients,
            "seconds": args.seconds,
            "sessions": len(cookies),
            "source": os.environ.get("PYTHONPATH") or str(ROOT / "src"),
        }
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
