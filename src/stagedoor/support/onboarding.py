"""The performer onboarding checklist, computed from what the other apps hold (read-only):
verify identity (verification's standing), set up payout (a current payout method), test stream (the stream key
was used, or a broadcast happened), first tip menu (a tip menu item), schedule (a show on the schedule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stagedoor.payouts.models import PayoutMethod
from stagedoor.rooms.models import ScheduledShow
from stagedoor.streaming.models import StreamKey
from stagedoor.verification.models import Broadcast, PerformerStanding
from stagedoor.wallet.models import TipMenuItem


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    url: str
    help_slug: str = ""


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps)) if self.steps else 100


def checklist_for(user: Any) -> Checklist:
    uid = user.pk
    verified = PerformerStanding.objects.filter(user_id=uid).exists()
    payout = PayoutMethod.objects.filter(performer_id=uid, superseded_at__isnull=True).exists()
    streamed = (
        StreamKey.objects.filter(user_id=uid, last_used_at__isnull=False).exists()
        or Broadcast.objects.filter(performer_id=uid).exists()
    )
    menu = TipMenuItem.objects.filter(performer_id=uid).exists()
    scheduled = ScheduledShow.objects.filter(room__performer_id=uid).exists()
    return Checklist(
        steps=[
            Step("verify", "Verify your identity", verified, "/studio#verification", "verification"),
            Step("payout", "Set up your payout method", payout, "/studio#payouts", "getting-paid"),
            Step("test_stream", "Send a test stream from OBS", streamed, "/studio#streaming", "obs-setup"),
            Step("tip_menu", "Create your first tip menu item", menu, "/studio#tip-menu", ""),
            Step("schedule", "Put a show on your schedule", scheduled, "/studio#schedule", ""),
        ]
    )
