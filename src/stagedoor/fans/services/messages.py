"""Private messages between a fan (any viewer) and a performer.

- Bodies are stored encrypted (`EncryptedTextField`); nothing else keeps the text.
- A performer may charge per message sent to them (`FanClub.message_price`); the sender pays at send, keyed
  `pm:<message id>`, and the message is idempotent by the sender's client key (a retry returns the first one).
- A performer may attach a photo or clip with an unlock price; each viewer pays once (`unlock:<message>:<user>`).
- The text goes through the same classifier as live chat (the one trust & safety installs in
  `chat.pipeline.classifier`): a blocked line is refused (and kept, encrypted, as a record, never delivered),
  a held one is stored for review (only its sender sees it; a moderation case opens from the outbox) and not charged.
- Sends are rate limited per sender (`RATE_LIMIT` in `RATE_WINDOW`), counted in the database so every process agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.chat.pipeline.classifier import Action, ClassifyContext, Verdict, configured_classifier
from stagedoor.chat.pipeline.normalize import display_text, skeleton
from stagedoor.core.outbox import outbox_publish
from stagedoor.fans import errors, events
from stagedoor.fans.models import FanClub, MediaItem, Membership, Message, Thread, Unlock
from stagedoor.wallet.services import charge

BODY_MAX_CHARS = 2000
CLIENT_KEY_MAX = 80
RATE_LIMIT = 10
RATE_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class Sent:
    message: Message
    replay: bool  # True: this client key was already used for this message (nothing new was written or charged)


def _classify(sender: Any, thread: Thread, text: str) -> Verdict:
    ctx = ClassifyContext(
        room=f"pm:{thread.performer_id}", user_id=str(sender.pk), role=_chat_role(sender), skeleton=skeleton(text)
    )
    return configured_classifier().classify(text, ctx)


def _chat_role(user: Any) -> str:
    # the classifier exempts staff roles the way chat does
    return {Role.ADMIN: "admin", Role.MODERATOR: "moderator", Role.PERFORMER: "performer"}.get(user.role, "viewer")


def _thread_for(sender: Any, *, thread_id: str | None, recipient_id: Any) -> Thread:
    if thread_id:
        thread = Thread.objects.select_related("fan", "performer").filter(pk=thread_id).first()
        if thread is None or sender.pk not in (thread.fan_id, thread.performer_id):
            raise errors.ThreadNotFound()
        return thread
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        raise errors.WrongRecipient("No such person.")
    if recipient.pk == sender.pk:
        raise errors.SelfJoin()
    if sender.role == Role.PERFORMER and recipient.role != Role.PERFORMER:
        fan, performer = recipient, sender
        # a performer starts a conversation only with someone already in touch: a member of their fan club
        if not Membership.objects.filter(club__performer=sender, user=recipient).exists():
            raise errors.WrongRecipient("You can write first only to members of your fan club.")
    elif recipient.role == Role.PERFORMER and sender.role != Role.PERFORMER:
        fan, performer = sender, recipient
    else:
        raise errors.WrongRecipient()
    thread, _ = Thread.objects.get_or_create(fan=fan, performer=performer)
    return thread


def _replay(sender: Any, client_key: str, body: str, thread_id: str | None) -> Sent | None:
    existing = Message.objects.select_related("thread").filter(sender=sender, client_key=client_key).first()
    if existing is None:
        return None
    if existing.body != body or (thread_id and existing.thread_id != thread_id):
        raise errors.ClientKeyReused()
    if existing.status == Message.Status.BLOCKED:
        raise errors.MessageBlocked()
    return Sent(existing, replay=True)


def message_charge(message: Message, *, payer: Any, payee: Any, price: int) -> None:
    """Charge a message's price, keyed `pm:<message id>`: at send, or when a moderator approves a held one (the
    same key and request, so a replayed approval never pays twice)."""
    charge(
        payer=payer,
        payee=payee,
        amount=price,
        key=f"pm:{message.pk}",
        item="message",
        ref=message.pk,
        memo="private message",
    )


def message_send(
    *,
    sender: Any,
    body: str,
    client_key: str,
    thread_id: str | None = None,
    recipient_id: Any = None,
    media_id: str | None = None,
    unlock_price: int = 0,
) -> Sent:
    """Send a private message. Raises MessageTooLong, MessageEmpty, MessageRateLimited, MessageBlocked,
    WrongRecipient, InsufficientBalance (nothing stored, nothing charged)."""
    if not client_key or len(client_key) > CLIENT_KEY_MAX:
        raise errors.MessageEmpty("A client key of 1–80 characters is required.")
    if len(body) > BODY_MAX_CHARS:
        raise errors.MessageTooLong(
            f"A message has at most {BODY_MAX_CHARS} characters.", extra={"max_chars": BODY_MAX_CHARS}
        )
    text = display_text(body).strip()
    replay = _replay(sender, client_key, text, thread_id)
    if replay is not None:
        return replay
    if not text and not media_id:
        raise errors.MessageEmpty()
    thread = _thread_for(sender, thread_id=thread_id, recipient_id=recipient_id)
    media = None
    if media_id:
        media = MediaItem.objects.filter(pk=media_id, owner=sender).first()
        if media is None or sender.pk != thread.performer_id:
            raise errors.MediaNotFound("Only the performer attaches their own photos and clips.")
        cap = settings.STAGEDOOR.fans.message_price_max
        if not 0 <= unlock_price <= cap:
            raise errors.InvalidPrice(f"The unlock price must be between 0 and {cap} tokens.")
    elif unlock_price:
        raise errors.NothingToUnlock()
    since = timezone.now() - RATE_WINDOW
    if Message.objects.filter(sender=sender, created_at__gte=since).count() >= RATE_LIMIT:
        raise errors.MessageRateLimited()
    verdict = _classify(sender, thread, text) if text else Verdict(Action.ALLOW)
    status = {
        Action.ALLOW: Message.Status.VISIBLE,
        Action.HOLD: Message.Status.HELD,
        Action.BLOCK: Message.Status.BLOCKED,
    }[verdict.action]
    quoted = 0
    if status != Message.Status.BLOCKED and sender.pk == thread.fan_id:
        club = FanClub.objects.filter(performer_id=thread.performer_id).first()
        quoted = club.message_price if club is not None else 0
    price = quoted if status == Message.Status.VISIBLE else 0  # a held one is charged if a moderator approves it
    try:
        with transaction.atomic():
            message = Message.objects.create(
                thread=thread,
                sender=sender,
                client_key=client_key,
                body=text,
                status=status,
                reason=verdict.reason[:64],
                price_paid=price,
                price_quoted=quoted,
                media=media,
                unlock_price=unlock_price if media is not None else 0,
            )
            if price:
                message_charge(message, payer=sender, payee=thread.performer, price=price)
            if status != Message.Status.BLOCKED:
                Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
                outbox_publish(
                    topic=events.MESSAGE_SENT,
                    payload={
                        "message_id": message.pk,
                        "thread_id": thread.pk,
                        "sender_id": str(sender.pk),
                        "status": status,
                    },
                )
            if status == Message.Status.HELD:
                outbox_publish(topic=events.MESSAGE_HELD, payload={"message_id": message.pk, "reason": verdict.reason})
    except IntegrityError:
        # the same client key, sent twice at once: the other request won
        replay = _replay(sender, client_key, text, thread_id)
        if replay is None:
            raise
        return replay
    if status == Message.Status.BLOCKED:
        raise errors.MessageBlocked(extra={"reason": verdict.reason})
    return Sent(message, replay=False)


def message_unlock(*, user: Any, message_id: str) -> Unlock:
    """Pay a message's unlock price once; a second call returns the first unlock (no charge)."""
    message = (
        Message.objects.select_related("thread", "sender")
        .filter(pk=message_id, status=Message.Status.VISIBLE)
        .filter(Q(thread__fan=user) | Q(thread__performer=user))
        .first()
    )
    if message is None:
        raise errors.MessageNotFound()
    if message.media_id is None or message.unlock_price == 0 or message.sender_id == user.pk:
        raise errors.NothingToUnlock()
    existing = Unlock.objects.filter(message=message, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            charge(
                payer=user,
                payee=message.sender,
                amount=message.unlock_price,
                key=f"unlock:{message.pk}:{user.pk}",
                item="unlock",
                ref=message.pk,
                memo="unlocked message",
            )
            return Unlock.objects.create(message=message, user=user, price=message.unlock_price)
    except IntegrityError:
        return Unlock.objects.get(message=message, user=user)
