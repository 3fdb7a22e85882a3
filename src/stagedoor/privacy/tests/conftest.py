"""Privacy test helpers: a person with data in every app (invented), raw-database scans, the two verifiers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from stagedoor.core.audit import audit_verify_report
from stagedoor.core.ids import new_id
from stagedoor.wallet.verify import LedgerProblem, ledger_verify

EMAIL = "zelda.quux@example.test"
DISPLAY_NAME = "Zelda Quux-Marlowe"
LEGAL_NAME = "Zelda Ottilie Quux"
CHAT_TEXT = "hello from zelda, see you at nine"
TIP_MESSAGE = "for the encore"
REPORT_TEXT = "this stream looked like a recording of someone else"
TICKET_BODY = "I was charged twice for the 100 token package"
FAN_MESSAGE = "private hello to my favourite performer"


@dataclass
class Person:
    user: Any
    performer: Any
    room: Any
    report: Any
    ticket: Any


def ledger_problems() -> list[str]:
    return [str(item) for item in ledger_verify() if isinstance(item, LedgerProblem)]


def audit_problems() -> list[str]:
    return [str(p) for p in audit_verify_report().problems]


def raw_hits(*needles: str) -> list[str]:
    """Every (table, column) whose raw stored value contains one of `needles` (case-insensitive): reads every
    row of every table through the database cursor, below the ORM (encrypted fields stay ciphertext)."""
    lowered = [n.lower() for n in needles]
    hits: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = bytes(value).decode(errors="ignore") if isinstance(value, bytes | memoryview) else str(value)
                    text = text.lower()
                    for needle in lowered:
                        if needle in text:
                            hits.append(f"{table}.{column} has {needle!r}")
    return sorted(set(hits))


@pytest.fixture
def person(make_user: Callable[..., Any]) -> Person:
    """A viewer who used every part of the site: bought tokens, tipped, chatted, followed, reported, wrote to
    support and to a performer, applied to perform (with a legal name), made an API token."""
    from stagedoor.accounts.services import api_token_create, entry_consent_record, user_signup
    from stagedoor.chat.models import ChatMessage
    from stagedoor.fans.models import Message, Thread
    from stagedoor.moderation.services.reports import report_file
    from stagedoor.payments.models import Purchase
    from stagedoor.rooms.models import Follow
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.support.services.tickets import OpenRequest, ticket_open
    from stagedoor.verification.models import PerformerApplication
    from stagedoor.wallet import services as wallet

    performer = make_user("performer", login="stage_star")
    room = room_for_performer(performer=performer)
    user = user_signup(
        email=EMAIL,
        login="zelda_q",
        password="a long invented passphrase 7",
        display_name=DISPLAY_NAME,
        ip="198.51.100.7",
    )
    entry_consent_record(
        user=user, session_key="", age_confirmed=True, terms_accepted=True, ip="198.51.100.7", user_agent="Firefox/130"
    )
    purchase_id = new_id()
    Purchase.objects.create(
        id=purchase_id,
        buyer=user,
        tokens=500,
        price_minor=4999,
        currency="EUR",
        provider="sandbox",
        provider_ref="sbx-1",
        checkout_url=f"https://pay.example.test/checkout?email={EMAIL}",
        status="completed",
        idempotency_key=f"purchase:{user.pk}:k1",
        request_hash="0" * 64,
    )
    wallet.purchase_credit(
        buyer=user, tokens=500, purchase_id=purchase_id, price_minor=4999, currency="EUR", provider="sandbox"
    )
    wallet.tip_send(sender=user, performer=performer, amount=25, message=TIP_MESSAGE, idempotency_key="tip-zelda-1")
    ChatMessage.objects.create(
        id=new_id(),
        room=room,
        seq=1,
        user=user,
        login=user.login,
        role=user.role,
        text=CHAT_TEXT,
        ip="198.51.100.7",
        created_at=timezone.now() - timedelta(minutes=5),
    )
    Follow.objects.create(user=user, room=room)
    report = report_file(reporter=user, target_kind="room", target_id=room.pk, reason="spam", text=REPORT_TEXT)
    ticket = ticket_open(
        requester=user, request=OpenRequest(subject="Double charge", body=TICKET_BODY, name=DISPLAY_NAME)
    )
    thread = Thread.objects.create(fan=user, performer=performer)
    Message.objects.create(thread=thread, sender=user, body=FAN_MESSAGE, client_key="c1")
    PerformerApplication.objects.create(
        user=user, stage_name="Zee", legal_name=LEGAL_NAME, date_of_birth="1994-03-02", country="NL"
    )
    api_token_create(user=user, name="my script")
    return Person(user=user, performer=performer, room=room, report=report, ticket=ticket)
