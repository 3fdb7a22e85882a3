"""The tip hot path on PostgreSQL: the whole tip in ONE statement (one round trip, one commit).

`wallet.services.tips.tip_send` uses this on PostgreSQL and the ORM path (`ledger.transfer_create`)
elsewhere; both write exactly the same rows, and the PostgreSQL test run (ledger state machine, the
1,000-tip concurrency test, every tip test) exercises this one. Data-modifying CTEs run on one snapshot:

1. `acc` finds the three accounts; the performer's share comes resolved (`selectors.commission`, cached in
   process) as a parameter, and the performer's amount is rounded up like `tips.split`;
2. `debit` is the spend — `UPDATE … SET balance = balance - n WHERE id = wallet AND balance >= n` — and
   every later insert selects FROM it, so when the wallet is short nothing at all is written;
3. the transfer (its unique idempotency key is the retry guard: a duplicate aborts the whole statement,
   debit included), three entries summing to zero, the hot accounts' pending deltas (never their rows),
   the tip, and the `tip.sent` outbox event (same row `core.outbox.outbox_publish` writes; dispatched
   after commit the same way).

Outside a transaction the statement autocommits; inside one it runs in a savepoint.

The statement is sent with server-side binding and prepared once per connection: planning seven
CTEs took as long as running them (≈0.25 ms each on the bench machine), and parameters travel
separately instead of being quoted into the text. Behind PgBouncer in transaction mode this needs
PgBouncer ≥ 1.21 (`max_prepared_statements`), or psycopg's `prepare_threshold` set to None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection, transaction

from stagedoor.core import jobs
from stagedoor.core.models import OutboxEvent
from stagedoor.wallet.models import LedgerAccount, LedgerEntry, LedgerTransfer, PendingDelta, Tip


def _sql() -> str:
    acct = LedgerAccount._meta.db_table
    # Only our own table names are formatted in; every value is a bound parameter.
    return f"""
WITH acc AS (
    SELECT
        (SELECT id FROM {acct} WHERE kind = 'viewer_wallet' AND owner_id = %(sender)s) AS wallet,
        (SELECT id FROM {acct} WHERE kind = 'performer_earnings' AND owner_id = %(performer)s) AS earnings,
        (SELECT id FROM {acct} WHERE kind = 'platform_revenue' AND owner_id IS NULL) AS platform,
        %(share_bp)s::bigint AS share
),
debit AS (
    UPDATE {acct} AS a SET balance = a.balance - %(amount)s
    FROM acc
    WHERE a.id = acc.wallet AND a.balance >= %(amount)s AND acc.earnings IS NOT NULL AND acc.platform IS NOT NULL
    RETURNING acc.wallet, acc.earnings, acc.platform, ((%(amount)s * acc.share + 9999) / 10000)::bigint AS p_amt
),
transfer AS (
    INSERT INTO {LedgerTransfer._meta.db_table}
        (id, kind, idempotency_key, request_hash, reverses_id, memo, data, created_at)
    SELECT %(transfer_id)s, 'tip', %(key)s, %(hash)s, NULL, '', %(transfer_data)s::jsonb, %(now)s FROM debit
    RETURNING id
),
legs AS (
    SELECT d.wallet AS account_id, -%(amount)s::bigint AS amount, FALSE AS hot FROM debit d
    UNION ALL SELECT d.earnings, d.p_amt, TRUE FROM debit d
    UNION ALL SELECT d.platform, %(amount)s - d.p_amt, TRUE FROM debit d
),
entries AS (
    INSERT INTO {LedgerEntry._meta.db_table} (transfer_id, account_id, amount, created_at)
    SELECT t.id, l.account_id, l.amount, %(now)s FROM transfer t, legs l WHERE l.amount <> 0
),
deltas AS (
    INSERT INTO {PendingDelta._meta.db_table} (account_id, amount)
    SELECT l.account_id, l.amount FROM transfer t, legs l WHERE l.hot AND l.amount <> 0
),
tip AS (
    INSERT INTO {Tip._meta.db_table} (id, transfer_id, sender_id, performer_id, amount, performer_amount,
        platform_amount, message, anonymous, menu_item_id, menu_label, room_id, created_at)
    SELECT %(tip_id)s, t.id, %(sender)s, %(performer)s, %(amount)s, d.p_amt, %(amount)s - d.p_amt, %(message)s,
        %(anonymous)s, %(menu_item)s, %(menu_label)s, %(room)s, %(now)s
    FROM transfer t, debit d
    RETURNING performer_amount
),
outbox AS (
    INSERT INTO {OutboxEvent._meta.db_table} (id, topic, payload, created_at, dispatched_at, attempts, last_error)
    SELECT %(event_id)s, %(topic)s, %(payload)s::jsonb, %(now)s, NULL, 0, '' FROM transfer
)
SELECT (SELECT p_amt FROM debit), (SELECT earnings FROM debit), (SELECT platform FROM debit),
       acc.wallet IS NULL, acc.earnings IS NULL, acc.platform IS NULL
FROM acc
"""  # noqa: S608


SQL: str | None = None


@dataclass(frozen=True)
class FastTipResult:
    performer_amount: int | None  # None: nothing written
    earnings_id: str | None
    platform_id: str | None
    wallet_missing: bool
    earnings_missing: bool
    platform_missing: bool


def available() -> bool:
    return connection.vendor == "postgresql"


def tip_insert(params: dict[str, Any]) -> FastTipResult:
    """Run the statement. Raises IntegrityError when the idempotency key is taken."""
    global SQL
    if SQL is None:
        SQL = _sql()
    params = dict(params, transfer_data=json.dumps(params["transfer_data"]), payload=json.dumps(params["payload"]))

    def run() -> tuple[Any, ...]:
        connection.ensure_connection()
        # Django's cursors bind client-side (never prepared); this one binds on the server, and psycopg
        # prepares it after `prepare_threshold` runs on a connection. Django's wrapper keeps its error
        # translation, execute wrappers and query logging.
        raw: Any = psycopg.Cursor(connection.connection)  # the stubs say CursorWrapper; Django wraps raw cursors
        wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
        with wrapped as cursor:
            cursor.execute(SQL, params)
            row = cursor.fetchone()
        assert row is not None
        return tuple(row)

    if connection.in_atomic_block:
        with transaction.atomic():
            row = run()
    else:
        row = run()
    result = FastTipResult(
        performer_amount=row[0],
        earnings_id=row[1],
        platform_id=row[2],
        wallet_missing=bool(row[3]),
        earnings_missing=bool(row[4]),
        platform_missing=bool(row[5]),
    )
    if result.performer_amount is not None:
        event_id = params["event_id"]
        transaction.on_commit(lambda: jobs.enqueue("outbox.dispatch", event_id))
    return result
