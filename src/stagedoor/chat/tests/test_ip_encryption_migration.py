"""chat 0006: the sender's IP address of stored messages is encrypted at rest; existing plaintext rows are rewritten
as tokens by the migration (and back by its reverse)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from stagedoor.chat.models import ChatMessage
from stagedoor.rooms.services import room_for_performer

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("chat", "0005_alter_chatroomsettings_audience")]
AFTER = [("chat", "0006_chatmessage_ip_encrypted")]


def _raw_ips() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ip FROM chat_chatmessage ORDER BY id")
        return dict(cursor.fetchall())


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_addresses_are_encrypted_by_the_migration(make_user: Any) -> None:
    room = room_for_performer(performer=make_user("performer", login="migstar"))
    old_apps = _migrate(BEFORE)
    try:
        Old = old_apps.get_model("chat", "ChatMessage")
        now = timezone.now()
        for pk, ip in [("m1", "192.0.2.44"), ("m2", "2001:db8::7"), ("m3", None)]:
            Old.objects.create(id=pk, room_id=room.pk, login="fan", role="viewer", text="hi", ip=ip, created_at=now)
        assert _raw_ips() == {"m1": "192.0.2.44", "m2": "2001:db8::7", "m3": None}
    finally:
        _migrate(AFTER)

    raw = _raw_ips()
    assert raw["m1"].startswith("v1.") and raw["m2"].startswith("v1.") and raw["m3"] is None
    assert "192.0.2.44" not in raw["m1"]
    assert dict(ChatMessage.objects.values_list("id", "ip")) == {"m1": "192.0.2.44", "m2": "2001:db8::7", "m3": None}

    _migrate(BEFORE)  # the reverse decrypts
    try:
        assert _raw_ips() == {"m1": "192.0.2.44", "m2": "2001:db8::7", "m3": None}
    finally:
        _migrate(AFTER)
