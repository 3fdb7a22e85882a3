"""support's part of data-subject requests (core.privacy_registry) and of retention (attachments, closed tickets).

Erasure: the person's tickets keep their subject, category and timings (service statistics) but lose the
requester's address and name, every message body written by the requester, attachments, mails and the
satisfaction comment; staff notes about the person are emptied. Tickets under a legal hold are kept whole.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from stagedoor.core.hashing import email_hash
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    RetentionClass,
    RetentionRun,
    register_eraser,
    register_exporter,
    register_retention,
    rows,
)
from stagedoor.support.models import Attachment, CustomerNote, InboundMail, StreamIncident, Ticket, TicketMessage

HELD = "legal hold placed by compliance (GDPR Art. 17(3)(e))"


def _tickets_of(user: Any) -> Any:
    return Ticket.objects.filter(Q(requester=user) | Q(requester_email_hash=email_hash(user.email)))


def export_support(user: Any) -> ExportData:
    tickets = _tickets_of(user)
    return {
        "tickets": rows(
            tickets.order_by("created_at"),
            [
                "id",
                "subject",
                "requester_email",
                "requester_name",
                "category",
                "status",
                "channel",
                "created_at",
                "resolved_at",
                "csat_score",
                "csat_comment",
            ],
        ),
        "messages": rows(
            TicketMessage.objects.filter(ticket__in=tickets, internal=False).order_by("created_at"),
            ["id", "ticket_id", "author_kind", "via", "body", "created_at"],
        ),
        "attachments": rows(
            Attachment.objects.filter(message__ticket__in=tickets, message__internal=False).order_by("created_at"),
            ["id", "message_id", "filename", "content_type", "size", "status", "created_at"],
        ),
        "stream_incidents": rows(
            StreamIncident.objects.filter(performer=user).order_by("started_at"),
            ["id", "room_slug", "code", "message", "started_at", "ended_at"],
        ),
    }


def _wipe_encrypted(queryset: Any, *names: str) -> int:
    """Empty encrypted fields (ciphertexts cannot be compared in SQL: each row is read)."""
    changed = 0
    for obj in queryset.only("pk", *names):
        if any(getattr(obj, n) for n in names):
            type(obj).objects.filter(pk=obj.pk).update(**dict.fromkeys(names, ""))
            changed += 1
    return changed


def erase_support(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    held_ids = {tid for kind, tid in ctx.held_refs if kind == "support.ticket"}
    tickets = _tickets_of(ctx.user)
    erasable = tickets.exclude(pk__in=held_ids)
    result.keep("support tickets under a legal hold", HELD, tickets.filter(pk__in=held_ids).count())
    requester_msgs = TicketMessage.objects.filter(ticket__in=erasable).exclude(author_kind="agent")
    result.changed += _wipe_encrypted(requester_msgs, "body", "html")
    result.changed += _wipe_encrypted(Attachment.objects.filter(message__ticket__in=erasable), "content")
    result.changed += _wipe_encrypted(InboundMail.objects.filter(ticket__in=erasable), "raw")
    tombstone_hash = email_hash(ctx.tombstone_email)
    result.changed += InboundMail.objects.filter(sender_hash=email_hash(ctx.user.email)).update(
        sender=ctx.tombstone_email, sender_hash=tombstone_hash
    )
    result.changed += _wipe_encrypted(erasable, "csat_comment")
    result.changed += erasable.update(
        requester_email=ctx.tombstone_email, requester_email_hash=tombstone_hash, requester_name=""
    )
    result.changed += _wipe_encrypted(CustomerNote.objects.filter(subject=ctx.user), "body")
    return result


def _old_attachments(run: RetentionRun) -> int:
    old = Attachment.objects.filter(created_at__lt=run.cutoff).exclude(
        message__ticket__requester_id__in=run.held_user_ids
    )
    if run.dry_run:
        return sum(1 for a in old.only("pk", "content") if a.content)
    return _wipe_encrypted(old, "content")


def _old_closed_tickets(run: RetentionRun) -> int:
    old = Ticket.objects.filter(status=Ticket.Status.RESOLVED, resolved_at__lt=run.cutoff).exclude(
        requester_id__in=run.held_user_ids
    )
    if run.dry_run:
        return old.count()
    count = old.count()
    InboundMail.objects.filter(ticket__in=old).delete()
    old.delete()
    return count


register_exporter("support", export_support)
register_eraser("support", erase_support)
register_retention(
    RetentionClass(
        name="support.attachments",
        period="support_attachments",
        app_label="support",
        description="the content of support attachments",
        action="anonymise",
        run=_old_attachments,
    )
)
register_retention(
    RetentionClass(
        name="support.closed_tickets",
        period="closed_tickets",
        app_label="support",
        description="resolved tickets with their messages, attachments and mails",
        action="delete",
        run=_old_closed_tickets,
    )
)
