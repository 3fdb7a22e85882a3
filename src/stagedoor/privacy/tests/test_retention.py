"""Retention: a dry run reports and changes nothing; a real run deletes or anonymises what is past its period,
skips held accounts, and is audited; the command prints the report."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from stagedoor.chat.models import ChatMessage
from stagedoor.core.ids import new_id
from stagedoor.core.models import AuditEntry
from stagedoor.privacy import services
from stagedoor.rooms.services import room_for_performer

pytestmark = pytest.mark.django_db


def _line(room: Any, user: Any, *, days_ago: int, text: str, status: str = "visible") -> ChatMessage:
    return ChatMessage.objects.create(
        id=new_id(),
        room=room,
        user=user,
        login=user.login,
        role=user.role,
        text=text,
        status=status,
        ip="203.0.113.9",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def chat_history(make_user: Any) -> dict[str, Any]:
    performer = make_user("performer")
    room = room_for_performer(performer=performer)
    alice, bob = make_user("viewer", login="alice_r"), make_user("viewer", login="bob_r")
    return {
        "old_alice": _line(room, alice, days_ago=200, text="old alice"),
        "old_bob": _line(room, bob, days_ago=200, text="old bob"),
        "old_blocked": _line(room, alice, days_ago=200, text="blocked line", status="blocked"),
        "mid": _line(room, alice, days_ago=45, text="mid alice"),
        "new": _line(room, alice, days_ago=1, text="new alice"),
        "alice": alice,
        "bob": bob,
    }


def _counts(report: Any) -> dict[str, int]:
    return {line.name: line.count for line in report.lines}


def test_dry_run_counts_and_changes_nothing(chat_history: dict[str, Any]) -> None:
    audit_before = AuditEntry.objects.count()
    report = services.retention_run(dry_run=True)
    counts = _counts(report)
    assert counts["chat.messages"] == 2  # the two visible lines older than 180 days; the blocked one is evidence
    assert counts["chat.ip"] == 4  # addresses older than 30 days (incl. the blocked line's)
    assert ChatMessage.objects.count() == 5
    assert ChatMessage.objects.filter(ip__isnull=True).count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_real_run_deletes_and_anonymises_and_skips_held_accounts(chat_history: dict[str, Any], make_user: Any) -> None:
    services.legal_hold_place(actor=make_user("compliance"), user=chat_history["bob"], reason="litigation hold 44")
    dry = _counts(services.retention_run(dry_run=True))
    report = services.retention_run(dry_run=False)
    counts = _counts(report)
    assert counts == dry  # the dry run said exactly what the real run did
    assert counts["chat.messages"] == 1  # bob is held: his old line stays
    assert report.held_users == 1
    remaining = set(ChatMessage.objects.values_list("text", flat=True))
    assert remaining == {"old bob", "blocked line", "mid alice", "new alice"}
    assert ChatMessage.objects.get(text="mid alice").ip is None
    assert ChatMessage.objects.get(text="new alice").ip == "203.0.113.9"
    assert ChatMessage.objects.get(text="old bob").ip == "203.0.113.9"
    entry = AuditEntry.objects.get(action="privacy.retention_run")
    assert entry.data["counts"]["chat.messages"] == 1
    # a second run finds nothing more
    assert _counts(services.retention_run(dry_run=False))["chat.messages"] == 0


def test_expired_sessions_go(db: None, settings: Any) -> None:
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(days=30))
    fresh = SessionStore()
    fresh.create()
    assert _counts(services.retention_run(dry_run=True))["accounts.sessions"] == 1
    services.retention_run(dry_run=False)
    assert list(Session.objects.values_list("pk", flat=True)) == [fresh.session_key]


def test_a_period_of_zero_keeps_everything(chat_history: dict[str, Any], settings: Any) -> None:
    from dataclasses import replace

    privacy = replace(
        settings.STAGEDOOR.privacy, retention_days={**settings.STAGEDOOR.privacy.retention_days, "chat_messages": 0}
    )
    settings.STAGEDOOR = replace(settings.STAGEDOOR, privacy=privacy)
    report = services.retention_run(dry_run=False)
    line = next(line for line in report.lines if line.name == "chat.messages")
    assert (line.days, line.count, line.cutoff) == (0, 0, None)
    assert ChatMessage.objects.count() == 5


def test_the_command(chat_history: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("privacy", "retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.startswith("DRY RUN")
    assert "chat.messages" in text and "would delete       2" in text
    assert ChatMessage.objects.count() == 5
    out = io.StringIO()
    call_command("privacy", "retention", "--json", stdout=out)
    data = json.loads(out.getvalue().splitlines()[-1])
    assert data["dry_run"] is False and data["counts"]["chat.messages"] == 2
    assert ChatMessage.objects.count() == 3


def test_a_hold_on_a_case_keeps_its_subject_s_data(chat_history: dict[str, Any], make_user: Any) -> None:
    from stagedoor.moderation.models import Case

    case = Case.objects.create(
        source=Case.Source.STAFF,
        category="spam",
        severity="low",
        severity_rank=1,
        subject=chat_history["alice"],
        due_at=timezone.now(),
    )
    services.legal_hold_place(
        actor=make_user("compliance"), target_type="moderation.case", target_id=case.pk, reason="police request 9"
    )
    report = services.retention_run(dry_run=False)
    assert _counts(report)["chat.messages"] == 1  # bob's old line; alice is the held case's subject
    assert report.held_users == 1
    assert set(ChatMessage.objects.values_list("text", flat=True)) >= {"old alice", "mid alice"}
