"""`stagedoor keys status|rotate` and the start-up check for a lost key (core.keys), on real tables."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from stagedoor.core import keys
from stagedoor.core.crypto import keyring
from stagedoor.core.models import AuditEntry, EncryptionKeyInUse, KeyRotationProgress

pytestmark = pytest.mark.django_db

OLD = os.urandom(32)
NEW = os.urandom(32)


def use_keys(settings: Any, *pairs: tuple[str, bytes]) -> None:
    """Configure STAGEDOOR_ENCRYPTION_KEYS as these (id, key) pairs, the first active."""
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, encryption_keys=dict(pairs), active_key_id=pairs[0][0])


def raw(table: str, column: str, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test's own names
        return str(cursor.fetchone()[0])


@pytest.fixture
def old_key_rows(settings: Any, make_user: Callable[..., Any]) -> Iterator[dict[str, Any]]:
    """Users with TOTP secrets and chat messages with IP addresses, all written under the key `old`."""
    use_keys(settings, ("old", OLD))
    EncryptionKeyInUse.objects.all().delete()  # the test database was migrated under the test key
    EncryptionKeyInUse.objects.create(key_id="old")
    from stagedoor.chat.models import ChatMessage
    from stagedoor.rooms.services import room_for_performer

    users = [make_user("viewer", login=f"rotfan{i}", mfa=True) for i in range(7)]
    performer = make_user("performer", login="rotstar", mfa=False)  # with an approved identity (3 encrypted values)
    room = room_for_performer(performer=performer)
    now = timezone.now()
    ChatMessage.objects.bulk_create(
        [
            ChatMessage(
                id=f"msg{i:04d}",
                room=room,
                login="rotfan0",
                role="viewer",
                text="hi",
                ip=f"192.0.2.{i}",
                created_at=now,
            )
            for i in range(5)
        ]
    )
    yield {"users": users, "secrets": {u.pk: u.totp_secret for u in users}, "room": room}


def test_every_encrypted_column_is_found_through_the_app_registry() -> None:
    labels = {col.label for col in keys.token_columns()}
    assert {
        "accounts.user.totp_secret",
        "chat.chatmessage.ip",
        "fans.message.body",
        "fans.mediaitem.wrapped_key",
        "verification.verification.legal_name",
        "verification.document.wrapped_key",
        "payouts.payoutmethod.details",
        "moderation.case.evidence",
    } <= labels
    assert "accounts.user.login" not in labels


def test_status_counts_rows_per_key_id(settings: Any, old_key_rows: dict[str, Any]) -> None:
    use_keys(settings, ("new", NEW), ("old", OLD))
    user = old_key_rows["users"][0]
    user.totp_secret = "JBSWY3DPEHPK3PXP"  # re-enrolled: written under the active key
    user.save(update_fields=["totp_secret"])
    out = StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert "active key: new; configured: new, old" in text
    assert "accounts.user.totp_secret: new=1, old=6" in text
    assert "verification.verification.legal_name: old=1" in text
    assert "chat.chatmessage.ip: old=5" in text
    assert "fans.mediaitem.wrapped_key: no values" in text


def test_rotate_resumes_after_an_interruption_and_proves_every_row_moved(
    settings: Any, old_key_rows: dict[str, Any]
) -> None:
    use_keys(settings, ("new", NEW), ("old", OLD))
    with pytest.raises(CommandError, match="stopped after 2 batch"):
        call_command("keys", "rotate", "--batch-size", "2", "--max-batches", "2", stdout=StringIO())
    # the "crash": two batches of the first column with rows to move (the 8 accounts' e-mail addresses) are done
    # and recorded, the rest is not
    progress = KeyRotationProgress.objects.get(target_key_id="new", done=False)
    assert (progress.column, progress.rewrapped) == ("accounts.user.email", 4)
    everyone = sorted([*(u.pk for u in old_key_rows["users"]), old_key_rows["room"].performer_id])
    assert progress.last_pk == str(everyone[3])
    counts = keys.key_counts()
    assert counts["accounts.user.email"] == {"new": 4, "old": 4}
    assert counts["accounts.user.totp_secret"] == {"old": 7}
    assert counts["chat.chatmessage.ip"] == {"old": 5}

    out = StringIO()
    call_command("keys", "rotate", "--batch-size", "2", stdout=out)
    # 4 e-mail addresses left + 7 secrets + 5 addresses + the performer's legal name, date of birth and country
    assert "OK every stored token is on key new: 19 row(s) rewrapped" in out.getvalue()
    assert "accounts.user.email: rewrapped 4, retried 0, failed 0" in out.getvalue()
    assert "accounts.user.totp_secret: rewrapped 7, retried 0, failed 0" in out.getvalue()
    counts = keys.key_counts()
    assert counts["accounts.user.email"] == {"new": 8}
    assert counts["accounts.user.totp_secret"] == {"new": 7}
    assert counts["chat.chatmessage.ip"] == {"new": 5}
    assert all(set(c) <= {"new"} for c in counts.values())
    assert not KeyRotationProgress.objects.exists()
    assert keys.keys_in_use() == {"new"}
    entry = AuditEntry.objects.filter(action="core.keys_rotated").get()
    assert entry.target_id == "new" and entry.data["rewrapped"] == 19

    # the old key can go now: every value still reads, under the new key alone
    use_keys(settings, ("new", NEW))
    keys.check_keys_in_use()
    from django.contrib.auth import get_user_model

    from stagedoor.chat.models import ChatMessage

    for pk, secret in old_key_rows["secrets"].items():
        assert get_user_model().objects.get(pk=pk).totp_secret == secret
    # the keyed hash beside the address does not depend on the key-encryption key: found by e-mail as before
    from stagedoor.accounts.selectors import user_by_email

    fan = old_key_rows["users"][2]
    found = user_by_email(f"  {fan.email.upper()} ")
    assert found is not None and (found.pk, found.email) == (fan.pk, fan.email)
    assert sorted(ChatMessage.objects.values_list("ip", flat=True)) == sorted(f"192.0.2.{i}" for i in range(5))


def test_a_row_changed_during_rotation_is_never_overwritten(settings: Any, old_key_rows: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    use_keys(settings, ("new", NEW), ("old", OLD))
    col = next(c for c in keys.token_columns() if c.label == "accounts.user.totp_secret")
    ring = keyring()
    first, second = old_key_rows["users"][:2]
    stale_first = raw("accounts_user", "totp_secret", first.pk)
    stale_second = raw("accounts_user", "totp_secret", second.pk)
    # the site writes between the rotation's read and its update: once under the new key (a current process) ...
    User.objects.filter(pk=first.pk).update(totp_secret="NEWSECRETNEWSECR")
    # ... once under the old key (a process still running the old configuration)
    old_ring = dataclasses.replace(settings.STAGEDOOR, encryption_keys={"old": OLD}, active_key_id="old")
    settings.STAGEDOOR = old_ring
    User.objects.filter(pk=second.pk).update(totp_secret="OLDPROCESSSECRET")
    use_keys(settings, ("new", NEW), ("old", OLD))

    report = keys.ColumnReport(col.label)
    keys._rewrap_row(col, ring, "v1.new.", first.pk, stale_first, report)
    keys._rewrap_row(col, ring, "v1.new.", second.pk, stale_second, report)
    assert (report.skipped, report.retried, report.rewrapped, report.failed) == (1, 1, 1, [])
    assert User.objects.get(pk=first.pk).totp_secret == "NEWSECRETNEWSECR"
    assert User.objects.get(pk=second.pk).totp_secret == "OLDPROCESSSECRET"
    assert raw("accounts_user", "totp_secret", second.pk).startswith("v1.new.")


def test_rotation_fails_loudly_on_a_row_under_a_key_it_does_not_have(
    settings: Any, old_key_rows: dict[str, Any]
) -> None:
    use_keys(settings, ("new", NEW))  # `old` is gone: rotation cannot unwrap those rows
    err = StringIO()
    with pytest.raises(CommandError, match="rotation incomplete"):
        call_command("keys", "rotate", stdout=StringIO(), stderr=err)
    assert "FAIL accounts.user.totp_secret pk=" in err.getvalue()
    assert "key 'old' is not in the keyring" in err.getvalue()
    assert "LEFT chat.chatmessage.ip: old=5" in err.getvalue()
    assert AuditEntry.objects.filter(action="core.keys_rotation_incomplete").exists()
    assert "old" in keys.keys_in_use()


def test_start_up_refuses_in_one_line_when_a_key_in_use_is_not_configured(
    settings: Any, old_key_rows: dict[str, Any]
) -> None:
    keys.check_keys_in_use()  # `old` configured: fine, and recorded as in use
    assert keys.keys_in_use() == {"old"}
    use_keys(settings, ("new", NEW))
    with pytest.raises(keys.KeysMissing) as caught:
        keys.check_keys_in_use()
    message = str(caught.value)
    assert "\n" not in message
    assert "key id(s) old missing from STAGEDOOR_ENCRYPTION_KEYS" in message


def test_an_empty_key_table_is_seeded_from_the_stored_rows(settings: Any, old_key_rows: dict[str, Any]) -> None:
    EncryptionKeyInUse.objects.all().delete()  # a database from before the table existed
    use_keys(settings, ("new", NEW))
    with pytest.raises(keys.KeysMissing):
        keys.check_keys_in_use()
    assert keys.keys_in_use() == {"old", "new"}


def test_the_serving_processes_stop_before_serving_on_a_missing_key(
    settings: Any, old_key_rows: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from stagedoor import cli

    use_keys(settings, ("new", NEW))
    with pytest.raises(SystemExit) as stopped:
        cli._require_keys()
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stagedoor: stored data is encrypted under key id(s) old")


def test_bad_options_change_nothing(settings: Any, old_key_rows: dict[str, Any]) -> None:
    use_keys(settings, ("new", NEW), ("old", OLD))
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("keys", "rotate", "--batch-size", "0")
    assert keys.key_counts()["chat.chatmessage.ip"] == {"old": 5}
