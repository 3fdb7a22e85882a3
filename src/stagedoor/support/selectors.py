"""Reads of the support desk: the queues an agent may work, access checks, suggestions, onboarding, results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.hashing import email_hash
from stagedoor.support import errors, similarity
from stagedoor.support.models import (
    Attachment,
    CustomerNote,
    HelpArticle,
    InboundMail,
    Macro,
    Queue,
    Ticket,
    TicketMessage,
)

QUEUE_PERMS: dict[str, str] = {
    Queue.L1: Perm.SUPPORT_AGENT,
    Queue.L2: Perm.SUPPORT_QUEUE_L2,
    Queue.FINANCE: Perm.SUPPORT_QUEUE_FINANCE,
    Queue.COMPLIANCE: Perm.SUPPORT_QUEUE_COMPLIANCE,
}
QUEUE_PAGE_SIZE = 50


def is_agent(user: Any) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and role_has(user.role, Perm.SUPPORT_AGENT)
    )


def queues_of(user: Any) -> list[str]:
    """The queues `user` works. Tier 1 is open to every agent (L2 and specialists pick up from it too)."""
    if not is_agent(user):
        return []
    return [q for q, perm in QUEUE_PERMS.items() if role_has(user.role, perm)]


def may_work(user: Any, ticket: Ticket) -> bool:
    return ticket.queue in queues_of(user)


def access_ticket(actor: Any, ticket_id: str) -> Ticket:
    """The ticket, for its requester or an agent of its queue; otherwise TicketNotFound (not a hint it exists)."""
    ticket = Ticket.objects.select_related("requester", "assignee", "locked_by").filter(pk=ticket_id).first()
    if ticket is None or actor is None or not getattr(actor, "is_authenticated", False):
        raise errors.TicketNotFound()
    if ticket.requester_id == actor.pk:
        return ticket
    if is_agent(actor):
        if not may_work(actor, ticket):
            raise errors.QueueNotAllowed()
        return ticket
    raise errors.TicketNotFound()


def tickets_of(user: User, *, limit: int = 50) -> QuerySet[Ticket]:
    return Ticket.objects.filter(requester=user).order_by("-created_at")[:limit]


def ticket_messages(ticket: Ticket, *, include_internal: bool) -> list[TicketMessage]:
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    if not include_internal:
        qs = qs.filter(internal=False)
    return list(qs)


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    total: int
    page: int
    pages: int


def queue_page(
    actor: Any, *, queue: str = "", status: str = "open", language: str = "", mine: bool = False, page: int = 1
) -> QueuePage:
    """Open tickets of the queues `actor` works, most urgent first (priority, then age). The page's ids come from
    the covering index (status, queue, priority_rank, created_at, id); then its 50 rows are read by id."""
    allowed = queues_of(actor)
    queues = [queue] if queue in allowed else allowed
    statuses = (
        [Ticket.Status.RESOLVED]
        if status == "resolved"
        else [Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING]
    )
    qs = Ticket.objects.filter(status__in=statuses, queue__in=queues)
    if language:
        qs = qs.filter(language=language[:8])
    if mine:
        qs = qs.filter(assignee=actor)
    total = qs.count()
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = max(1, min(page, pages))
    start = (page - 1) * QUEUE_PAGE_SIZE
    # ids first, from the covering index (a narrow sort), then the page's 50 rows with their agents
    ordered = qs.order_by("priority_rank", "created_at", "id").values_list("id", flat=True)
    ids = list(ordered[start : start + QUEUE_PAGE_SIZE])
    found = Ticket.objects.select_related("assignee", "locked_by").in_bulk(ids)
    return QueuePage(tickets=[found[i] for i in ids if i in found], total=total, page=page, pages=pages)


def lock_holder(ticket: Ticket, *, now: datetime) -> User | None:
    """Who holds the ticket's soft lock now (None: nobody, or it expired)."""
    if ticket.locked_by_id and ticket.locked_until and ticket.locked_until > now:
        return ticket.locked_by
    return None


def macros_active() -> QuerySet[Macro]:
    return Macro.objects.filter(active=True).order_by("title")


def macro_get(macro_id: str) -> Macro:
    macro = Macro.objects.filter(pk=macro_id, active=True).first()
    if macro is None:
        raise errors.MacroNotFound()
    return macro


def articles_published() -> QuerySet[HelpArticle]:
    return HelpArticle.objects.filter(published=True)


def article_get(slug: str) -> HelpArticle:
    article = articles_published().filter(slug=slug[:80]).first()
    if article is None:
        raise errors.ArticleNotFound()
    return article


def articles_search(query: str, *, limit: int = 10) -> list[HelpArticle]:
    """Published articles matching `query`: words in the title, summary or body (all of them), then by similarity."""
    articles = list(articles_published())
    query = " ".join(query.split())[:200]
    if not query:
        return articles[:limit]
    words = [w.lower() for w in query.split() if len(w) > 1]
    exact = [a for a in articles if all(w in f"{a.title} {a.summary} {a.body}".lower() for w in words)]
    ranked = similarity.rank(query, [f"{a.title} {a.summary} {a.body}" for a in articles], limit=limit)
    similar = [articles[i] for i, _ in ranked if articles[i] not in exact]
    return (exact + similar)[:limit]


@dataclass(frozen=True)
class Suggestions:
    macros: list[tuple[Macro, float]]
    articles: list[tuple[HelpArticle, float]]


def ticket_text(ticket: Ticket) -> str:
    first = ticket.messages.filter(internal=False).order_by("created_at").first()
    return f"{ticket.subject}\n{first.body if first else ''}"


def suggestions_for(ticket: Ticket) -> Suggestions:
    text = ticket_text(ticket)
    macros = list(macros_active())
    articles = list(articles_published())
    ranked_macros = similarity.rank(text, [f"{m.title} {m.body}" for m in macros])
    ranked_articles = similarity.rank(text, [f"{a.title} {a.summary} {a.body}" for a in articles])
    return Suggestions(
        macros=[(macros[i], s) for i, s in ranked_macros], articles=[(articles[i], s) for i, s in ranked_articles]
    )


def attachment_for(actor: Any, attachment_id: str) -> Attachment:
    attachment = Attachment.objects.select_related("message__ticket").filter(pk=attachment_id).first()
    if attachment is None or attachment.status != Attachment.Status.CLEAN:
        raise errors.TicketNotFound("No such attachment.")
    ticket = attachment.message.ticket
    if attachment.message.internal and not is_agent(actor):
        raise errors.TicketNotFound("No such attachment.")
    access_ticket(actor, ticket.pk)
    return attachment


def notes_of(subject_id: str, *, before: datetime | None = None, limit: int = 50) -> list[CustomerNote]:
    qs = CustomerNote.objects.filter(subject_id=subject_id)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return list(qs.select_related("author").order_by("-created_at")[:limit])


def inbound_recent(*, limit: int = 50) -> list[InboundMail]:
    return list(InboundMail.objects.order_by("-created_at")[:limit])


def mails_from_since(sender: str, since: datetime) -> int:
    return InboundMail.objects.filter(sender_hash=email_hash(sender), created_at__gte=since).count()


@dataclass(frozen=True)
class CsatRow:
    label: str
    answers: int
    average: float
    satisfied_pct: int  # share of 4s and 5s


def csat_results(*, days: int = 90, now: datetime | None = None) -> tuple[list[CsatRow], list[CsatRow]]:
    """Satisfaction per agent and per category over the last `days` days (answered surveys only)."""
    since = (now or timezone.now()) - timedelta(days=days)
    answered = Ticket.objects.filter(csat_at__gte=since, csat_score__isnull=False)

    def rows(field: str) -> list[CsatRow]:
        out = []
        for row in (
            answered.values(field)
            .annotate(n=Count("id"), avg=Avg("csat_score"), happy=Count("id", filter=Q(csat_score__gte=4)))
            .order_by(field)
        ):
            out.append(
                CsatRow(
                    label=str(row[field] or "—"),
                    answers=int(row["n"]),
                    average=round(float(row["avg"] or 0), 2),
                    satisfied_pct=round(100 * int(row["happy"]) / int(row["n"])) if row["n"] else 0,
                )
            )
        return out

    return rows("csat_agent__login"), rows("category")
