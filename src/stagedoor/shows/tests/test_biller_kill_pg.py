"""The biller killed with SIGKILL mid-show, again and again, on PostgreSQL: no minute charged twice or
half-written, minutes contiguous, none starting while the biller was dead, the books balanced.

`stagedoor shows_biller` runs as a subprocess with 2-second minutes; the test keeps the viewers' pages
"open" (heartbeats) and kills/restarts the biller at random instants. Skipped on SQLite (a second process
needs a shared database server)."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from stagedoor.conftest import skip_or_fail
from stagedoor.shows import services
from stagedoor.shows.models import Participant, ParticipantRole, ParticipantStatus, Show, ShowMinute
from stagedoor.shows.tests.conftest import shows_settings
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet.models import LedgerTransfer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MINUTE_S = 2
KILLS = 5
FUNDS = 5000


def _biller(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("stagedoor")), "shows_biller", "--interval", "0.2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _ready(log: Path, starts: int) -> None:
    """Wait (heartbeating) until the `starts`-th biller says it runs: a kill then lands mid-billing, not in
    Django's start-up."""
    deadline = time.monotonic() + 60
    while log.read_text().count("shows biller running") < starts:
        assert time.monotonic() < deadline, f"the biller did not start: {log.read_text()[-2000:]}"
        _heartbeat_for(0.1)


def _heartbeat_for(seconds: float) -> None:
    """Keep every seat's page alive for `seconds` (the pages' heartbeats), polling, not sleeping blind."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for seat in Participant.objects.filter(status=ParticipantStatus.ACTIVE):
            services.participant_heartbeat(participant=seat)
        time.sleep(0.1)


def test_biller_survives_kill_9(
    settings: Any, tmp_path: Path, make_user: Callable[..., Any], viewer_with: Callable[[int], Any]
) -> None:
    if connection.vendor != "postgresql":
        skip_or_fail(
            "a separate biller process needs a shared database server (STAGEDOOR_DATABASE_URL)", need="postgres"
        )
    shows_settings(settings, minute_seconds=MINUTE_S)
    db = connection.settings_dict
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"STAGEDOOR_REDIS_URL", "STAGEDOOR_TEST_REDIS_URL"}
    }
    env.update(
        {
            "STAGEDOOR_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            # the same var dir: the same generated encryption keys (users' encrypted fields)
            "STAGEDOOR_VAR_DIR": str(settings.STAGEDOOR.var_dir),
            "STAGEDOOR_SECRET_KEY": settings.SECRET_KEY,
            "STAGEDOOR_SHOWS_MINUTE_SECONDS": str(MINUTE_S),
        }
    )
    from stagedoor.rooms.services import room_for_performer

    # a private show with a spy, and a group show of three
    private_performer, group_performer = make_user("performer"), make_user("performer")
    for performer in (private_performer, group_performer):
        room_for_performer(performer=performer)
    services.show_settings_update(performer=private_performer, private_rate=7, spy_enabled=True, spy_rate=6)
    services.show_settings_update(performer=group_performer, group_rate=9, group_minimum=3)
    viewers = [viewer_with(FUNDS) for _ in range(5)]
    private = services.private_request(viewer=viewers[0], performer=private_performer)
    services.private_accept(performer=private_performer, show_id=private.pk)
    services.spy_join(viewer=viewers[1], show_id=private.pk)
    group = services.group_open(performer=group_performer)
    for viewer in viewers[2:]:
        services.group_join(viewer=viewer, show_id=group.pk)
    assert Participant.objects.filter(status=ParticipantStatus.ACTIVE).count() == 5

    rng = random.Random(20261201)
    log = tmp_path / "biller.log"
    dead: list[tuple[datetime, datetime]] = []  # (killed, restarted) windows
    biller = _biller(env, log)
    try:
        for n in range(KILLS):
            _ready(log, n + 1)
            _heartbeat_for(rng.uniform(0.5, 3.0))
            assert biller.poll() is None, log.read_text()[-3000:]
            os.killpg(biller.pid, signal.SIGKILL)
            biller.wait()
            killed = timezone.now()
            _heartbeat_for(rng.uniform(0.3, 3.5))  # paid_until lapses during the longer windows
            dead.append((killed, timezone.now()))
            biller = _biller(env, log)
        _ready(log, KILLS + 1)
        _heartbeat_for(3 * MINUTE_S)
    finally:
        if biller.poll() is None:
            os.killpg(biller.pid, signal.SIGTERM)
            try:
                biller.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(biller.pid, signal.SIGKILL)
                biller.wait()
    for show in (private, group):
        services.show_end(performer=Show.objects.get(pk=show.pk).performer, show_id=show.pk)

    assert "pass failed" not in log.read_text(), log.read_text()[-3000:]  # no pass of a live biller failed
    seats = list(Participant.objects.select_related("hold").order_by("joined_at"))
    assert len(seats) == 5
    gaps = 0
    for seat in seats:
        minutes = list(ShowMinute.objects.filter(participant=seat).order_by("minute"))
        numbers = [m.minute for m in minutes]
        # contiguous 1..n, n as recorded on the seat, and (so) no (participant, minute) twice
        assert numbers == list(range(1, seat.minutes_billed + 1)), numbers
        assert seat.minutes_billed >= 3, f"{seat.pk} billed only {seat.minutes_billed} ({seat.leave_reason})"
        assert seat.paid_until == minutes[-1].ends_at
        for previous, minute in itertools.pairwise(minutes):
            assert minute.starts_at >= previous.ends_at, (previous.minute, minute.minute)
            gaps += minute.starts_at > previous.ends_at
        for minute in minutes:
            assert minute.ends_at - minute.starts_at == timedelta(seconds=MINUTE_S)
            assert minute.amount == seat.rate
            assert minute.starts_at >= minute.created_at, f"minute {minute.minute} back-dated"
            for killed, restarted in dead:
                assert not killed < minute.created_at < restarted, f"minute {minute.minute} billed by a dead biller"
        # every minute's ledger transfer exists exactly once, for the right amount
        assert seat.hold is not None
        first = LedgerTransfer.objects.get(idempotency_key=f"settle:{seat.hold.pk}")
        assert minutes[0].transfer_id == first.pk and first.data["amount"] == seat.rate
        for minute in minutes[1:]:
            charges = list(LedgerTransfer.objects.filter(idempotency_key=f"show:{seat.pk}:{minute.minute}"))
            assert len(charges) == 1 and charges[0].pk == minute.transfer_id
            assert charges[0].data["amount"] == seat.rate and charges[0].data["ref"] == seat.pk
        # no charge without its minute (a half-written minute would leave one)
        assert LedgerTransfer.objects.filter(data__item="show_minute", data__ref=seat.pk).count() == len(minutes) - 1
        assert wallet_selectors.wallet_balance(seat.user) == FUNDS - seat.rate * len(minutes)
        assert seat.role in (ParticipantRole.VIEWER, ParticipantRole.SPY)
    assert gaps >= 1, "no kill outlasted a paid minute: the resume rule was not exercised"
    call_command("ledger", "verify")  # raises CommandError on any problem
