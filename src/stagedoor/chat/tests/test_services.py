"""Chat services against the database: message persistence, chat hosts, restrictions under races."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from stagedoor.chat import selectors, services
from stagedoor.chat.models import ChatHost, ChatMessage, ChatModerationAction, ChatRestriction
from stagedoor.chat.pipeline.sink import ChatRecord, DeletionRecord
from stagedoor.conftest import skip_or_fail


def test_messages_written_in_batches_and_deleted(api_client: Any, make_user: Any, room: Any) -> None:
    u = make_user("viewer")
    recs = [
        ChatRecord(
            message_id=f"01TESTMSG{i:017d}",
            room=room.slug,
            seq=i,
            user_id=str(u.pk),
            login=u.login,
            role="viewer",
            text=f"t{i}",
            ts=1_700_000_000_000 + i,
        )
        for i in range(1, 6)
    ]
    assert services.chat_messages_write(records=recs, deletions=[]) == 5
    assert services.chat_messages_write(records=recs[:2], deletions=[]) == 2  # retried batch: no duplicates
    assert ChatMessage.objects.filter(room=room).count() == 5
    services.chat_messages_write(
        records=[], deletions=[DeletionRecord(room.slug, (recs[0].message_id,), str(room.performer.pk), 1)]
    )
    assert ChatMessage.objects.get(pk=recs[0].message_id).status == "deleted"
    listed = api_client().get(f"/api/v1/chat/rooms/{room.slug}/messages")
    assert [m["text"] for m in listed.json()] == ["t2", "t3", "t4", "t5"]
    assert selectors.chat_recent_message_ids(room, str(u.pk), within=timedelta(days=36500)) != []


def test_hosts_only_by_performer(make_user: Any, room: Any) -> None:
    from stagedoor.chat.errors import ChatForbidden

    other = make_user("viewer")
    with pytest.raises(ChatForbidden):
        services.chat_host_add(actor=other, room=room, user=other)
    services.chat_host_add(actor=room.performer, room=room, user=other)
    assert ChatHost.objects.filter(room=room, user=other).exists()
    assert services.chat_host_remove(actor=room.performer, room=room, user=other) is True


def _ban(actor: Any, room: Any, target: Any, reason: str) -> Any:
    from stagedoor.chat.moderation import ACTION_BAN, ModerationAction

    return ModerationAction(
        kind=ACTION_BAN,
        room=room.slug,
        actor_id=str(actor.pk),
        actor_login=actor.login,
        actor_role="moderator",
        target_user_id=str(target.pk),
        reason=reason,
    )


@pytest.mark.django_db(transaction=True)
def test_two_moderators_banning_at_once_leave_one_active_ban(make_user: Any, room: Any) -> None:
    """A commits its ban only after B's insert is waiting on A's row: B must not add a second
    active ban. The later action wins (B's ban is the active one, A's is lifted, both recorded)."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs concurrent writers: PostgreSQL (SQLite serialises every write)", need="postgres")
    target = make_user("viewer", login="raider")
    mod_a, mod_b = make_user("moderator", login="mod_a"), make_user("moderator", login="mod_b")
    a_written, release_a = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def as_a() -> None:
        try:
            with transaction.atomic():
                services.chat_action_record(action=_ban(mod_a, room, target, "first"))
                a_written.set()
                assert release_a.wait(20)
        except BaseException as exc:  # reported to the main thread
            failures.append(exc)
            a_written.set()
        finally:
            connection.close()

    def as_b() -> None:
        try:
            assert a_written.wait(20)
            services.chat_action_record(action=_ban(mod_b, room, target, "second"))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=as_a), threading.Thread(target=as_b)]
    for t in threads:
        t.start()
    try:
        _wait_for_a_lock_wait(deadline_s=20)
    finally:
        release_a.set()
        for t in threads:
            t.join(30)
    assert failures == []
    active = list(ChatRestriction.objects.filter(room=room, user=target, lifted_at__isnull=True))
    assert [(r.kind, r.reason, r.created_by_id) for r in active] == [("ban", "second", mod_b.pk)]
    assert ChatRestriction.objects.filter(room=room, user=target).count() == 2
    assert ChatModerationAction.objects.filter(room=room, action="ban").count() == 2
    assert selectors.chat_room_state(room).banned == {str(target.pk)}


def _wait_for_a_lock_wait(*, deadline_s: float) -> None:
    """Until another session of this database waits on a lock (B's insert behind A's row)."""
    import time

    end = time.monotonic() + deadline_s
    with connection.cursor() as cursor:
        while time.monotonic() < end:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            row = cursor.fetchone()
            if row is not None and row[0] > 0:
                return
            time.sleep(0.02)
    raise AssertionError("the second moderator's ban never waited on the first one's")
