"""The support API (see docs/support.md): tickets for requesters and agents, the queue, the customer timeline,
macros and suggestions, help articles, surveys, onboarding, and the inbound mail webhook (Mailgun)."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja import Form, Router, Status

from stagedoor.accounts.auth import AUTH, optional_user, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.timeline import timeline_for
from stagedoor.support import errors, onboarding, schemas, selectors, services
from stagedoor.support.models import Channel, InboundMail, Ticket

router = Router(tags=["support"])
WEBHOOK_MAX_AGE_S = 300


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def ticket_out(ticket: Ticket, viewer: Any, *, with_messages: bool = True) -> dict[str, Any]:
    agent = selectors.is_agent(viewer) and ticket.requester_id != getattr(viewer, "pk", None)
    messages = selectors.ticket_messages(ticket, include_internal=agent) if with_messages else []
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "category": ticket.category,
        "priority": ticket.priority,
        "queue": ticket.queue,
        "status": ticket.status,
        "channel": ticket.channel,
        "language": ticket.language,
        "requester_email": ticket.requester_email,
        "purchase_id": ticket.purchase_id,
        "moderation_case_id": ticket.moderation_case_id if agent else "",
        "during_show": ticket.during_show,
        "thread_verified": ticket.thread_verified,
        "created_at": ticket.created_at,
        "first_response_due": ticket.first_response_due,
        "resolution_due": ticket.resolution_due,
        "first_responded_at": ticket.first_responded_at,
        "resolved_at": ticket.resolved_at,
        "assignee_login": ticket.assignee.login if agent and ticket.assignee else None,
        "locked_by_login": ticket.locked_by.login if agent and ticket.locked_by else None,
        "messages": [
            {
                "id": m.pk,
                "author_kind": m.author_kind,
                "author_login": m.author.login if m.author is not None and agent else None,
                "internal": m.internal,
                "via": m.via,
                "body": m.body,
                "created_at": m.created_at,
                "attachments": [
                    {
                        "id": a.pk,
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": a.size,
                        "status": a.status,
                        "reason": a.reason,
                    }
                    for a in m.attachments.all()
                ],
            }
            for m in messages
        ],
    }


# --- requesters ----------------------------------------------------------------------------------------------


@router.post("/support/tickets", response={201: schemas.SupportTicketOut}, auth=None)
def ticket_create(request: HttpRequest, payload: schemas.TicketIn) -> Status[dict[str, Any]]:
    """Open a ticket: signed in (answered at your account's address) or as a guest with an e-mail address."""
    user = optional_user(request)
    if payload.channel not in (Channel.WEB, Channel.STUDIO, Channel.WALLET):
        raise errors.TicketInvalid(extra={"fields": {"channel": ["Use web, studio or wallet."]}})
    ticket = services.ticket_open(
        requester=user,
        request=services.OpenRequest(
            subject=payload.subject,
            body=payload.body,
            category=payload.category,
            email=payload.email,
            name=payload.name,
            channel=payload.channel,
            language=payload.language,
            purchase_id=payload.purchase_id,
            context=payload.context,
        ),
    )
    return Status(201, ticket_out(ticket, user))


@router.get("/support/tickets", response=list[schemas.SupportTicketOut], auth=AUTH)
def my_tickets(request: HttpRequest) -> list[dict[str, Any]]:
    me = _me(request)
    return [ticket_out(t, me, with_messages=False) for t in selectors.tickets_of(me)]


@router.get("/support/tickets/{ticket_id}", response=schemas.SupportTicketOut, auth=AUTH)
def ticket_get(request: HttpRequest, ticket_id: str) -> dict[str, Any]:
    """A ticket and its conversation: for its requester, or an agent of its queue (who also sees internal notes)."""
    me = _me(request)
    return ticket_out(selectors.access_ticket(me, ticket_id), me)


@router.post("/support/tickets/{ticket_id}/messages", response={201: schemas.TicketMessageOut}, auth=AUTH)
def ticket_message(request: HttpRequest, ticket_id: str, payload: schemas.ReplyIn) -> Status[dict[str, Any]]:
    """Reply. An agent's reply is mailed to the requester; `internal` makes a note for staff; while another agent
    holds the ticket's lock the reply is refused (409 `support.ticket_locked`) unless `force`."""
    me = _me(request)
    ticket = selectors.access_ticket(me, ticket_id)
    internal = payload.internal and selectors.is_agent(me) and ticket.requester_id != me.pk
    message = services.ticket_reply(
        actor=me, ticket_id=ticket.pk, body=payload.body, internal=internal, force=payload.force, ip=_ip(request)
    )
    return Status(
        201,
        {
            "id": message.pk,
            "author_kind": message.author_kind,
            "author_login": me.login,
            "internal": message.internal,
            "via": message.via,
            "body": message.body,
            "created_at": message.created_at,
            "attachments": [],
        },
    )


# --- agents --------------------------------------------------------------------------------------------------


@router.get("/support/queue", response=schemas.QueueOut, auth=requires(Perm.SUPPORT_AGENT))
def queue(
    request: HttpRequest, queue: str = "", status: str = "open", language: str = "", mine: bool = False, page: int = 1
) -> dict[str, Any]:
    """Open tickets of the queues you work, most urgent first (50 a page)."""
    me = _me(request)
    result = selectors.queue_page(me, queue=queue, status=status, language=language, mine=mine, page=page)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "tickets": [ticket_out(t, me, with_messages=False) for t in result.tickets],
    }


@router.post("/support/tickets/{ticket_id}/lock", response=schemas.LockOut, auth=requires(Perm.SUPPORT_AGENT))
def ticket_lock(request: HttpRequest, ticket_id: str) -> dict[str, Any]:
    """Take or refresh the soft lock (5 minutes); if another agent holds it, says who and does not take it."""
    me = _me(request)
    ticket, other = services.ticket_lock(actor=me, ticket_id=ticket_id)
    holder = other or me
    return {
        "ticket_id": ticket.pk,
        "held": other is None,
        "locked_by_login": holder.login,
        "locked_until": ticket.locked_until,
    }


@router.post(
    "/support/tickets/{ticket_id}/escalate", response=schemas.SupportTicketOut, auth=requires(Perm.SUPPORT_AGENT)
)
def ticket_escalate(request: HttpRequest, ticket_id: str, payload: schemas.EscalateIn) -> dict[str, Any]:
    me = _me(request)
    ticket = services.ticket_escalate(
        actor=me, ticket_id=ticket_id, to_queue=payload.queue, note=payload.note, ip=_ip(request)
    )
    return ticket_out(ticket, me, with_messages=False)


@router.post(
    "/support/tickets/{ticket_id}/assign", response=schemas.SupportTicketOut, auth=requires(Perm.SUPPORT_AGENT)
)
def ticket_assign(request: HttpRequest, ticket_id: str, payload: schemas.AssignIn) -> dict[str, Any]:
    me = _me(request)
    ticket = services.ticket_assign(actor=me, ticket_id=ticket_id, assignee_id=payload.assignee_id, ip=_ip(request))
    return ticket_out(ticket, me, with_messages=False)


@router.post(
    "/support/tickets/{ticket_id}/resolve", response=schemas.SupportTicketOut, auth=requires(Perm.SUPPORT_AGENT)
)
def ticket_resolve(request: HttpRequest, ticket_id: str) -> dict[str, Any]:
    me = _me(request)
    return ticket_out(services.ticket_resolve(actor=me, ticket_id=ticket_id, ip=_ip(request)), me, with_messages=False)


@router.post(
    "/support/tickets/{ticket_id}/macros/{macro_id}",
    response=schemas.SupportTicketOut,
    auth=requires(Perm.SUPPORT_AGENT),
)
def macro_apply(request: HttpRequest, ticket_id: str, macro_id: str, payload: schemas.MacroApplyIn) -> dict[str, Any]:
    """Reply with a macro (placeholders filled) and run its actions (category, escalate, resolve)."""
    me = _me(request)
    ticket = services.macro_apply(
        actor=me, ticket_id=ticket_id, macro_id=macro_id, force=payload.force, ip=_ip(request)
    )
    return ticket_out(ticket, me)


@router.get(
    "/support/tickets/{ticket_id}/suggestions", response=schemas.SuggestionsOut, auth=requires(Perm.SUPPORT_AGENT)
)
def suggestions(request: HttpRequest, ticket_id: str) -> dict[str, Any]:
    """Macros and help articles like the ticket's text, and OBS advice from the requester's live stream health."""
    me = _me(request)
    ticket = selectors.access_ticket(me, ticket_id)
    found = selectors.suggestions_for(ticket)
    rows = [{"kind": "macro", "id": m.pk, "title": m.title, "score": round(s, 3)} for m, s in found.macros]
    rows += [{"kind": "article", "id": a.slug, "title": a.title, "score": round(s, 3)} for a, s in found.articles]
    advice = [{"code": c, "advice": t} for c, t in services.stream_advice(ticket.requester)]
    return {"suggestions": rows, "stream_advice": advice}


@router.get("/support/people/{user_id}/timeline", response=schemas.TimelineOut, auth=requires(Perm.SUPPORT_AGENT))
def timeline(request: HttpRequest, user_id: str, before: datetime | None = None, limit: int = 50) -> dict[str, Any]:
    """One view of a person across the platform; each source shown only to roles allowed to read it."""
    me = _me(request)
    if not User.objects.filter(pk=user_id).exists():
        raise errors.TicketNotFound("No such person.")
    result = timeline_for(user_id, can=lambda perm: role_has(me.role, perm), before=before, limit=limit)
    return {
        "subject_id": user_id,
        "entries": [e.__dict__ for e in result.entries],
        "sources": result.sources,
        "hidden": result.hidden,
        "failed": result.failed,
        "next_before": result.next_before,
    }


@router.get("/support/csat", response=schemas.CsatOut, auth=requires(Perm.SUPPORT_MANAGE))
def csat(request: HttpRequest, days: int = 90) -> dict[str, Any]:
    days = max(1, min(days, 366))
    per_agent, per_category = selectors.csat_results(days=days)
    return {
        "days": days,
        "per_agent": [r.__dict__ for r in per_agent],
        "per_category": [r.__dict__ for r in per_category],
    }


# --- everyone ------------------------------------------------------------------------------------------------


@router.get("/support/articles", response=list[schemas.ArticleOut], auth=None)
def articles(request: HttpRequest, q: str = "") -> list[Any]:
    return selectors.articles_search(q[:200], limit=20)


@router.get("/support/articles/{slug}", response=schemas.ArticleOut, auth=None)
def article(request: HttpRequest, slug: str) -> Any:
    return selectors.article_get(slug)


@router.post("/support/surveys/{token}", response=schemas.SatisfactionOut, auth=None)
def survey(request: HttpRequest, token: str, payload: schemas.SatisfactionIn) -> dict[str, Any]:
    """Answer the satisfaction survey of a resolved ticket (the signed link in its closing mail)."""
    ticket = services.survey_answer(token=token, score=payload.score, comment=payload.comment)
    return {"ticket_id": ticket.pk, "score": ticket.csat_score or 0}


@router.get("/support/onboarding", response=schemas.OnboardingOut, auth=requires(Perm.ROOM_MANAGE))
def onboarding_get(request: HttpRequest) -> dict[str, Any]:
    """Your performer onboarding checklist."""
    checklist = onboarding.checklist_for(require_perm(_me(request), Perm.ROOM_MANAGE))
    return {
        "done": checklist.done,
        "total": len(checklist.steps),
        "percent": checklist.percent,
        "steps": [{"key": s.key, "title": s.title, "done": s.done, "url": s.url} for s in checklist.steps],
    }


# --- the provider webhook ------------------------------------------------------------------------------------


def mailgun_signature_ok(key: str, timestamp: str, token: str, signature: str, *, now: float | None = None) -> bool:
    """Mailgun's scheme: hex HMAC-SHA256 of timestamp + token under the webhook signing key; fresh; used once."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    if age > WEBHOOK_MAX_AGE_S or not token:
        return False
    expected = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return False
    return bool(cache.add(f"support:mailgun:{token[:100]}", 1, timeout=WEBHOOK_MAX_AGE_S * 2))


@router.post("/support/inbound/mailgun", response={200: schemas.InboundOut, 406: schemas.InboundOut}, auth=None)
def inbound_mailgun(
    request: HttpRequest,
    timestamp: Form[str] = "",
    token: Form[str] = "",
    signature: Form[str] = "",
    recipient: Form[str] = "",
    sender: Form[str] = "",
) -> Status[dict[str, Any]]:
    """Mailgun's inbound route ("forward" to a URL ending in `mime`): a form with `body-mime` (the whole message),
    `recipient`, `sender` and the signature fields. 406 tells Mailgun not to retry a mail we refused."""
    key = settings.STAGEDOOR.support.mailgun_signing_key
    if not key:
        raise errors.WebhookOff()
    if not mailgun_signature_ok(key, timestamp, token, signature):
        raise errors.WebhookSignatureInvalid()
    raw = request.POST.get("body-mime", "")
    if not raw:
        raise errors.MailRejected("The form has no body-mime field (configure the route to forward as MIME).")
    try:
        row = services.mail_receive(
            raw=raw.encode("utf-8", "surrogateescape"),
            transport="mailgun",
            envelope_from=sender[:254],
            envelope_to=[r.strip() for r in recipient.split(",") if r.strip()][:10],
        )
    except (errors.MailRejected, errors.MailTooLarge) as exc:
        return Status(
            406, {"id": "", "outcome": InboundMail.Outcome.REJECTED, "reason": exc.message, "ticket_id": None}
        )
    return Status(200, {"id": row.pk, "outcome": row.outcome, "reason": row.reason, "ticket_id": row.ticket_id})
