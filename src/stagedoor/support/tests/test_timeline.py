"""The customer timeline: every app's provider contributes, merged newest first, paged; what each role may see
is enforced (L1: no documents, no payout method; payout details only ever masked)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.accounts.roles import role_has
from stagedoor.core.timeline import TimelineEntry, register_timeline_provider, timeline_for, timeline_providers
from stagedoor.moderation import services as moderation_services
from stagedoor.payments.models import Purchase
from stagedoor.payouts import details as payout_details
from stagedoor.payouts.models import PayoutMethod
from stagedoor.rooms.services import room_for_performer
from stagedoor.support import services
from stagedoor.verification.models import Broadcast
from stagedoor.wallet.tests.conftest import fund_wallet

pytestmark = pytest.mark.django_db
IBAN = "DE89370400440532013000"


@pytest.fixture
def nova(make_user: Any) -> Any:
    """A performer with a bit of everything: purchases, tips both ways, a ticket, a note, a payout method, a stream
    session and a moderation case."""
    nova = make_user("performer", login="nova")
    fan = make_user("viewer", login="fan")
    room = room_for_performer(performer=nova)
    fund_wallet(nova, 500)
    Purchase.objects.create(
        buyer=nova,
        tokens=200,
        price_minor=1999,
        currency="EUR",
        provider="sandbox",
        idempotency_key="tl-p",
        request_hash="x",
    )
    fund_wallet(fan, 500)
    from stagedoor.wallet import services as wallet_services

    wallet_services.tip_send(sender=fan, performer=nova, amount=25, idempotency_key="timeline-tip-1")
    services.ticket_open(
        requester=nova, request=services.OpenRequest(subject="Payout question", body="When?", category="other")
    )
    services.note_add(actor=make_user("support_l1"), subject_id=nova.pk, body="Prefers short answers")
    PayoutMethod.objects.create(
        performer=nova,
        version=1,
        kind=payout_details.SEPA,
        holder_name="Nova Star",
        details=json.dumps({"iban": IBAN, "bic": "COBADEFFXXX"}),
    )
    Broadcast.objects.create(
        room_id=room.pk,
        performer=nova,
        stage_name="Nova",
        started_at=timezone.now() - timedelta(hours=3),
        ended_at=timezone.now() - timedelta(hours=2),
    )
    moderation_services.case_open(source="staff", category="spam", subject=nova, evidence={})
    return nova


def sources_seen(role: str, subject: Any) -> set[str]:
    result = timeline_for(subject.pk, can=lambda perm: role_has(role, perm), limit=200)
    return {e.source for e in result.entries}


def test_every_provider_contributes_for_l2(nova: Any) -> None:
    result = timeline_for(nova.pk, can=lambda perm: role_has("support_l2", perm), limit=200)
    assert {e.source for e in result.entries} == {
        "account", "tickets", "notes", "onboarding", "payments", "wallet", "payouts", "moderation", "verification", "streaming",
    }  # fmt: skip
    assert result.hidden == ["documents"]
    times = [e.at for e in result.entries]
    assert times == sorted(times, reverse=True)
    [payout] = [e for e in result.entries if e.source == "payouts"]
    assert payout.detail == "DE89 •••• 3000"
    assert all(IBAN not in f"{e.title} {e.detail} {e.data}" for e in result.entries)
    [session] = [e for e in result.entries if e.kind == "stream.session"]
    assert session.title == "On air 60 min"


def test_l1_sees_no_payout_details_no_tips_and_no_documents(nova: Any) -> None:
    seen = sources_seen("support_l1", nova)
    assert {"payouts", "wallet", "documents"}.isdisjoint(seen)
    assert {"payments", "tickets", "moderation", "verification", "streaming"} <= seen


def test_compliance_sees_documents_but_not_purchases(nova: Any) -> None:
    result = timeline_for(nova.pk, can=lambda perm: role_has("compliance", perm), limit=200)
    assert "documents" in result.sources and "payments" in result.hidden


def test_the_api_says_what_is_hidden_and_pages(nova: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("support_l1", mfa=True))
    body = client.get(f"/api/v1/support/people/{nova.pk}/timeline?limit=3").json()
    assert len(body["entries"]) == 3 and body["next_before"] is not None
    assert set(body["hidden"]) == {"documents", "payouts", "shows", "wallet"}
    rest = client.get(
        f"/api/v1/support/people/{nova.pk}/timeline", {"limit": 200, "before": body["next_before"]}
    ).json()
    assert [e["at"] for e in rest["entries"]] == sorted([e["at"] for e in rest["entries"]], reverse=True)
    assert rest["entries"][0]["at"] < body["entries"][-1]["at"]
    missing = client.get("/api/v1/support/people/01AAAAAAAAAAAAAAAAAAAAAAAA/timeline")
    assert (missing.status_code, missing.json()["code"]) == (404, "support.ticket_not_found")


def test_a_failing_provider_is_reported_not_fatal(nova: Any) -> None:
    def broken(subject_id: str, before: Any, limit: int) -> list[TimelineEntry]:
        raise RuntimeError("database on fire")

    register_timeline_provider("zz_broken", broken, perm="support.agent")
    try:
        result = timeline_for(nova.pk, can=lambda perm: True)
        assert result.failed == ["zz_broken"] and result.entries
    finally:
        from stagedoor.core import timeline

        timeline._PROVIDERS.pop("zz_broken")
    assert "zz_broken" not in [p.name for p in timeline_providers()]


def test_stream_health_incidents_are_sampled_into_the_timeline(make_user: Any, monkeypatch: Any) -> None:
    from stagedoor.rooms.services import room_set_status
    from stagedoor.streaming.health import StreamHealth
    from stagedoor.support.models import StreamIncident

    nova = make_user("performer", login="nova_live")
    room = room_set_status(room=room_for_performer(performer=nova), status="live")
    warnings: list[dict[str, str]] = [{"code": "low_frame_rate", "message": "Your stream arrives at 12 fps."}]

    def health(slug: str) -> StreamHealth | None:
        if slug != room.slug:
            return None
        return StreamHealth(
            room=slug, state="live", uptime_s=90, input_bitrate_kbps=2500, fps=12, keyframe_interval_s=2.0, width=1280,
            height=720, video_codec="h264", audio_codec="aac", dropped_frames=0, encoder_speed=1.0, transcoder_restarts=0,
            warnings=list(warnings),
        )  # fmt: skip

    # the live health is what the ingest in this process reports (streaming.selectors.stream_health); handed in here
    monkeypatch.setattr("stagedoor.streaming.selectors.stream_health", health)
    start = timezone.now()
    assert services.stream_incidents_sample(now=start) == (1, 0)
    assert services.stream_incidents_sample(now=start + timedelta(seconds=15)) == (0, 0)  # still there: extended
    warnings.clear()
    assert services.stream_incidents_sample(now=start + timedelta(minutes=3)) == (0, 1)
    incident = StreamIncident.objects.get(performer=nova)
    assert (incident.code, incident.ended_at) == ("low_frame_rate", start + timedelta(minutes=3))
    result = timeline_for(nova.pk, can=lambda perm: role_has("support_l1", perm), limit=50)
    [entry] = [e for e in result.entries if e.kind == "stream.incident"]
    assert entry.title == "Health warning: low frame rate" and entry.detail == "Your stream arrives at 12 fps. · 3 min"
    [live] = [e for e in result.entries if e.kind == "stream.health"]
    assert live.detail == "no health warnings"
