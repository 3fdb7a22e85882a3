"""Private messages: encryption at rest, paid sends and unlocks, moderation, size and rate limits."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from PIL import Image

from stagedoor.fans import errors, selectors, services
from stagedoor.fans.models import FanClub, Message, Thread, Unlock
from stagedoor.moderation.models import Case
from stagedoor.moderation.text.classifier import shared_policy
from stagedoor.wallet import errors as wallet_errors
from stagedoor.wallet.models import LedgerTransfer
from stagedoor.wallet.selectors import wallet_balance
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_bodies_are_encrypted_at_rest(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(0)
    sent = services.message_send(
        sender=viewer, recipient_id=club.performer_id, body="the secret word is marmalade", client_key="k1"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM fans_message WHERE id = %s", [sent.message.pk])
        (raw,) = cursor.fetchone()
    assert "marmalade" not in raw and raw.startswith("v1.")
    assert Message.objects.get(pk=sent.message.pk).body == "the secret word is marmalade"


def test_a_free_message_then_a_priced_one_charged_once_per_client_key(
    club: FanClub, funded: Callable[[int], Any]
) -> None:
    viewer = funded(100)
    first = services.message_send(sender=viewer, recipient_id=club.performer_id, body="hi!", client_key="a")
    assert first.message.price_paid == 0 and wallet_balance(viewer) == 100
    services.club_configure(performer=club.performer, message_price=7)
    paid = services.message_send(sender=viewer, thread_id=first.message.thread_id, body="hello", client_key="b")
    assert paid.message.price_paid == 7 and not paid.replay
    again = services.message_send(sender=viewer, thread_id=first.message.thread_id, body="hello", client_key="b")
    assert again.replay and again.message.pk == paid.message.pk
    assert wallet_balance(viewer) == 93
    assert LedgerTransfer.objects.filter(idempotency_key=f"pm:{paid.message.pk}").count() == 1
    with pytest.raises(errors.ClientKeyReused):
        services.message_send(sender=viewer, thread_id=first.message.thread_id, body="other", client_key="b")
    # the performer replies for free
    reply = services.message_send(sender=club.performer, thread_id=first.message.thread_id, body="hey", client_key="r")
    assert reply.message.price_paid == 0
    assert Thread.objects.count() == 1
    assert ledger_problems() == []


def test_a_short_wallet_stores_nothing(club: FanClub, funded: Callable[[int], Any]) -> None:
    services.club_configure(performer=club.performer, message_price=50)
    viewer = funded(10)
    with pytest.raises(wallet_errors.InsufficientBalance):
        services.message_send(sender=viewer, recipient_id=club.performer_id, body="hello", client_key="x")
    assert not Message.objects.exists() and wallet_balance(viewer) == 10


def test_who_may_write_to_whom(club: FanClub, funded: Callable[[int], Any], make_user: Callable[..., Any]) -> None:
    viewer, other_viewer = funded(0), funded(0)
    with pytest.raises(errors.WrongRecipient):
        services.message_send(sender=viewer, recipient_id=other_viewer.pk, body="hi", client_key="1")
    with pytest.raises(errors.WrongRecipient):  # a performer writes first only to their members
        services.message_send(sender=club.performer, recipient_id=viewer.pk, body="hi", client_key="2")
    with pytest.raises(errors.WrongRecipient):
        services.message_send(sender=club.performer, recipient_id=make_user("performer").pk, body="x", client_key="3")
    sent = services.message_send(sender=viewer, recipient_id=club.performer_id, body="hi", client_key="4")
    with pytest.raises(errors.ThreadNotFound):
        services.message_send(sender=other_viewer, thread_id=sent.message.thread_id, body="hi", client_key="5")
    with pytest.raises(errors.ThreadNotFound):
        selectors.access_thread(other_viewer, sent.message.thread_id)


def test_size_limit_and_empty(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(0)
    with pytest.raises(errors.MessageTooLong) as too_long:
        services.message_send(sender=viewer, recipient_id=club.performer_id, body="x" * 10_000_000, client_key="big")
    assert too_long.value.status == 413 and too_long.value.extra["max_chars"] == services.BODY_MAX_CHARS
    with pytest.raises(errors.MessageEmpty):
        services.message_send(sender=viewer, recipient_id=club.performer_id, body="   ", client_key="e")
    assert not Message.objects.exists()


def test_sends_are_rate_limited(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(0)
    for i in range(10):
        services.message_send(sender=viewer, recipient_id=club.performer_id, body=f"line {i}", client_key=f"k{i}")
    with pytest.raises(errors.MessageRateLimited) as limited:
        services.message_send(sender=viewer, recipient_id=club.performer_id, body="one more", client_key="k10")
    assert limited.value.status == 429
    assert Message.objects.count() == 10


def test_a_line_the_classifier_holds_is_held_uncharged_and_opens_a_case(
    club: FanClub, funded: Callable[[int], Any], django_capture_on_commit_callbacks: Any
) -> None:
    services.club_configure(performer=club.performer, message_price=5)
    viewer = funded(100)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.message_send(
            sender=viewer, recipient_id=club.performer_id, body="add me on telegram @bobby123", client_key="h"
        )
    m = sent.message
    assert m.status == Message.Status.HELD and m.reason == "off_platform" and m.price_paid == 0
    assert wallet_balance(viewer) == 100
    # the sender sees it (held); the performer does not
    assert [x.pk for x in selectors.thread_messages(m.thread, viewer)] == [m.pk]
    assert selectors.thread_messages(m.thread, club.performer) == []
    case = Case.objects.get(dedupe_key=f"pm:{m.pk}")
    assert case.category == "off_platform" and case.subject_id == viewer.pk
    assert case.evidence["private_message"]["text"] == "add me on telegram @bobby123"


def test_a_line_the_classifier_blocks_is_refused_and_recorded(club: FanClub, funded: Callable[[int], Any]) -> None:
    shared_policy().set_room(f"pm:{club.performer_id}", {"harassment": "block"})
    try:
        viewer = funded(0)
        with pytest.raises(errors.MessageBlocked):
            services.message_send(
                sender=viewer, recipient_id=club.performer_id, body="you are a worthless slob", client_key="b"
            )
    finally:
        shared_policy().set_room(f"pm:{club.performer_id}", {})
    stored = Message.objects.get()
    assert stored.status == Message.Status.BLOCKED and stored.reason == "harassment"
    assert selectors.thread_messages(stored.thread, club.performer) == []
    assert selectors.thread_messages(stored.thread, viewer) == []


def test_paid_unlock_is_charged_once_and_opens_the_file(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer, stranger = funded(100), funded(100)
    thread_msg = services.message_send(sender=viewer, recipient_id=club.performer_id, body="hi", client_key="1")
    media = services.media_upload(owner=club.performer, data=jpeg())
    offer = services.message_send(
        sender=club.performer,
        thread_id=thread_msg.message.thread_id,
        body="a little something",
        client_key="o",
        media_id=media.pk,
        unlock_price=30,
    ).message
    with pytest.raises(errors.MediaNotFound):
        selectors.access_media(viewer, media.pk)
    unlock = services.message_unlock(user=viewer, message_id=offer.pk)
    again = services.message_unlock(user=viewer, message_id=offer.pk)
    assert unlock.pk == again.pk and Unlock.objects.count() == 1
    assert wallet_balance(viewer) == 70
    assert selectors.access_media(viewer, media.pk) == media
    assert services.media_content(media).startswith(b"\xff\xd8\xff")
    with pytest.raises(errors.MessageNotFound):
        services.message_unlock(user=stranger, message_id=offer.pk)
    with pytest.raises(errors.MediaNotFound):
        selectors.access_media(stranger, media.pk)
    with pytest.raises(errors.NothingToUnlock):
        services.message_unlock(user=viewer, message_id=thread_msg.message.pk)
    assert wallet_balance(stranger) == 100
    assert ledger_problems() == []


def test_a_short_wallet_does_not_unlock(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(5)
    first = services.message_send(sender=viewer, recipient_id=club.performer_id, body="hi", client_key="1")
    media = services.media_upload(owner=club.performer, data=jpeg())
    offer = services.message_send(
        sender=club.performer,
        thread_id=first.message.thread_id,
        body="",
        client_key="o",
        media_id=media.pk,
        unlock_price=30,
    ).message
    with pytest.raises(wallet_errors.InsufficientBalance):
        services.message_unlock(user=viewer, message_id=offer.pk)
    assert not Unlock.objects.exists() and wallet_balance(viewer) == 5
