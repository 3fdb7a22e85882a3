"""The staff console's trust & safety sections render and act: the queue (SLA breaches, filters, take next, bulk),
the case page (evidence in context, media blurred until revealed, reveals counted), claims and decisions, the
break prompt, appeals, hash lists, the supervisor's page, and compliance's read-only records."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from stagedoor.chat.models import ChatMessage
from stagedoor.core.models import AuditEntry
from stagedoor.moderation import selectors, services
from stagedoor.moderation.models import Case, Decision, Exposure, HashEntry, HashList, ModeratorShift
from stagedoor.web.tests.console_helpers import client_for

from .conftest import set_cases_config
from .test_findings import HASH_A, HASH_B, synthetic_jpeg

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def frame_case(media_dir: Path, room: Any) -> Case:
    frame = services.evidence_frame_store(synthetic_jpeg(), captured_at=timezone.now())
    case, _ = services.case_open(
        source="frame_flag",
        category="room_policy",
        subject=room.performer,
        room=room,
        evidence={
            "frames": [frame],
            "flags": [{"category": "nudity_in_non_nude_room", "severity": "medium", "label": "X", "score": 0.9}],
        },
    )
    return case


def test_queue_shows_order_sla_breaches_and_filters(
    held: Callable[..., tuple[ChatMessage, Case]], report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any
) -> None:
    _, spam = report_case("BUY NOW", "spam")
    _, minor = held("what grade are you in? 14?", "minor_risk")
    late = timezone.now() - timedelta(minutes=30)
    Case.objects.filter(pk=minor.pk).update(created_at=late, due_at=late + timedelta(minutes=15))
    client = client_for(moderator)
    page = client.get("/staff/queue/")
    assert page.status_code == 200
    assert [r.case.pk for r in page.context["rows"]] == [minor.pk, spam.pk]
    html = page.content.decode()
    assert f'data-case="{minor.pk}" data-severity="critical" data-breached="true"' in html
    assert '<span class="sla-breached" data-testid="sla">15 min over</span>' in html
    assert 'data-testid="queue-counts">2 open · <span class="sla-breached">1 past SLA</span> · 1 critical<' in html
    filtered = client.get("/staff/queue/", {"source": "user_report"})
    assert [r.case.pk for r in filtered.context["rows"]] == [spam.pk]
    assert 'data-testid="blurb-queue">2 open, 1 past SLA<' in client.get("/staff/").content.decode()


def test_claim_decide_from_the_case_page(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any, troll: Any
) -> None:
    message, case = report_case("you are worthless", "harassment")
    client = client_for(moderator)
    page = client.get(f"/staff/queue/cases/{case.pk}/")
    html = page.content.decode()
    assert 'data-testid="target-message"' in html and "you are worthless" in html
    assert "<strong>harassment</strong> by vic" in html  # the report, with its reporter
    assert f'href="/staff/users/{troll.pk}/">tom_troll</a>' in html
    claimed = client.post(f"/staff/queue/cases/{case.pk}/claim", follow=True)
    assert _messages(claimed) == ["You hold this case now."]
    other = client_for(moderator2)
    refused = other.post(f"/staff/queue/cases/{case.pk}/claim", follow=True)
    assert len(_messages(refused)) == 1 and _messages(refused)[0].startswith("mona_mod holds this case")
    blocked = other.post(
        f"/staff/queue/cases/{case.pk}/decide", {"policy_code": "HAR-1", "action": "delete_message"}, follow=True
    )
    assert _messages(blocked)[0].startswith("mona_mod holds this case") and not Decision.objects.exists()
    wrong = client.post(
        f"/staff/queue/cases/{case.pk}/decide", {"policy_code": "OFF-1", "action": "suspend_account"}, follow=True
    )
    assert _messages(wrong)[0].startswith("OFF-1 (Payments and contact stay on the platform) allows: ")
    done = client.post(
        f"/staff/queue/cases/{case.pk}/decide",
        {"policy_code": "HAR-1", "action": "timeout", "timeout_minutes": "20", "note": "Insults."},
        follow=True,
    )
    assert done.redirect_chain == [("/staff/queue/", 302)]
    assert _messages(done) == ["Decided: Timed out of the room's chat under HAR-1."]
    decision = Decision.objects.get()
    assert (decision.duration_seconds, decision.note, decision.moderator_id) == (1200, "Insults.", moderator.pk)
    message.refresh_from_db()
    assert message.status == "visible"


def test_media_is_blurred_until_revealed_and_reveals_count(
    settings: Any, frame_case: Case, moderator: Any, moderator2: Any
) -> None:
    set_cases_config(settings, exposure_cap=1)
    item = frame_case.evidence["frames"][0]["item"]
    client = client_for(moderator)
    page = client.get(f"/staff/queue/cases/{frame_case.pk}/")
    html = page.content.decode()
    assert f'src="/staff/queue/cases/{frame_case.pk}/frames/{item}" alt=' in html and 'class="is-blurred"' in html
    assert Exposure.objects.filter(kind="viewed", case=frame_case).count() == 1  # opening a graphic case counts
    blurred = client.get(f"/staff/queue/cases/{frame_case.pk}/frames/{item}")
    assert (blurred["Content-Type"], blurred["X-Evidence-View"], blurred["Cache-Control"]) == (
        "image/jpeg",
        "blurred",
        "private, no-store",
    )
    assert Image.open(io.BytesIO(blurred.content)).mode == "L" and blurred.content != synthetic_jpeg()
    revealed = client.post(f"/staff/queue/cases/{frame_case.pk}/frames/{item}/reveal")
    assert revealed.status_code == 302
    original = client.get(f"/staff/queue/cases/{frame_case.pk}/frames/{item}")
    assert original["X-Evidence-View"] == "revealed" and original.content == synthetic_jpeg()
    [entry] = AuditEntry.objects.filter(action="moderation.media_revealed")
    assert (entry.actor_id, entry.target_id, entry.data) == (moderator.pk, frame_case.pk, {"item": item})
    queue = client.get("/staff/queue/").content.decode()
    assert 'data-testid="exposure-revealed">1<' in queue and 'data-testid="cap-reached"' in queue
    # another moderator still sees it blurred: reveals are personal
    assert (
        client_for(moderator2).get(f"/staff/queue/cases/{frame_case.pk}/frames/{item}")["X-Evidence-View"] == "blurred"
    )
    # the public playback route cannot reach evidence
    assert client.get(f"/live/x.y/.moderation-evidence/{frame_case.evidence['frames'][0]['path']}").status_code == 404


def test_take_next_bulk_and_the_break_prompt(
    settings: Any, report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any
) -> None:
    cases = [report_case(f"SPAM {i}", "spam")[1] for i in range(3)]
    client = client_for(moderator)
    taken = client.post("/staff/queue/next")
    assert taken["Location"] == f"/staff/queue/cases/{cases[0].pk}/"
    done = client.post(
        "/staff/queue/bulk",
        {"case": [c.pk for c in cases], "policy_code": "SPAM-1", "action": "delete_message"},
        follow=True,
    )
    assert _messages(done) == ["Decided 3 case(s)."]
    assert Decision.objects.filter(action="delete_message").count() == 3
    assert _messages(client.post("/staff/queue/next", follow=True)) == ["No case is waiting for you."]
    set_cases_config(settings, break_min=60)
    ModeratorShift.objects.filter(moderator=moderator).update(started_at=timezone.now() - timedelta(minutes=61))
    page = client.get("/staff/queue/").content.decode()
    assert 'data-testid="break-prompt"' in page and "reviewing for 61 minutes" in page
    client.post("/staff/queue/shift/break")
    assert 'data-testid="break-prompt"' not in client.get("/staff/queue/").content.decode()


def test_appeals_page_hides_your_own_decisions(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any, troll: Any
) -> None:
    message, case = report_case("you are worthless", "harassment")
    decision = services.case_decide(actor=moderator, case_id=case.pk, policy_code="HAR-1", action="delete_message")
    appeal = services.appeal_file(appellant=troll, decision_id=decision.pk, text="It was a quote.")
    mine = client_for(moderator).get("/staff/appeals/")
    assert mine.context["rows"] == [] and 'data-testid="appeals-empty"' in mine.content.decode()
    refused = client_for(moderator).post(f"/staff/appeals/{appeal.pk}/decide", {"outcome": "upheld"}, follow=True)
    assert _messages(refused) == ["A different moderator must review an appeal against your own decision."]
    other = client_for(moderator2)
    assert f'data-appeal="{appeal.pk}"' in other.get("/staff/appeals/").content.decode()
    upheld = other.post(f"/staff/appeals/{appeal.pk}/decide", {"outcome": "upheld", "note": "A quote."}, follow=True)
    assert _messages(upheld) == ["Appeal upheld: the decision is reversed."]
    message.refresh_from_db()
    assert message.status == "visible"


def test_hash_lists_create_upload_and_name_the_bad_line(make_user: Any) -> None:
    client = client_for(make_user("compliance"))
    created = client.post("/staff/hash-lists/", {"name": "known-bad", "kind": "prohibited"}, follow=True)
    hash_list = HashList.objects.get()
    assert created.redirect_chain == [(f"/staff/hash-lists/{hash_list.pk}/", 302)]
    assert _messages(created) == ["List known-bad created; upload its hashes."]
    good = io.BytesIO(f"{HASH_A},ref-1\n{HASH_B}\n".encode())
    good.name = "list.txt"
    loaded = client.post(f"/staff/hash-lists/{hash_list.pk}/upload", {"file": good}, follow=True)
    assert _messages(loaded) == ["Loaded 2 new hash(es); 0 were in the list already."]
    bad = io.BytesIO(f"{HASH_A}\n{HASH_B}\nzz-not-hex\n".encode())
    bad.name = "bad.txt"
    refused = client.post(f"/staff/hash-lists/{hash_list.pk}/upload", {"file": bad}, follow=True)
    assert _messages(refused) == ["Line 3: expected 64 hex digits (a PDQ hash), got 'zz-not-hex'."]
    assert HashEntry.objects.count() == 2
    page = client.get(f"/staff/hash-lists/{hash_list.pk}/").content.decode()
    assert HASH_A in page and "ref-1" in page
    assert client_for(make_user("moderator")).get("/staff/hash-lists/").status_code == 403


def test_supervisor_page_rebalances_and_moderators_cannot_open_it(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any, supervisor: Any
) -> None:
    _, case = report_case("hey", "spam")
    services.case_claim(actor=moderator, case_id=case.pk)
    client = client_for(supervisor)
    page = client.get("/staff/moderators/")
    html = page.content.decode()
    assert 'data-testid="moderator-mona_mod"' in html and 'data-testid="moderator-ada_admin"' not in html
    assert {r.moderator.login: r.holding for r in page.context["rows"]} == {"mona_mod": 1, "max_mod": 0}
    moved = client.post("/staff/moderators/reassign", {"case_id": case.pk, "moderator_id": moderator2.pk}, follow=True)
    assert _messages(moved) == [f"Case {case.pk} handed to max_mod."]
    back = client.post(f"/staff/moderators/{moderator2.pk}/release", follow=True)
    assert _messages(back) == ["1 case(s) back in the queue."]
    case.refresh_from_db()
    assert case.claimed_by_id is None
    assert client_for(moderator).get("/staff/moderators/").status_code == 403


def test_compliance_reads_records_without_revealing(frame_case: Case, make_user: Any) -> None:
    client = client_for(make_user("compliance"))
    listing = client.get("/staff/cases/")
    assert [c.pk for c in listing.context["rows"]] == [frame_case.pk]
    page = client.get(f"/staff/cases/{frame_case.pk}/").content.decode()
    item = frame_case.evidence["frames"][0]["item"]
    assert f"/staff/cases/{frame_case.pk}/frames/{item}" in page and "Reveal this frame" not in page
    assert 'data-testid="decide"' not in page
    assert client.get(f"/staff/cases/{frame_case.pk}/frames/{item}")["X-Evidence-View"] == "blurred"
    assert client.get("/staff/queue/").status_code == 403  # reading is not reviewing
    assert not Exposure.objects.exists() and selectors.shift_open(make_user("moderator")) is None
