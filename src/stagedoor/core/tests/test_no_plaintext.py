"""An invented person's sensitive values, written through the apps' own services and models, appear nowhere in the
raw database (every column of every table, read through a cursor, moderation evidence included) nor in any file under the var and media
directories. Covers the fields listed as encrypted in docs/privacy.md ("Encryption at rest") outside accounts' e-mail
addresses, which the accounts work covers."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image, PngImagePlugin

pytestmark = pytest.mark.django_db

PERSON = {
    "stage_name": "Velvet Comet",  # public by design: not a needle
    "legal_name": "Marguerite Oyelaran-Vasquez",
    "date_of_birth": "1987-03-14",
    "country": "PT",
}
ADDRESS = "203.0.113.77"
PRIVATE_MESSAGE = "meet me by the lighthouse on Quintal street"
TOTP_SECRET = pyotp.random_base32()


def _png_with_name() -> bytes:
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", PERSON["legal_name"])
    meta.add_text("Comment", f"born {PERSON['date_of_birth']}")
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 140, 200)).save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def _database_text() -> str:
    """Every value of every table, as text (bytes decoded leniently)."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


def _files_bytes(*roots: Path) -> list[tuple[Path, bytes]]:
    found = []
    for root in roots:
        if root.exists():
            found += [(p, p.read_bytes()) for p in root.rglob("*") if p.is_file()]
    return found


def test_no_plaintext_of_a_persons_sensitive_values_in_the_database_or_files(
    settings: Any, tmp_path: Path, make_user: Any
) -> None:
    from stagedoor.chat.models import ChatMessage
    from stagedoor.fans.models import Message, Thread
    from stagedoor.fans.services.moderation import case_open_for_held_message
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.verification import services as verification

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, var_dir=tmp_path / "var", media_dir=tmp_path / "media")
    person = make_user("viewer", login="velvetcomet", mfa=False)
    person.totp_secret = TOTP_SECRET
    person.mfa_enabled = True
    person.save(update_fields=["totp_secret", "mfa_enabled"])

    application = verification.performer_apply(user=person, method="manual", **PERSON)
    assert application.verification is not None
    document = verification.document_add(
        user=person, verification_id=application.verification.pk, kind="id_front", data=_png_with_name()
    )

    performer = make_user("performer", login="harbourstar")
    thread = Thread.objects.create(fan=person, performer=performer)
    held = Message.objects.create(
        thread=thread, sender=person, client_key="k1", body=PRIVATE_MESSAGE, status=Message.Status.HELD
    )
    # held for review: the moderation case quotes the text as evidence (encrypted too)
    case = case_open_for_held_message(message_id=held.pk, reason="harassment")
    assert case is not None and case.evidence["private_message"]["text"] == PRIVATE_MESSAGE
    ChatMessage.objects.create(
        id="velvet0001",
        room=room_for_performer(performer=performer),
        user=person,
        login=person.login,
        role="viewer",
        text="hello everyone",  # public room chat: not a needle
        ip=ADDRESS,
        created_at=timezone.now(),
    )

    # the values are there and read back through the models ...
    person.refresh_from_db()
    assert person.totp_secret == TOTP_SECRET
    assert Message.objects.get(thread=thread).body == PRIVATE_MESSAGE
    assert ChatMessage.objects.get(pk="velvet0001").ip == ADDRESS
    application.verification.refresh_from_db()
    assert application.verification.legal_name == PERSON["legal_name"]
    assert document.size > 0

    # ... but not in the raw database, nor in any file the apps wrote
    needles = [PERSON["legal_name"], PERSON["date_of_birth"], ADDRESS, PRIVATE_MESSAGE, TOTP_SECRET]
    needles += ["Oyelaran", "lighthouse"]  # parts too, in case a value was split or truncated
    stored = _database_text()
    assert "velvetcomet" in stored  # the scan does see this person's rows
    assert [n for n in needles if n in stored] == []
    files = _files_bytes(tmp_path / "var", tmp_path / "media")
    assert files, "the document should be on disk"
    leaks = [(str(p), n) for p, data in files for n in needles if n.encode() in data]
    assert leaks == []
