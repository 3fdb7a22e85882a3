"""Inbound mail, from the embedded SMTP listener or the provider's webhook, into tickets.

What becomes of a mail (every one is logged in `InboundMail`):
- a reply token (`support+<ticket>.<token>@domain`) that verifies threads the mail onto its ticket;
- a token that does not verify (forged, or for a ticket that does not exist) is never attached to that ticket:
  the mail opens a NEW ticket, marked `thread_verified=False`, with an internal note naming the claimed ticket;
- automatic mail (auto-replies, bounces, bulk — see `mailparse.loop_reasons`) is never answered: on a ticket it
  is kept as an internal note, otherwise only logged; so two auto-responders cannot ping-pong through us;
- a sender over the hourly cap is held: logged with the raw mail (encrypted), no ticket, no answer;
- a Message-ID seen before is a duplicate (a provider retrying) and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.selectors import user_by_email
from stagedoor.support import errors, selectors, tokens
from stagedoor.support.mailparse import ParsedMail, parse_mail, reply_tokens, strip_quoted
from stagedoor.support.models import Channel, InboundMail, Ticket, TicketMessage
from stagedoor.support.services import tickets

log = logging.getLogger("stagedoor.support.inbound")
RAW_KEEP_MAX = 2 * 1024 * 1024


def _log(
    mail: ParsedMail | None,
    *,
    transport: str,
    sender: str,
    recipient: str,
    size: int,
    outcome: str,
    reason: str = "",
    ticket: Ticket | None = None,
    raw: bytes = b"",
    now: datetime,
) -> InboundMail:
    return InboundMail.objects.create(
        transport=transport,
        sender=(mail.sender if mail else sender)[:254],
        recipient=recipient[:254],
        subject=(mail.subject if mail else "")[:200],
        mail_message_id=(mail.message_id if mail else "")[:250],
        size=size,
        outcome=outcome,
        reason=reason[:300],
        ticket=ticket,
        raw=raw[:RAW_KEEP_MAX].decode("utf-8", "replace") if raw else "",
        created_at=now,
    )


def mail_receive(
    *,
    raw: bytes,
    transport: str,
    envelope_from: str = "",
    envelope_to: list[str] | None = None,
    now: datetime | None = None,
) -> InboundMail:
    now = now or timezone.now()
    cfg = settings.STAGEDOOR.support
    recipient = ",".join(envelope_to or [])
    if len(raw) > cfg.mail_max_mb * 1024 * 1024:
        _log(
            None,
            transport=transport,
            sender=envelope_from,
            recipient=recipient,
            size=len(raw),
            outcome=InboundMail.Outcome.REJECTED,
            reason="mail too large",
            now=now,
        )
        raise errors.MailTooLarge(f"A mail may be at most {cfg.mail_max_mb} MB.")
    try:
        mail = parse_mail(raw, envelope_from=envelope_from, envelope_to=envelope_to, reply_domain=cfg.reply_domain)
    except Exception as exc:  # a mail the standard library cannot read at all
        log.warning("unreadable inbound mail", extra={"error": str(exc)})
        _log(
            None,
            transport=transport,
            sender=envelope_from,
            recipient=recipient,
            size=len(raw),
            outcome=InboundMail.Outcome.REJECTED,
            reason="unreadable",
            now=now,
        )
        raise errors.MailRejected() from None

    def record(outcome: str, reason: str = "", ticket: Ticket | None = None, keep_raw: bool = False) -> InboundMail:
        return _log(
            mail,
            transport=transport,
            sender=envelope_from,
            recipient=recipient,
            size=len(raw),
            outcome=outcome,
            reason=reason,
            ticket=ticket,
            raw=raw if keep_raw else b"",
            now=now,
        )

    if mail.message_id and (
        TicketMessage.objects.filter(mail_message_id=mail.message_id).exists()
        or InboundMail.objects.filter(mail_message_id=mail.message_id, outcome=InboundMail.Outcome.HELD).exists()
    ):
        return record(InboundMail.Outcome.DUPLICATE, "Message-ID seen before")
    if (
        not mail.is_automatic
        and selectors.mails_from_since(mail.sender, now - timedelta(hours=1)) >= cfg.mails_per_hour
    ):
        return record(
            InboundMail.Outcome.HELD,
            f"more than {cfg.mails_per_hour} mails in an hour from this address",
            keep_raw=True,
        )
    if mail.is_automatic and selectors.mails_from_since(mail.sender, now - timedelta(hours=1)) >= cfg.mails_per_hour:
        return record(
            InboundMail.Outcome.AUTO_DROPPED, "automatic mail over the hourly cap: " + "; ".join(mail.loop_reasons)
        )

    claimed = [t for t in reply_tokens(mail.recipients) if t[2] == cfg.reply_domain.lower()]
    forged: list[str] = []
    for ticket_id, token, _domain in claimed:
        if tokens.reply_token_ok(ticket_id, token) and Ticket.objects.filter(pk=ticket_id).exists():
            if mail.is_automatic:
                with transaction.atomic():
                    try:
                        tickets.note_from_mail(
                            ticket_id=ticket_id,
                            body=mail.text,
                            reason="; ".join(mail.loop_reasons),
                            mail_message_id=mail.message_id,
                            now=now,
                        )
                    except IntegrityError:
                        return record(InboundMail.Outcome.DUPLICATE, "Message-ID seen before")
                    return record(
                        InboundMail.Outcome.AUTO_REPLY, "; ".join(mail.loop_reasons), Ticket.objects.get(pk=ticket_id)
                    )
            try:
                with transaction.atomic():
                    message = tickets.requester_reply_from_mail(
                        ticket_id=ticket_id,
                        body=strip_quoted(mail.text),
                        html=mail.html,
                        attachments=mail.attachments,
                        mail_message_id=mail.message_id,
                        now=now,
                    )
                    return record(InboundMail.Outcome.THREADED, "", message.ticket)
            except errors.TicketClosed:
                forged_reason = f"ticket {ticket_id} was resolved more than {tickets.REOPEN_DAYS} days ago"
                return _new_ticket(mail, record, now=now, note=f"A reply to a long-closed ticket ({forged_reason}).")
            except IntegrityError:
                return record(InboundMail.Outcome.DUPLICATE, "Message-ID seen before")
        forged.append(ticket_id)
    if mail.is_automatic:
        return record(InboundMail.Outcome.AUTO_DROPPED, "; ".join(mail.loop_reasons))
    if forged:
        note = (
            f"This mail was sent to a reply address for ticket {forged[0]} whose token did not verify; "
            "it was NOT added to that ticket. Check who sent it before sharing anything from that ticket."
        )
        return _new_ticket(mail, record, now=now, note=note, verified=False)
    return _new_ticket(mail, record, now=now)


def _new_ticket(
    mail: ParsedMail, log_it: Callable[..., InboundMail], *, now: datetime, note: str = "", verified: bool = True
) -> InboundMail:
    requester = user_by_email(mail.sender) if mail.sender else None
    request = tickets.OpenRequest(
        subject=mail.subject or "(no subject)",
        body=mail.text or "(no text)",
        email=mail.sender,
        name=mail.sender_name,
        channel=Channel.EMAIL,
        language=mail.language or "en",
        html=mail.html,
        attachments=mail.attachments,
        mail_message_id=mail.message_id,
        thread_verified=verified,
        note=note,
    )
    try:
        with transaction.atomic():
            ticket = tickets.ticket_open(requester=requester, request=request, now=now)
            outcome = InboundMail.Outcome.NEW_TICKET if verified else InboundMail.Outcome.FORGED_TOKEN
            return log_it(outcome, "" if verified else "reply token did not verify", ticket)
    except IntegrityError:
        return log_it(InboundMail.Outcome.DUPLICATE, "Message-ID seen before")
    except errors.TooManyTickets:
        return log_it(InboundMail.Outcome.HELD, "too many tickets from this address in an hour", None, True)
    except errors.TicketInvalid as exc:
        return log_it(InboundMail.Outcome.REJECTED, exc.message)
    except errors.GuestEmailRequired:
        return log_it(InboundMail.Outcome.REJECTED, "no sender address")
