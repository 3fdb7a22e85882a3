"""The people-facing pages: the room page's Report link, the report form, "your reports", "decisions about you"
with the statement of reasons and the appeal form, and a performer's view of decisions about their room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.chat.models import ChatMessage
from stagedoor.moderation import services
from stagedoor.moderation.models import Appeal, Case, Report
from stagedoor.web.tests.console_helpers import client_for

from .conftest import set_cases_config, write_message

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_report_a_message_from_the_room_page(room: Any, troll: Any, viewer: Any) -> None:
    message = write_message(room, troll, "you are worthless")
    client = client_for(viewer)
    room_page = client.get(f"/r/{room.slug}").content.decode()
    assert f'href="/report?room={room.slug}" data-testid="report-room"' in room_page
    form = client.get("/report", {"room": room.slug})
    html = form.content.decode()
    assert f'value="room:{room.pk}"' in html and f'value="user:{room.performer_id}"' in html
    assert f'value="message:{message.pk}"' in html and "tom_troll: you are worthless" in html
    sent = client.post(
        "/report",
        {"room": room.slug, "target": f"message:{message.pk}", "reason": "harassment", "text": "Aimed at me."},
        follow=True,
    )
    report = Report.objects.get()
    assert sent.redirect_chain == [(f"/reports#report-{report.pk}", 302)]
    assert _messages(sent) == ["Thank you. Your report reached our trust & safety team; see below what becomes of it."]
    assert (report.target_kind, report.target_id, report.reason, report.text) == (
        "message",
        message.pk,
        "harassment",
        "Aimed at me.",
    )
    assert 'data-testid="my-report" data-status="open"' in sent.content.decode()
    # the performer sees no Report link in their own room
    assert 'data-testid="report-room"' not in client_for(room.performer).get(f"/r/{room.slug}").content.decode()


def test_report_form_refusals_are_messages(settings: Any, room: Any, troll: Any, viewer: Any) -> None:
    set_cases_config(settings, reports_per_hour=1)
    first = write_message(room, troll, "one")
    second = write_message(room, troll, "two")
    client = client_for(viewer)
    client.post("/report", {"room": room.slug, "target": f"message:{first.pk}", "reason": "spam"}, follow=True)
    flood = client.post("/report", {"room": room.slug, "target": f"message:{second.pk}", "reason": "spam"})
    assert flood.status_code == 200
    assert _messages(flood) == ["You have sent many reports in the last hour. Please wait before sending more."]
    odd = client.post("/report", {"room": room.slug, "target": "message:01NOPE", "reason": "bogus"})
    assert _messages(odd) == ["Choose what you report and why."]
    assert Report.objects.count() == 1
    assert client_for(None).get("/report").status_code == 302  # signed-in people only


def test_decisions_page_shows_the_statement_and_takes_one_appeal(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, troll: Any, room: Any
) -> None:
    _, case = report_case("you are worthless", "harassment")
    decision = services.case_decide(
        actor=moderator, case_id=case.pk, policy_code="HAR-1", action="delete_message", note="Aimed at a viewer."
    )
    client = client_for(troll)
    html = client.get("/decisions").content.decode()
    assert f'id="decision-{decision.pk}" data-testid="decision" data-action="delete_message"' in html
    assert f"Your chat message in room &#x27;{room.slug}&#x27; was removed." in html
    assert "another user reported it. Aimed at a viewer." in html
    assert "Terms: Stagedoor Terms of Service §4.7 (respect)." in html
    assert 'data-testid="appeal-form"' in html
    appealed = client.post(f"/decisions/{decision.pk}/appeal", {"text": "It was a film quote."}, follow=True)
    assert _messages(appealed) == ["Your appeal is filed. A moderator who did not take the decision will review it."]
    assert 'data-testid="appeal-status"' in appealed.content.decode() and "under review" in appealed.content.decode()
    again = client.post(f"/decisions/{decision.pk}/appeal", {"text": "Again"}, follow=True)
    assert _messages(again) == ["This decision was already appealed; each decision can be appealed once."]
    assert Appeal.objects.count() == 1


def test_a_performer_sees_decisions_about_their_room(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, room: Any, viewer: Any
) -> None:
    _, case = report_case("spam spam", "spam")
    services.case_decide(actor=moderator, case_id=case.pk, policy_code="SPAM-1", action="ban_from_room")
    html = client_for(room.performer).get("/decisions").content.decode()
    assert 'data-testid="room-decisions"' in html and "tom_troll" in html and "Banned from the room" in html
    assert 'data-testid="no-decisions"' in html  # nothing restricts the performer themselves
    assert 'data-testid="room-decisions"' not in client_for(viewer).get("/decisions").content.decode()


def test_a_performer_sets_what_their_room_allows_from_the_studio(room: Any, viewer: Any) -> None:
    from stagedoor.core.models import AuditEntry
    from stagedoor.moderation.models import RoomContentPolicy

    client = client_for(room.performer)
    studio = client.get("/studio").content.decode()
    assert 'data-testid="content-policy"' in studio and 'name="non_nude"' in studio
    saved = client.post("/studio/content-policy", {"non_nude": "1", "restricted_regions": "de, us-tx"}, follow=True)
    assert saved.redirect_chain == [("/studio", 302)]
    assert _messages(saved) == ["Your room's content settings are saved."]
    policy = RoomContentPolicy.objects.get(room=room)
    assert (policy.non_nude, policy.restricted_regions) == (True, ["DE", "US-TX"])
    assert AuditEntry.objects.filter(action="moderation.room_policy_set", actor_id=room.performer.pk).count() == 1
    assert 'value="DE US-TX"' in client.get("/studio").content.decode()

    bad = client.post("/studio/content-policy", {"restricted_regions": "Germany!"}, follow=True)
    assert _messages(bad) == ["Use ISO 3166 codes such as DE or US-TX (at most 60)."]
    policy.refresh_from_db()
    assert (policy.non_nude, policy.restricted_regions) == (True, ["DE", "US-TX"])

    refused = client_for(viewer).post("/studio/content-policy", {"non_nude": "1"}, follow=True)
    assert _messages(refused) == ["Only performers have a room to set."]
    assert RoomContentPolicy.objects.count() == 1
