"""Opening, answering, routing, locking and resolving tickets."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.core.audit import audit_record
from stagedoor.core.hashing import email_hash
from stagedoor.core.outbox import outbox_publish
from stagedoor.moderation import services as moderation_services
from stagedoor.moderation.models import Case
from stagedoor.payments.models import Purchase
from stagedoor.rooms.models import ScheduledShow
from stagedoor.support import errors, selectors, sla
from stagedoor.support.attachments import check_attachment
from stagedoor.support.events import (
    TICKET_ESCALATED,
    TICKET_OPENED,
    TICKET_REPLIED,
    TICKET_RESOLVED,
    TicketEscalated,
    TicketOpened,
    TicketReplied,
    TicketResolved,
)
from stagedoor.support.mailparse import MailPart
from stagedoor.support.models import (
    PRIORITY_RANK,
    Attachment,
    Category,
    Channel,
    CustomerNote,
    Priority,
    Queue,
    Ticket,
    TicketMessage,
)
from stagedoor.support.services import outbound

SUBJECT_MAX = 200
BODY_MAX = 20_000
LOCK_SECONDS = 300
TICKETS_PER_HOUR = 10
REOPEN_DAYS = 30

# category → the queue it starts in, and its priority
ROUTES: dict[str, tuple[str, str]] = {
    Category.BILLING: (Queue.FINANCE, Priority.NORMAL),
    Category.TECHNICAL: (Queue.L1, Priority.NORMAL),
    Category.ACCOUNT: (Queue.L1, Priority.HIGH),
    Category.VERIFICATION: (Queue.COMPLIANCE, Priority.NORMAL),
    Category.SAFETY: (Queue.L2, Priority.HIGH),
    Category.OTHER: (Queue.L1, Priority.NORMAL),
}
# languages tier 1 answers; a ticket in another language goes to tier 2 (who work with translation tools)
L1_LANGUAGES = frozenset({"en", ""})


def _field(name: str, message: str) -> errors.TicketInvalid:
    return errors.TicketInvalid(extra={"fields": {name: [message]}})


def _clean_text(value: str, *, name: str, maximum: int) -> str:
    value = (value or "").strip()
    if not value:
        raise _field(name, "This field is required.")
    if len(value) > maximum:
        raise _field(name, f"Write at most {maximum} characters.")
    if "\x00" in value:
        raise _field(name, "This text contains characters that cannot be stored.")
    return value


def route(category: str, language: str) -> tuple[str, str]:
    queue, priority = ROUTES.get(category, ROUTES[Category.OTHER])
    if queue == Queue.L1 and language.split("-")[0] not in L1_LANGUAGES:
        queue = Queue.L2
    return queue, priority


def performer_on_show(user: User | None, *, now: datetime) -> bool:
    """Whether `user` is a performer inside one of their scheduled show windows (or live) right now."""
    if user is None or user.role != Role.PERFORMER:
        return False
    window_start = now - timedelta(minutes=720)
    for show in ScheduledShow.objects.filter(
        room__performer=user, starts_at__gte=window_start, starts_at__lte=now + timedelta(minutes=30)
    ):
        if show.starts_at - timedelta(minutes=30) <= now <= show.starts_at + timedelta(minutes=show.duration_minutes):
            return True
    room = getattr(user, "room", None)
    return bool(room is not None and room.is_live)


def _due(ticket: Ticket) -> None:
    cfg = settings.STAGEDOOR.support
    first, resolve = sla.due_times(ticket.created_at, ticket.priority, hours=cfg.business_hours, days=cfg.business_days)
    ticket.first_response_due, ticket.resolution_due = first, resolve


def _attach(message: TicketMessage, parts: list[MailPart]) -> list[Attachment]:
    limit = settings.STAGEDOOR.support.attachment_max_mb * 1024 * 1024
    made = []
    for part in parts[:20]:
        verdict = check_attachment(part.data, max_bytes=limit)
        made.append(
            Attachment.objects.create(
                message=message,
                filename=part.filename[:200] or "attachment",
                content_type=verdict.content_type,
                size=len(part.data),
                status=Attachment.Status.CLEAN if verdict.ok else Attachment.Status.REFUSED,
                reason=verdict.reason[:200],
                content=base64.b64encode(verdict.content).decode() if verdict.ok else "",
            )
        )
    return made


def _purchase_check(requester: User | None, purchase_id: str) -> str:
    if not purchase_id:
        return ""
    if requester is None or not Purchase.objects.filter(pk=purchase_id[:26], buyer=requester).exists():
        raise errors.PurchaseNotFound(extra={"fields": {"purchase_id": ["That purchase is not one of yours."]}})
    return purchase_id[:26]


def _safety_case(ticket: Ticket, body: str) -> str:
    """A safety report becomes a moderation case (joined to the open case of the same ticket, never two)."""
    evidence = {"reports": [{"id": ticket.pk, "reason": "other", "text": body[:2000], "via": "support"}]}
    case, _created = moderation_services.case_open(
        source=Case.Source.USER_REPORT,
        category="other",
        subject=None,
        evidence=evidence,
        dedupe_key=f"support:{ticket.pk}",
    )
    return str(case.pk)


@dataclass
class OpenRequest:
    subject: str
    body: str
    category: str = Category.OTHER
    email: str = ""
    name: str = ""
    channel: str = Channel.WEB
    language: str = "en"
    purchase_id: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    html: str = ""
    attachments: list[MailPart] = field(default_factory=list)
    mail_message_id: str = ""
    thread_verified: bool = True
    note: str = ""  # an internal note to add (e.g. why a forged token opened a new ticket)


def ticket_open(
    *, requester: User | None, request: OpenRequest, now: datetime | None = None, acknowledge: bool = True
) -> Ticket:
    """Open a ticket from the help form, the studio, the wallet or a mail. A guest gives an e-mail address; a
    signed-in person's account address is used. A billing ticket may name one of the requester's purchases; a
    safety report opens a moderation case. Replies go to the requester by mail with the ticket's reply address."""
    now = now or timezone.now()
    subject = _clean_text(request.subject, name="subject", maximum=SUBJECT_MAX)
    body = _clean_text(request.body, name="body", maximum=BODY_MAX)
    if request.category not in Category.values:
        raise _field("category", f"Choose one of: {', '.join(Category.values)}.")
    if request.channel not in Channel.values:
        raise _field("channel", "Unknown channel.")
    email = (requester.email if requester is not None else request.email or "").strip().lower()
    if not email:
        raise errors.GuestEmailRequired(extra={"fields": {"email": ["Give an e-mail address so we can answer you."]}})
    try:
        validate_email(email)
    except DjangoValidationError:
        raise _field("email", "Enter a valid e-mail address.") from None
    language = (request.language or "en").strip().lower()[:8]
    purchase_id = _purchase_check(requester, request.purchase_id) if request.category == Category.BILLING else ""
    if request.purchase_id and request.category != Category.BILLING:
        raise _field("purchase_id", "Only a billing request names a purchase.")
    context = {str(k)[:20]: str(v)[:100] for k, v in list((request.context or {}).items())[:5]}
    queue, priority = route(request.category, language)
    during_show = performer_on_show(requester, now=now)
    if during_show:
        priority = Priority.URGENT
    with transaction.atomic():
        if (
            Ticket.objects.filter(
                requester_email_hash=email_hash(email), created_at__gte=now - timedelta(hours=1)
            ).count()
            >= TICKETS_PER_HOUR
        ):
            raise errors.TooManyTickets()
        ticket = Ticket(
            requester=requester,
            requester_email=email,
            requester_name=(requester.shown_name if requester is not None else request.name.strip())[:80],
            subject=subject,
            category=request.category,
            priority=priority,
            priority_rank=PRIORITY_RANK[Priority(priority)],
            queue=queue,
            language=language,
            channel=request.channel,
            context=context,
            purchase_id=purchase_id,
            during_show=during_show,
            thread_verified=request.thread_verified,
            created_at=now,
        )
        _due(ticket)
        ticket.save(force_insert=True)
        message = TicketMessage.objects.create(
            ticket=ticket,
            author=requester,
            author_kind=TicketMessage.Author.REQUESTER,
            via=Channel.EMAIL if request.channel == Channel.EMAIL else Channel.WEB,
            body=body,
            html=request.html,
            mail_message_id=request.mail_message_id,
            created_at=now,
        )
        _attach(message, request.attachments)
        if request.note:
            TicketMessage.objects.create(
                ticket=ticket, author_kind=TicketMessage.Author.SYSTEM, internal=True, body=request.note, created_at=now
            )
        if request.category == Category.SAFETY:
            ticket.moderation_case_id = _safety_case(ticket, body)
            ticket.save(update_fields=["moderation_case_id"])
        outbox_publish(
            topic=TICKET_OPENED,
            payload=TicketOpened(
                ticket_id=ticket.pk,
                category=ticket.category,
                queue=ticket.queue,
                priority=ticket.priority,
                channel=ticket.channel,
            ),
        )
        if acknowledge:
            transaction.on_commit(lambda: outbound.send_acknowledgement(ticket))
    return ticket


def _locked_ticket(ticket_id: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        raise errors.TicketNotFound()
    return ticket


def _agent_ticket(actor: User, ticket_id: str) -> Ticket:
    if not selectors.is_agent(actor):
        raise errors.QueueNotAllowed("Only support agents can do this.")
    ticket = _locked_ticket(ticket_id)
    if not selectors.may_work(actor, ticket):
        raise errors.QueueNotAllowed()
    return ticket


def ticket_lock(*, actor: User, ticket_id: str, now: datetime | None = None) -> tuple[Ticket, User | None]:
    """Take (or refresh) the soft lock of a ticket an agent opened. Returns (ticket, the other agent holding it,
    if any: then the lock is not taken)."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _agent_ticket(actor, ticket_id)
        holder = selectors.lock_holder(ticket, now=now)
        if holder is not None and holder.pk != actor.pk:
            return ticket, holder
        ticket.locked_by = actor
        ticket.locked_until = now + timedelta(seconds=LOCK_SECONDS)
        ticket.save(update_fields=["locked_by", "locked_until", "updated_at"])
        return ticket, None


def ticket_unlock(*, actor: User, ticket_id: str) -> None:
    Ticket.objects.filter(pk=ticket_id, locked_by=actor).update(locked_by=None, locked_until=None)


def _requester_reply(
    ticket: Ticket, *, body: str, html: str, via: str, actor: User | None, now: datetime, mail_message_id: str = ""
) -> TicketMessage:
    if ticket.status == Ticket.Status.RESOLVED:
        if ticket.resolved_at and ticket.resolved_at < now - timedelta(days=REOPEN_DAYS):
            raise errors.TicketClosed()
        ticket.resolved_at = None
    ticket.status = Ticket.Status.OPEN
    ticket.save(update_fields=["status", "resolved_at", "updated_at"])
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=actor,
        author_kind=TicketMessage.Author.REQUESTER,
        via=via,
        body=body,
        html=html,
        mail_message_id=mail_message_id,
        created_at=now,
    )
    outbox_publish(
        topic=TICKET_REPLIED, payload=TicketReplied(ticket_id=ticket.pk, message_id=message.pk, author_kind="requester")
    )
    return message


def requester_reply_from_mail(
    *,
    ticket_id: str,
    body: str,
    html: str,
    attachments: list[MailPart],
    mail_message_id: str,
    now: datetime | None = None,
) -> TicketMessage:
    now = now or timezone.now()
    body = _clean_text(body or "(no text)", name="body", maximum=BODY_MAX * 5)[: BODY_MAX * 5]
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id)
        message = _requester_reply(
            ticket,
            body=body,
            html=html,
            via=Channel.EMAIL,
            actor=ticket.requester,
            now=now,
            mail_message_id=mail_message_id,
        )
        made = _attach(message, attachments)
        if any(a.status == Attachment.Status.REFUSED for a in made):
            transaction.on_commit(lambda: outbound.send_attachments_refused(ticket, message.pk))
        return message


def note_from_mail(
    *, ticket_id: str, body: str, reason: str, mail_message_id: str, now: datetime | None = None
) -> TicketMessage:
    """An automatic reply to a ticket's mail: kept as an internal note (nothing lost), nobody is notified."""
    now = now or timezone.now()
    return TicketMessage.objects.create(
        ticket_id=ticket_id,
        author_kind=TicketMessage.Author.SYSTEM,
        internal=True,
        via=Channel.EMAIL,
        body=f"Automatic reply received ({reason}); not answered.\n\n{body[:5000]}",
        mail_message_id=mail_message_id,
        created_at=now,
    )


def ticket_reply(
    *,
    actor: User,
    ticket_id: str,
    body: str,
    internal: bool = False,
    force: bool = False,
    now: datetime | None = None,
    ip: str = "",
) -> TicketMessage:
    """A reply on the web: by the requester (reopens a resolved ticket) or by an agent (mailed to the requester,
    unless it is an internal note). An agent replying while another agent holds the ticket's lock is refused
    (`support.ticket_locked`, naming who) unless they confirm with `force`."""
    now = now or timezone.now()
    body = _clean_text(body, name="body", maximum=BODY_MAX)
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id)
        if ticket.requester_id == actor.pk:  # an agent's own request is answered like anyone's
            return _requester_reply(ticket, body=body, html="", via=Channel.WEB, actor=actor, now=now)
        ticket = _agent_ticket(actor, ticket_id)
        holder = selectors.lock_holder(ticket, now=now)
        if holder is not None and holder.pk != actor.pk and not force:
            raise errors.TicketLocked(
                f"{holder.login} is working on this ticket right now. Confirm to reply anyway.",
                extra={
                    "locked_by": holder.login,
                    "locked_until": ticket.locked_until.isoformat() if ticket.locked_until else None,
                },
            )
        message = TicketMessage.objects.create(
            ticket=ticket,
            author=actor,
            author_kind=TicketMessage.Author.AGENT,
            internal=internal,
            body=body,
            created_at=now,
        )
        fields = ["updated_at"]
        if not internal:
            if ticket.first_responded_at is None:
                ticket.first_responded_at = now
                fields.append("first_responded_at")
            if ticket.status != Ticket.Status.RESOLVED:
                ticket.status = Ticket.Status.PENDING
                fields.append("status")
        if ticket.assignee_id is None:
            ticket.assignee = actor
            fields.append("assignee")
        ticket.locked_by, ticket.locked_until = actor, now + timedelta(seconds=LOCK_SECONDS)
        fields += ["locked_by", "locked_until"]
        ticket.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="support.note" if internal else "support.reply",
            target=ticket,
            ip=ip,
            data={"message_id": message.pk, "forced": bool(force and holder is not None and holder.pk != actor.pk)},
        )
        outbox_publish(
            topic=TICKET_REPLIED, payload=TicketReplied(ticket_id=ticket.pk, message_id=message.pk, author_kind="agent")
        )
        if not internal:
            transaction.on_commit(lambda: outbound.send_reply(ticket))
        return message


def ticket_escalate(
    *, actor: User, ticket_id: str, to_queue: str, note: str, now: datetime | None = None, ip: str = ""
) -> Ticket:
    """Move a ticket to another queue with a note for the agents there (an internal message). Audited."""
    now = now or timezone.now()
    if to_queue not in Queue.values:
        raise _field("queue", f"Choose one of: {', '.join(Queue.values)}.")
    note = _clean_text(note, name="note", maximum=2000)
    with transaction.atomic():
        ticket = _agent_ticket(actor, ticket_id)
        if ticket.queue == to_queue:
            raise _field("queue", "The ticket is already in this queue.")
        if not ticket.is_open:
            raise errors.TicketClosed()
        previous = ticket.queue
        ticket.queue = to_queue
        ticket.assignee = None
        ticket.locked_by, ticket.locked_until = None, None
        ticket.save(update_fields=["queue", "assignee", "locked_by", "locked_until", "updated_at"])
        TicketMessage.objects.create(
            ticket=ticket,
            author=actor,
            author_kind=TicketMessage.Author.AGENT,
            internal=True,
            body=f"Escalated from {Queue(previous).label} to {Queue(to_queue).label}: {note}",
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="support.escalate",
            target=ticket,
            ip=ip,
            data={"from": previous, "to": to_queue, "note": note},
        )
        outbox_publish(
            topic=TICKET_ESCALATED, payload=TicketEscalated(ticket_id=ticket.pk, from_queue=previous, to_queue=to_queue)
        )
    return ticket


def ticket_assign(*, actor: User, ticket_id: str, assignee_id: str | None, ip: str = "") -> Ticket:
    with transaction.atomic():
        ticket = _agent_ticket(actor, ticket_id)
        assignee = None
        if assignee_id:
            assignee = User.objects.filter(pk=assignee_id).first()
            if assignee is None or not selectors.may_work(assignee, ticket):
                raise _field("assignee_id", "Choose an agent who works this ticket's queue.")
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
        audit_record(actor=actor, action="support.assign", target=ticket, ip=ip, data={"assignee": assignee_id or ""})
    return ticket


def ticket_categorise(*, actor: User, ticket_id: str, category: str, ip: str = "") -> Ticket:
    if category not in Category.values:
        raise _field("category", f"Choose one of: {', '.join(Category.values)}.")
    with transaction.atomic():
        ticket = _agent_ticket(actor, ticket_id)
        previous = ticket.category
        ticket.category = category
        ticket.save(update_fields=["category", "updated_at"])
        if category == Category.SAFETY and not ticket.moderation_case_id:
            first = ticket.messages.filter(internal=False).order_by("created_at").first()
            ticket.moderation_case_id = _safety_case(ticket, first.body if first else ticket.subject)
            ticket.save(update_fields=["moderation_case_id"])
        audit_record(
            actor=actor, action="support.categorise", target=ticket, ip=ip, data={"from": previous, "to": category}
        )
    return ticket


def ticket_resolve(*, actor: User, ticket_id: str, now: datetime | None = None, ip: str = "") -> Ticket:
    """Resolve: the requester gets a closing mail with a one-click satisfaction survey. Audited."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _agent_ticket(actor, ticket_id)
        if not ticket.is_open:
            raise errors.TicketClosed("This ticket is already resolved.")
        ticket.status = Ticket.Status.RESOLVED
        ticket.resolved_at = now
        ticket.locked_by, ticket.locked_until = None, None
        if ticket.assignee_id is None:
            ticket.assignee = actor
        ticket.save(update_fields=["status", "resolved_at", "locked_by", "locked_until", "assignee", "updated_at"])
        audit_record(actor=actor, action="support.resolve", target=ticket, ip=ip)
        outbox_publish(topic=TICKET_RESOLVED, payload=TicketResolved(ticket_id=ticket.pk))
        transaction.on_commit(lambda: outbound.send_resolved(ticket))
    return ticket


def note_add(*, actor: User, subject_id: str, body: str, now: datetime | None = None, ip: str = "") -> CustomerNote:
    """An agent's note about a person, shown on their timeline. Audited (without the text)."""
    if not role_has(actor.role, Perm.SUPPORT_AGENT):
        raise errors.QueueNotAllowed("Only support agents can do this.")
    body = _clean_text(body, name="body", maximum=4000)
    subject = User.objects.filter(pk=subject_id).first()
    if subject is None:
        raise errors.TicketNotFound("No such person.")
    with transaction.atomic():
        note = CustomerNote.objects.create(subject=subject, author=actor, body=body, created_at=now or timezone.now())
        audit_record(actor=actor, action="support.note_person", target=subject, ip=ip, data={"note_id": note.pk})
    return note


def case_decision_note(*, case_id: str, action: str) -> int:
    """Trust & safety decided the case a safety ticket opened: note it on the ticket (internal). Returns how many."""
    notes = 0
    for ticket in Ticket.objects.filter(moderation_case_id=case_id):
        TicketMessage.objects.create(
            ticket=ticket,
            author_kind=TicketMessage.Author.SYSTEM,
            internal=True,
            body=f"Trust & safety decided the moderation case {case_id}: {action}.",
            created_at=timezone.now(),
        )
        notes += 1
    return notes


def guest_reply(*, ticket_id: str, body: str, now: datetime | None = None) -> TicketMessage:
    """A guest's reply on their ticket's page (reached by the signed link mailed to them only)."""
    now = now or timezone.now()
    body = _clean_text(body, name="body", maximum=BODY_MAX)
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id)
        if ticket.requester_id is not None:
            raise errors.TicketNotFound()  # an account's ticket is answered signed in
        return _requester_reply(ticket, body=body, html="", via=Channel.WEB, actor=None, now=now)
