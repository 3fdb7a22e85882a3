"""SLAs over business hours and breach alerts; macros (placeholders, actions); suggestions by similarity; canned
OBS answers from the stream's own health warnings; the onboarding checklist; help article search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail

from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.payments.models import Purchase
from stagedoor.rooms.services import room_for_performer
from stagedoor.streaming.health import StreamHealth
from stagedoor.support import onboarding, selectors, services, sla
from stagedoor.support.models import Macro, Ticket, TicketMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]
MON_0900 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday


def test_business_minutes_skip_nights_and_weekends() -> None:
    weekdays = {1, 2, 3, 4, 5}
    assert sla.add_business_minutes(MON_0900, 60, hours=(8, 20), days=weekdays) == MON_0900 + timedelta(hours=1)
    # 12 business hours from Monday 09:00: 11 on Monday (to 20:00), 1 on Tuesday from 08:00
    assert sla.add_business_minutes(MON_0900, 12 * 60, hours=(8, 20), days=weekdays) == datetime(
        2026, 12, 1, 9, 0, tzinfo=UTC
    )
    friday_night = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
    assert sla.add_business_minutes(friday_night, 30, hours=(8, 20), days=weekdays) == datetime(
        2026, 12, 7, 8, 30, tzinfo=UTC
    )
    assert sla.add_business_minutes(MON_0900, 90, hours=(0, 24), days=range(1, 8)) == MON_0900 + timedelta(minutes=90)
    assert sla.countdown(MON_0900 + timedelta(minutes=85), MON_0900) == "in 1 h 25 min"
    assert sla.countdown(MON_0900 - timedelta(minutes=5), MON_0900) == "overdue by 5 min"


def test_sla_breaches_are_flagged_once_with_an_alert_to_the_queue(make_user: Any, committed: Any) -> None:
    agent = make_user("support_l1", login="agent_l1")
    finance = make_user("finance", login="money_person")  # specialists pick up tier-1 tickets too
    make_user("moderator")  # not support: not alerted
    ticket = services.ticket_open(
        requester=None,
        request=services.OpenRequest(subject="Help", body="Please", email="guest@example.test", category="technical"),
    )
    mail.outbox.clear()
    late = ticket.first_response_due + timedelta(minutes=1)
    assert committed(lambda: services.sla_sweep(now=late)) == 1
    assert committed(lambda: services.sla_sweep(now=late)) == 0
    ticket.refresh_from_db()
    assert ticket.first_response_breached and not ticket.resolution_breached
    [alert] = mail.outbox
    assert sorted(alert.to) == sorted([agent.email, finance.email]) and "first response" in alert.subject
    assert OutboxEvent.objects.filter(topic="support.sla_breached").count() == 1
    assert AuditEntry.objects.filter(action="support.sla_breached", target_id=ticket.pk).count() == 1
    assert committed(lambda: services.sla_sweep(now=ticket.resolution_due + timedelta(minutes=1))) == 1


def test_a_macro_fills_placeholders_and_runs_its_actions(make_user: Any, committed: Any) -> None:
    viewer = make_user("viewer", display_name="Mia")
    l2 = make_user("support_l2")
    Purchase.objects.create(
        buyer=viewer,
        tokens=250,
        price_minor=2499,
        currency="EUR",
        provider="sandbox",
        idempotency_key="m1",
        request_hash="x",
    )
    ticket = services.ticket_open(
        requester=viewer,
        request=services.OpenRequest(subject="Where are my tokens", body="Paid, no tokens", category="other"),
    )
    macro = Macro.objects.get(title="Tokens did not arrive")
    mail.outbox.clear()
    committed(lambda: services.macro_apply(actor=l2, ticket_id=ticket.pk, macro_id=macro.pk))
    ticket.refresh_from_db()
    reply = TicketMessage.objects.filter(ticket=ticket, author_kind="agent").get()
    assert reply.body.startswith("Hi Mia,")
    assert "250 tokens on" in reply.body and "Waiting for payment" in reply.body
    assert ticket.category == "billing"
    assert mail.outbox[0].to == [viewer.email]
    close = Macro.objects.get(title="Solved: close")
    services.macro_apply(actor=l2, ticket_id=ticket.pk, macro_id=close.pk)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert f"#{ticket.pk[-8:]}" in TicketMessage.objects.filter(ticket=ticket, author_kind="agent").last().body  # type: ignore[union-attr]
    assert set(AuditEntry.objects.filter(target_id=ticket.pk).values_list("action", flat=True)) >= {
        "support.macro", "support.reply", "support.categorise", "support.resolve",
    }  # fmt: skip


def test_a_macro_can_escalate(make_user: Any) -> None:
    viewer, l1 = make_user("viewer"), make_user("support_l1")
    ticket = services.ticket_open(
        requester=viewer,
        request=services.OpenRequest(subject="Refund please", body="I want a refund", category="other"),
    )
    services.macro_apply(
        actor=l1, ticket_id=ticket.pk, macro_id=Macro.objects.get(title="Refund request: to finance").pk
    )
    assert Ticket.objects.get(pk=ticket.pk).queue == "finance"


def test_suggestions_by_text_similarity(make_user: Any) -> None:
    viewer = make_user("viewer")
    ticket = services.ticket_open(
        requester=viewer,
        request=services.OpenRequest(
            subject="OBS stream stutters", body="My stream stutters, OBS shows dropped frames and bitrate drops"
        ),
    )
    found = selectors.suggestions_for(ticket)
    assert found.macros[0][0].title == "Stream stutters: OBS settings"
    assert found.articles[0][0].slug == "obs-setup"


def test_canned_obs_answers_come_from_the_streams_own_warnings(make_user: Any, monkeypatch: Any) -> None:
    performer = make_user("performer", display_name="Nova")
    room = room_for_performer(performer=performer)
    health = StreamHealth(
        room=room.slug, state="live", uptime_s=60, input_bitrate_kbps=9000, fps=30, keyframe_interval_s=8.0, width=1920,
        height=1080, video_codec="h264", audio_codec="aac", dropped_frames=0, encoder_speed=1.0, transcoder_restarts=0,
        warnings=[{"code": "keyframe_interval_too_long", "message": "…"}, {"code": "bitrate_over_cap", "message": "…"}],
    )  # fmt: skip
    # the live health is what the ingest reports (streaming.selectors.stream_health); here it is handed in
    monkeypatch.setattr(
        "stagedoor.streaming.selectors.stream_health", lambda slug: health if slug == room.slug else None
    )
    ticket = services.ticket_open(
        requester=performer, request=services.OpenRequest(subject="Stutter", body="Stutters", category="technical")
    )
    text = services.macro_render(Macro.objects.get(title="Stream stutters: OBS settings"), ticket)
    assert "Keyframe Interval: 2" in text and "Lower your bitrate" in text
    assert [code for code, _ in services.stream_advice(performer)] == ["keyframe_interval_too_long", "bitrate_over_cap"]
    monkeypatch.setattr("stagedoor.streaming.selectors.stream_health", lambda slug: None)
    assert services.productivity.NO_ADVICE in services.macro_render(
        Macro.objects.get(title="Stream stutters: OBS settings"), ticket
    )


def test_onboarding_checklist_follows_the_other_apps(make_user: Any) -> None:
    performer = make_user("performer")  # verified by the fixture
    room = room_for_performer(performer=performer)
    checklist = onboarding.checklist_for(performer)
    assert [(s.key, s.done) for s in checklist.steps] == [
        ("verify", True), ("payout", False), ("test_stream", False), ("tip_menu", False), ("schedule", False),
    ]  # fmt: skip
    from stagedoor.rooms.models import ScheduledShow
    from stagedoor.wallet.models import TipMenuItem

    TipMenuItem.objects.create(performer=performer, label="Dance", price=50)
    ScheduledShow.objects.create(room=room, starts_at=MON_0900 + timedelta(days=30))
    checklist = onboarding.checklist_for(performer)
    assert (checklist.done, checklist.percent, checklist.complete) == (3, 60, False)


def test_help_articles_search() -> None:
    assert [a.slug for a in selectors.articles_search("obs bitrate")][:1] == ["obs-setup"]
    assert selectors.articles_search("tokens")[0].slug == "buying-tokens"
    assert len(selectors.articles_search("")) == 6
