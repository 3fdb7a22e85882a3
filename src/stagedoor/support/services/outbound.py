"""Mail the desk sends: the acknowledgement, agents' replies (with the conversation), the closing mail with the
satisfaction survey, SLA breach alerts. Every mail to a requester carries the ticket's reply address."""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage

from stagedoor.support import tokens
from stagedoor.support.models import Attachment, Ticket, TicketMessage

log = logging.getLogger("stagedoor.support.mail")
REPLY_MARKER = "-- Reply above this line --"
CONVERSATION_MESSAGES = 5


def _site_url(path: str) -> str:
    return f"{settings.STAGEDOOR.base_url}{path}"


def ticket_url(ticket: Ticket) -> str:
    """Where the requester follows the ticket: their requests page, or (a guest) a signed link."""
    if ticket.requester_id:
        return _site_url(f"/support/tickets/{ticket.pk}")
    return _site_url(f"/support/t/{tokens.view_token(ticket.pk)}")


def _conversation(ticket: Ticket) -> str:
    shown = list(
        ticket.messages.filter(internal=False).select_related("author").order_by("-created_at")[:CONVERSATION_MESSAGES]
    )
    parts = []
    for message in shown:
        who = "Support" if message.author_kind == TicketMessage.Author.AGENT else (ticket.requester_name or "You")
        quoted = "\n".join(f"> {line}" for line in message.body.splitlines())
        parts.append(f"{who}, {message.created_at:%Y-%m-%d %H:%M} UTC:\n{quoted}")
    return "\n\n".join(parts)


def _send(ticket: Ticket, *, subject: str, body: str, automatic: bool) -> str:
    domain = settings.STAGEDOOR.support.reply_domain
    message_id = make_msgid(idstring=ticket.pk[-10:], domain=domain)
    headers = {"Message-ID": message_id, "X-Loop": domain}
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: well-behaved responders do not answer this
        headers["X-Auto-Response-Suppress"] = "All"
    mail = EmailMessage(
        subject=f"[#{ticket.pk[-8:]}] {subject}",
        body=body,
        from_email=f"Stagedoor support <{tokens.desk_address()}>",
        to=[ticket.requester_email],
        reply_to=[tokens.reply_address(ticket.pk)],
        headers=headers,
    )
    try:
        mail.send()
    except Exception:  # a mail server being down must not undo the reply: it is on the web page too
        log.exception("support mail not sent", extra={"ticket": ticket.pk})
    return message_id


def _refused_lines(ticket: Ticket) -> str:
    refused = Attachment.objects.filter(message__ticket=ticket, status=Attachment.Status.REFUSED).order_by("created_at")
    lines = [f"- {a.filename}: {a.reason}" for a in refused[:20]]
    if not lines:
        return ""
    return "These attachments were not accepted (your message itself arrived):\n" + "\n".join(lines) + "\n\n"


def send_acknowledgement(ticket: Ticket) -> str:
    body = (
        f"Hello {ticket.requester_name or 'there'},\n\n"
        f'we got your request "{ticket.subject}" and will answer as soon as we can.\n'
        f"Reply to this mail to add anything, or follow it on {ticket_url(ticket)}.\n\n"
        f"{_refused_lines(ticket)}"
        "— Stagedoor support"
    )
    return _send(ticket, subject=ticket.subject, body=body, automatic=True)


def send_attachments_refused(ticket: Ticket, message_id: str) -> str:
    """A reply by mail arrived with attachments we refused: tell the sender which and why (automatic)."""
    refused = Attachment.objects.filter(message_id=message_id, status=Attachment.Status.REFUSED)
    lines = "\n".join(f"- {a.filename}: {a.reason}" for a in refused[:20])
    body = (
        f"Your reply arrived, but these attachments were not accepted:\n{lines}\n\n"
        "Photos (JPEG, PNG, WebP), PDF and plain text files up to the size limit are accepted.\n\n— Stagedoor support"
    )
    return _send(ticket, subject=f"Re: {ticket.subject}", body=body, automatic=True)


def send_reply(ticket: Ticket) -> str:
    body = f"{REPLY_MARKER}\n\n{_conversation(ticket)}\n\nReply to this mail, or answer on {ticket_url(ticket)}."
    return _send(ticket, subject=f"Re: {ticket.subject}", body=body, automatic=False)


def send_resolved(ticket: Ticket) -> str:
    survey = _site_url(f"/support/survey/{tokens.survey_token(ticket.pk)}")
    body = (
        f"Hello {ticket.requester_name or 'there'},\n\n"
        f'we have marked your request "{ticket.subject}" as resolved. If something is still wrong, just reply.\n\n'
        f"How did we do? One click: {survey}\n\n{_conversation(ticket)}\n\n— Stagedoor support"
    )
    return _send(ticket, subject=f"Resolved: {ticket.subject}", body=body, automatic=True)


def send_breach_alert(ticket: Ticket, *, target: str, agents: list[str]) -> None:
    if not agents:
        return
    what = "first response" if target == "first_response" else "resolution"
    mail = EmailMessage(
        subject=f"SLA breached: {what} of ticket #{ticket.pk[-8:]} ({ticket.get_queue_display()})",
        body=f'The {what} target of "{ticket.subject}" ({ticket.get_priority_display()}) has passed.\n'
        f"{_site_url(f'/staff/support/tickets/{ticket.pk}/')}",
        from_email=f"Stagedoor support <{tokens.desk_address()}>",
        to=agents[:50],
        headers={"Auto-Submitted": "auto-generated", "X-Loop": settings.STAGEDOOR.support.reply_domain},
    )
    try:
        mail.send()
    except Exception:
        log.exception("SLA alert not sent", extra={"ticket": ticket.pk})
