"""The REST API end to end: a viewer reports, a moderator works the queue, the reported person sees the statement
of reasons and appeals, another moderator upholds it. Errors are `{code, message, extra}` and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.chat.models import ChatMessage
from stagedoor.moderation.models import Case, Decision, Report

from .conftest import set_cases_config, write_message
from .grid import GRID

pytestmark = pytest.mark.django_db


def test_report_queue_decide_appeal_over_http(
    api_client: Any, room: Any, troll: Any, viewer: Any, moderator: Any, moderator2: Any
) -> None:
    message = write_message(room, troll, "you are worthless")
    as_viewer = api_client(viewer)
    filed = as_viewer.post(
        "/api/v1/moderation/reports",
        {"target_kind": "message", "target_id": message.pk, "reason": "harassment", "text": "Targeted."},
        content_type="application/json",
    )
    assert filed.status_code == 201
    body = filed.json()
    assert (body["status"], body["target_kind"], body["reason"], body["outcome"]) == (
        "open",
        "message",
        "harassment",
        "",
    )

    as_mod = api_client(moderator)
    queue = as_mod.get("/api/v1/moderation/cases").json()
    [row] = queue
    case_id = row["id"]
    assert (row["source"], row["severity"], row["subject_id"], row["room"], row["breached"]) == (
        "user_report",
        "medium",
        troll.pk,
        room.slug,
        False,
    )
    assert 14_300 < row["sla_seconds_left"] <= 14_400
    detail = as_mod.get(f"/api/v1/moderation/cases/{case_id}").json()
    assert detail["evidence"]["message"]["text"] == "you are worthless"
    assert as_mod.post(f"/api/v1/moderation/cases/{case_id}/claim").json()["claimed_by"] == moderator.pk

    held = api_client(moderator2).post(f"/api/v1/moderation/cases/{case_id}/claim")
    assert held.status_code == 409 and held.json()["code"] == "moderation.case_held"
    unknown = as_mod.post(
        f"/api/v1/moderation/cases/{case_id}/decide",
        {"policy_code": "NOPE-1", "action": "delete_message"},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert unknown.json() == {
        "code": "moderation.unknown_policy",
        "message": "There is no policy 'NOPE-1'.",
        "extra": {"fields": {"policy_code": ["Unknown policy code."]}},
    }
    assert not Decision.objects.exists()

    decided = as_mod.post(
        f"/api/v1/moderation/cases/{case_id}/decide",
        {"policy_code": "HAR-1", "action": "delete_message", "note": "Insult aimed at another viewer."},
        content_type="application/json",
    )
    assert decided.status_code == 201
    decision = decided.json()
    assert (decision["action"], decision["policy_code"], decision["automated"], decision["enforcement"]) == (
        "delete_message",
        "HAR-1",
        False,
        {"message": "deleted"},
    )
    assert ChatMessage.objects.get(pk=message.pk).status == "deleted"
    [mine] = as_viewer.get("/api/v1/moderation/reports").json()
    assert (mine["status"], mine["outcome"]) == (
        "actioned",
        "Action taken: message removed under our policy 'Harassment and hate'.",
    )

    as_troll = api_client(troll)
    [about_me] = as_troll.get("/api/v1/moderation/decisions").json()
    assert (about_me["id"], about_me["action_title"], about_me["can_appeal"], about_me["appeal"]) == (
        decision["id"],
        "Message removed",
        True,
        None,
    )
    statement = about_me["statement"]
    assert statement["restriction"] == f"Your chat message in room '{room.slug}' was removed."
    assert statement["facts"].endswith("another user reported it. Insult aimed at another viewer.")
    assert (statement["automated_detection"], statement["automated_decision"]) == (False, False)
    assert as_viewer.get("/api/v1/moderation/decisions").json() == []

    appealed = as_troll.post(
        f"/api/v1/moderation/decisions/{decision['id']}/appeal",
        {"text": "It was a quote."},
        content_type="application/json",
    )
    assert appealed.status_code == 201 and appealed.json()["status"] == "open"
    twice = as_troll.post(
        f"/api/v1/moderation/decisions/{decision['id']}/appeal", {"text": "Again."}, content_type="application/json"
    )
    assert twice.status_code == 409 and twice.json()["code"] == "moderation.appeal_exists"
    others = as_viewer.post(
        f"/api/v1/moderation/decisions/{decision['id']}/appeal", {"text": "For them."}, content_type="application/json"
    )
    assert others.status_code == 404 and others.json()["code"] == "moderation.decision_not_found"

    appeal_id = appealed.json()["id"]
    own = as_mod.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decide", {"outcome": "upheld"}, content_type="application/json"
    )
    assert own.status_code == 403 and own.json()["code"] == "moderation.appeal_same_moderator"
    upheld = api_client(moderator2).post(
        f"/api/v1/moderation/appeals/{appeal_id}/decide",
        {"outcome": "upheld", "note": "A film quote."},
        content_type="application/json",
    )
    assert upheld.status_code == 200 and (upheld.json()["outcome"], upheld.json()["reviewer_note"]) == (
        "upheld",
        "A film quote.",
    )
    assert ChatMessage.objects.get(pk=message.pk).status == "visible"
    [after] = as_troll.get("/api/v1/moderation/decisions").json()
    assert (after["reversed"], after["can_appeal"], after["appeal"]["outcome"]) == (True, False, "upheld")


def test_report_flood_is_429_with_retry_after(
    settings: Any, api_client: Any, room: Any, troll: Any, viewer: Any
) -> None:
    set_cases_config(settings, reports_per_hour=2)
    client = api_client(viewer)
    codes = []
    for i in range(3):
        message = write_message(room, troll, f"spam {i}")
        response = client.post(
            "/api/v1/moderation/reports",
            {"target_kind": "message", "target_id": message.pk, "reason": "spam"},
            content_type="application/json",
        )
        codes.append(response.status_code)
    assert codes == [201, 201, 429]
    assert response.json()["code"] == "moderation.report_rate_limited" and response["Retry-After"] == "600"
    assert Report.objects.count() == 2 and Case.objects.count() == 2
    bad = client.post(
        "/api/v1/moderation/reports",
        {"target_kind": "message", "target_id": "x", "reason": "spam", "text": "y" * 2001},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_bulk_decide_over_http(api_client: Any, room: Any, troll: Any, viewer: Any, moderator: Any) -> None:
    from stagedoor.moderation import services

    ids = []
    for i in range(3):
        message = write_message(room, troll, f"FOLLOW MY PAGE {i}")
        ids.append(
            services.report_file(reporter=viewer, target_kind="message", target_id=message.pk, reason="spam").case_id
        )
    response = api_client(moderator).post(
        "/api/v1/moderation/cases/bulk-decide",
        {"case_ids": ids, "policy_code": "SPAM-1", "action": "delete_message"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert [d["case_id"] for d in body["decided"]] == ids and body["refused"] == {}
    assert len({d["id"] for d in body["decided"]}) == 3
    assert ChatMessage.objects.filter(status="deleted").count() == 3


def test_every_endpoint_is_in_the_grid() -> None:
    from stagedoor.api import api

    paths = {
        (method.upper(), path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method, operation in methods.items()
        if "moderation" in operation.get("tags", ())  # moderation's router (also /rooms/{slug}/chat-policy)
    }
    assert paths == set(GRID)
