"""Badges and levels.

- `badge_award` gives a badge once per person, rule and period: the unique constraint decides, so a replayed tip
  event or two passes at once never give it twice.
- `level_recompute` recomputes a person's levels in full from the ledger and the broadcasts (never adds to them).
- `tip_awards` runs for every tip (an outbox handler): the sender's first-tip badge and their viewer level.
- `awards_pass` is the periodic job: levels of everyone whose wallet or earnings moved since the pass before
  last, performers whose broadcast ended, "100 hours live", contest winners once a contest is over, and last
  month's top supporters once the month is over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.community import levels, selectors
from stagedoor.community.events import BADGE_AWARDED
from stagedoor.community.models import AwardsCursor, BadgeAward, Contest, UserLevel
from stagedoor.core.outbox import outbox_publish
from stagedoor.verification.models import Broadcast
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry

log = logging.getLogger("stagedoor.community.awards")
LEDGER_CURSOR = "ledger"
SETTLE_GRACE = timedelta(minutes=2)  # a tip written just before a window's end may commit a moment after it
MONTH_GRACE = timedelta(minutes=10)
BATCH = 5_000


def badge_award(*, user_id: str, rule: str, period: str = "", scope_id: str = "") -> bool:
    """Give `rule`'s badge for `period` unless the person has it. True when given now."""
    if rule not in levels.BADGES:
        raise ValueError(f"unknown badge rule {rule!r}")
    if BadgeAward.objects.filter(user_id=user_id, rule=rule, period=period).exists():
        # The common case after every tip. Not left to the unique constraint: a failed INSERT rolls the transaction
        # back, and a rollback makes psycopg forget the statements it prepared on the connection (the tip's own).
        return False
    try:
        with transaction.atomic():
            BadgeAward.objects.create(user_id=user_id, rule=rule, period=period, scope_id=scope_id)
            outbox_publish(
                topic=BADGE_AWARDED, payload={"user_id": user_id, "rule": rule, "period": period, "scope_id": scope_id}
            )
    except IntegrityError:
        return False
    return True


def level_recompute(*, user_id: str, now: datetime | None = None) -> UserLevel:
    """Recompute the person's levels from scratch and store them; a performer with 100 hours gets the badge."""
    now = now or timezone.now()
    role = User.objects.filter(pk=user_id).values_list("role", flat=True).first()
    spent = selectors.tokens_spent(user_id)
    values: dict[str, Any] = {
        "tokens_spent": spent,
        "viewer_level": levels.viewer_level(spent),
        "computed_at": now,
        "seconds_streamed": 0,
        "tokens_earned": 0,
        "performer_level": 0,
    }
    if role == Role.PERFORMER:
        seconds, earned = selectors.seconds_streamed(user_id, now=now), selectors.tokens_earned(user_id)
        values.update(
            seconds_streamed=seconds, tokens_earned=earned, performer_level=levels.performer_level(seconds, earned)
        )
    level, _ = UserLevel.objects.update_or_create(user_id=user_id, defaults=values)
    if level.seconds_streamed >= levels.HOURS_BADGE_SECONDS:
        badge_award(user_id=user_id, rule=levels.HOURS_100)
    return level


def tip_awards(*, sender_id: str) -> None:
    """After a tip: the sender's "first tip" badge and their viewer level (their own wallet's entries only: cheap,
    whatever the performer's popularity; the performer's level follows in the periodic pass)."""
    badge_award(user_id=sender_id, rule=levels.FIRST_TIP)
    level_recompute(user_id=sender_id)


def contest_settle(*, contest: Contest, now: datetime | None = None) -> str | None:
    """Give the winner of an ended contest their badge and mark it settled. Returns the winner's id (None: nobody
    scored). Settling twice is harmless (the badge is once per contest)."""
    now = now or timezone.now()
    standings = selectors.leaderboard(contest, now=now, limit=1)
    winner = standings[0].performer_id if standings and standings[0].score > 0 else None
    with transaction.atomic():
        if winner is not None:
            badge_award(user_id=winner, rule=levels.CONTEST_WINNER, period=contest.pk, scope_id=contest.pk)
        Contest.objects.filter(pk=contest.pk, settled_at__isnull=True).update(settled_at=now)
    return winner


def top_supporters_award(*, month: str) -> int | None:
    """Give last month's top supporter of each performer their badge. None while the roll-up cannot say yet."""
    best = selectors.top_supporters(month)
    if best is None:
        return None
    given = 0
    for performer_id, (payer_id, _amount) in best.items():
        period = selectors.top_supporter_period(performer_id, month)
        given += badge_award(user_id=payer_id, rule=levels.TOP_SUPPORTER, period=period, scope_id=performer_id)
    return given


@dataclass
class PassTally:
    levels: int = 0
    contests: int = 0
    top_supporters: int = 0


def _touched_users(batch: int) -> tuple[set[str], int]:
    """Owners of wallets and earnings accounts with entries after the pass before last: the previous pass's
    entries are read again (one whose transaction committed late, with a lower id, is seen), then up to `batch`
    new ones. Returns the owners and the newest entry id read."""
    cursor, _ = AwardsCursor.objects.get_or_create(name=LEDGER_CURSOR)
    again = LedgerEntry.objects.filter(id__gt=cursor.prev_id, id__lte=cursor.last_id).values_list(
        "account_id", flat=True
    )
    fresh = list(
        LedgerEntry.objects.filter(id__gt=cursor.last_id).order_by("id").values_list("id", "account_id")[:batch]
    )
    account_ids = set(again[:batch]) | {account_id for _, account_id in fresh}
    owners = LedgerAccount.objects.filter(
        id__in=account_ids,
        kind__in=[AccountKind.VIEWER_WALLET, AccountKind.PERFORMER_EARNINGS],
        owner__isnull=False,
    ).values_list("owner_id", flat=True)
    return {str(o) for o in owners}, (fresh[-1][0] if fresh else cursor.last_id)


def awards_pass(*, now: datetime | None = None, batch: int = BATCH) -> PassTally:
    now = now or timezone.now()
    tally = PassTally()
    users, newest = _touched_users(batch)
    cursor = AwardsCursor.objects.get(name=LEDGER_CURSOR)
    since = cursor.last_run_at or (now - timedelta(hours=1))
    # performers whose broadcast ended since the last pass, or who are on air (their hours keep growing)
    users |= {
        str(pk)
        for pk in Broadcast.objects.filter(ended_at__isnull=True).values_list("performer_id", flat=True).distinct()
    }
    users |= {
        str(pk)
        for pk in Broadcast.objects.filter(ended_at__gte=since - SETTLE_GRACE)
        .values_list("performer_id", flat=True)
        .distinct()
    }
    for user_id in sorted(users):
        level_recompute(user_id=user_id, now=now)
        tally.levels += 1
    # the cursor moves once the levels are stored: a crash before this only means they are recomputed again
    cursor.prev_id, cursor.last_id = cursor.last_id, newest
    cursor.last_run_at = now
    cursor.save(update_fields=["prev_id", "last_id", "last_run_at"])

    for contest in Contest.objects.filter(
        settled_at__isnull=True, cancelled_at__isnull=True, ends_at__lte=now - SETTLE_GRACE
    ):
        contest_settle(contest=contest, now=now)
        tally.contests += 1

    month = selectors.previous_month(now)
    _start, month_end = selectors.month_bounds(month)
    marker = f"top:{month}"
    if now >= month_end + MONTH_GRACE and not AwardsCursor.objects.filter(name=marker).exists():
        given = top_supporters_award(month=month)
        if given is not None:
            AwardsCursor.objects.get_or_create(name=marker, defaults={"last_run_at": now})
            tally.top_supporters = given
    return tally
