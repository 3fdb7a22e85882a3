"""Trust & safety fixtures: a room with a performer, people of each role, chat messages (visible and held),
cases from each source, settings overrides, and an evidence folder under a temporary media directory."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from stagedoor.chat import services as chat_services
from stagedoor.chat.models import ChatMessage
from stagedoor.chat.pipeline.sink import STATUS_HELD, ChatRecord
from stagedoor.core.ids import new_id
from stagedoor.moderation import services
from stagedoor.moderation.models import Case

_seq = itertools.count(1)


def set_cases_config(settings: Any, **changes: Any) -> None:
    """Override `settings.STAGEDOOR.moderation_cases` fields for one test."""
    config = settings.STAGEDOOR
    settings.STAGEDOOR = replace(config, moderation_cases=replace(config.moderation_cases, **changes))


@pytest.fixture
def media_dir(settings: Any, tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    settings.STAGEDOOR = replace(settings.STAGEDOOR, media_dir=media)
    return media


@pytest.fixture
def room(make_user: Any) -> Any:
    from stagedoor.rooms.services import room_for_performer

    return room_for_performer(performer=make_user("performer", login="star", display_name="Star Nova"))


@pytest.fixture
def viewer(make_user: Any) -> Any:
    return make_user("viewer", login="vic")


@pytest.fixture
def troll(make_user: Any) -> Any:
    return make_user("viewer", login="tom_troll")


@pytest.fixture
def moderator(make_user: Any) -> Any:
    return make_user("moderator", login="mona_mod")


@pytest.fixture
def moderator2(make_user: Any) -> Any:
    return make_user("moderator", login="max_mod")


@pytest.fixture
def supervisor(make_user: Any) -> Any:
    return make_user("admin", login="ada_admin")


def write_message(room: Any, user: Any, text: str, *, held: str = "", ts_ms: int | None = None) -> ChatMessage:
    """A message stored the way the gateway's batch writer stores it (held when `held` names a reason)."""
    message_id = new_id()
    n = next(_seq)
    record = ChatRecord(
        message_id=message_id,
        room=room.slug,
        seq=None if held else n,
        user_id=str(user.pk),
        login=user.login,
        role=user.role,
        text=text,
        ts=ts_ms if ts_ms is not None else int(timezone.now().timestamp() * 1000) + n,
        status=STATUS_HELD if held else "visible",
        reason=held,
    )
    chat_services.chat_messages_write(records=[record], deletions=[])
    return ChatMessage.objects.get(pk=message_id)


@pytest.fixture
def held(
    room: Any, troll: Any, viewer: Any, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> Callable[..., tuple[ChatMessage, Case]]:
    """`held(text, reason)`: two messages of context, then a held one; the outbox opens its case."""

    def make(text: str = "send me a gift card code", reason: str = "scam") -> tuple[ChatMessage, Case]:
        write_message(room, viewer, "hello everyone")
        write_message(room, troll, "nice show")
        with django_capture_on_commit_callbacks(execute=True):
            message = write_message(room, troll, text, held=reason)
        case = Case.objects.get(message=message)
        return message, case

    return make


@pytest.fixture
def report_case(room: Any, troll: Any, viewer: Any) -> Callable[..., tuple[ChatMessage, Case]]:
    """`report_case(text, reason)`: a visible message by the troll, reported by the viewer."""

    def make(text: str = "you are worthless", reason: str = "harassment") -> tuple[ChatMessage, Case]:
        message = write_message(room, troll, text)
        report = services.report_file(reporter=viewer, target_kind="message", target_id=message.pk, reason=reason)
        assert report.case is not None
        return message, report.case

    return make


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Iterator[None]:
    with django_capture_on_commit_callbacks(execute=True):
        yield
