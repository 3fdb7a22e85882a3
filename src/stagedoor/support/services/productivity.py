"""Macros (placeholders and actions), canned stream advice, satisfaction surveys, the SLA sweep, help articles."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import role_has
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.payments.models import Purchase
from stagedoor.rooms.models import Room
from stagedoor.streaming import selectors as streaming_selectors
from stagedoor.support import errors, selectors, tokens
from stagedoor.support.events import SLA_BREACHED, SlaBreached
from stagedoor.support.models import Macro, Ticket, TicketMessage
from stagedoor.support.services import outbound, tickets

PLACEHOLDER_RE = re.compile(r"\{(name|last_purchase|stream_advice|ticket)\}")

# the stream's own health warnings (streaming.inspector codes) → what to change in OBS
OBS_ADVICE: dict[str, str] = {
    "keyframe_interval_too_long": (
        "Set the keyframe interval to 2 s: OBS → Settings → Output → Output Mode: Advanced → Streaming → "
        "Keyframe Interval: 2."
    ),
    "bitrate_over_cap": (
        "Lower your bitrate: OBS → Settings → Output → Bitrate. 4500 Kbps is plenty for 1080p30; use 2500–3500 "
        "Kbps for 720p."
    ),
    "unsupported_codec": (
        "Use H.264 video and AAC audio: OBS → Settings → Output → Encoder: x264 (or NVENC H.264); Audio Encoder: AAC."
    ),
    "low_frame_rate": (
        "Your stream arrives with too few frames per second: OBS → Settings → Video → Common FPS Values: 30, and "
        "check the Stats dock for skipped frames (lower the Output resolution if your computer is busy)."
    ),
    "transcoder_slow": (
        "Our server cannot keep up with your stream's size: OBS → Settings → Video → Output (Scaled) Resolution: "
        "1280×720 and 30 FPS."
    ),
}
NO_ADVICE = (
    "Your stream looks healthy right now; if it stutters, open OBS → View → Docks → Stats and send us a screenshot."
)


def stream_advice(user: User | None) -> list[tuple[str, str]]:
    """(warning code, advice) for each health warning the user's live stream has right now."""
    if user is None:
        return []
    room = Room.objects.filter(performer=user).first()
    if room is None:
        return []
    health = streaming_selectors.stream_health(room.slug)
    if health is None:
        return []
    return [(w["code"], OBS_ADVICE.get(w["code"], w["message"])) for w in health.warnings]


def _last_purchase(user: User | None) -> str:
    if user is None:
        return "(no purchase found)"
    purchase = Purchase.objects.filter(buyer=user).order_by("-created_at").first()
    if purchase is None:
        return "(no purchase found)"
    status = purchase.get_status_display()
    return f"{purchase.tokens} tokens on {purchase.created_at:%Y-%m-%d} ({status}, ref {purchase.pk})"


def macro_render(macro: Macro, ticket: Ticket) -> str:
    requester = ticket.requester

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "name":
            return ticket.requester_name or "there"
        if key == "last_purchase":
            return _last_purchase(requester)
        if key == "ticket":
            return f"#{ticket.pk[-8:]}"
        advice = stream_advice(requester)
        return "\n".join(f"- {text}" for _, text in advice) if advice else NO_ADVICE

    return PLACEHOLDER_RE.sub(value, macro.body)


def macro_apply(
    *, actor: User, ticket_id: str, macro_id: str, force: bool = False, now: datetime | None = None, ip: str = ""
) -> Ticket:
    """Reply with the macro's text (placeholders filled), then run its actions: set the category, escalate, resolve."""
    macro = selectors.macro_get(macro_id)
    ticket = selectors.access_ticket(actor, ticket_id)
    if not selectors.may_work(actor, ticket):
        raise errors.QueueNotAllowed()
    with transaction.atomic():
        tickets.ticket_reply(
            actor=actor, ticket_id=ticket_id, body=macro_render(macro, ticket), force=force, now=now, ip=ip
        )
        if macro.set_category and macro.set_category != ticket.category:
            tickets.ticket_categorise(actor=actor, ticket_id=ticket_id, category=macro.set_category, ip=ip)
        if macro.escalate_to and macro.escalate_to != ticket.queue:
            tickets.ticket_escalate(
                actor=actor,
                ticket_id=ticket_id,
                to_queue=macro.escalate_to,
                note=f"macro “{macro.title}”",
                now=now,
                ip=ip,
            )
        if macro.close:
            tickets.ticket_resolve(actor=actor, ticket_id=ticket_id, now=now, ip=ip)
        audit_record(
            actor=actor, action="support.macro", target=ticket, ip=ip, data={"macro": macro.pk, "title": macro.title}
        )
    return Ticket.objects.get(pk=ticket_id)


def survey_answer(*, token: str, score: int, comment: str = "", now: datetime | None = None) -> Ticket:
    """The requester's answer to the closing mail's survey (1–5 and a comment), once per ticket."""
    ticket_id = tokens.survey_ticket_id(token)
    if ticket_id is None:
        raise errors.SurveyInvalid()
    if not 1 <= score <= 5:
        raise errors.TicketInvalid(extra={"fields": {"score": ["Choose 1 to 5."]}})
    comment = (comment or "").strip()
    if len(comment) > 2000 or "\x00" in comment:
        raise errors.TicketInvalid(extra={"fields": {"comment": ["Write at most 2000 characters."]}})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.resolved_at is None:
            raise errors.SurveyInvalid()
        if ticket.csat_score is not None:
            raise errors.SurveyAnswered()
        ticket.csat_score = score
        ticket.csat_comment = comment
        ticket.csat_at = now or timezone.now()
        ticket.csat_agent_id = ticket.assignee_id
        ticket.save(update_fields=["csat_score", "csat_comment", "csat_at", "csat_agent", "updated_at"])
    return ticket


def _queue_agents(queue: str) -> list[str]:
    perm = selectors.QUEUE_PERMS[queue]
    staff = (
        User.objects.filter(is_active=True).exclude(role__in=["viewer", "performer", "chat_host"]).only("email", "role")
    )
    return [u.email for u in staff if role_has(u.role, perm)]


def sla_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Flag open tickets past a target, once each: an outbox event, an audit row and a mail to the queue's agents.
    Returns how many breaches were recorded."""
    now = now or timezone.now()
    found = 0
    open_statuses = [Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING]
    first = Ticket.objects.filter(
        status__in=open_statuses,
        first_responded_at__isnull=True,
        first_response_breached=False,
        first_response_due__lt=now,
    ).values_list("id", flat=True)[:limit]
    resolution = Ticket.objects.filter(
        status__in=open_statuses, resolution_breached=False, resolution_due__lt=now
    ).values_list("id", flat=True)[:limit]
    for target, ids in (("first_response", list(first)), ("resolution", list(resolution))):
        flag = "first_response_breached" if target == "first_response" else "resolution_breached"
        for ticket_id in ids:
            with transaction.atomic():
                changed = Ticket.objects.filter(pk=ticket_id, **{flag: False}).update(**{flag: True})
                if not changed:
                    continue  # another sweep got it
                ticket = Ticket.objects.get(pk=ticket_id)
                audit_record(actor="sla", action="support.sla_breached", target=ticket, data={"target": target})
                outbox_publish(
                    topic=SLA_BREACHED, payload=SlaBreached(ticket_id=ticket.pk, queue=ticket.queue, target=target)
                )
                agents = _queue_agents(ticket.queue)
                transaction.on_commit(partial(outbound.send_breach_alert, ticket, target=target, agents=agents))
                TicketMessage.objects.create(
                    ticket=ticket,
                    author_kind=TicketMessage.Author.SYSTEM,
                    internal=True,
                    body=f"SLA breached: {target.replace('_', ' ')} target passed.",
                    created_at=now,
                )
            found += 1
    return found


def defaults_seed() -> tuple[int, int]:
    """The starting help articles and macros (support/seed.py), where missing. Returns (articles, macros) made."""
    from stagedoor.support.models import HelpArticle
    from stagedoor.support.seed import ARTICLES, MACROS

    made_articles = sum(HelpArticle.objects.get_or_create(slug=a["slug"], defaults=a)[1] for a in ARTICLES)
    made_macros = sum(Macro.objects.get_or_create(title=str(m["title"]), defaults=m)[1] for m in MACROS)
    return made_articles, made_macros


def _require_manage(actor: User) -> None:
    from stagedoor.accounts.roles import Perm

    if not role_has(actor.role, Perm.SUPPORT_MANAGE):
        raise errors.QueueNotAllowed("Only support leads can change macros and help articles.")


MACRO_FIELDS = ("title", "body", "set_category", "escalate_to", "close", "active")
ARTICLE_FIELDS = ("slug", "title", "summary", "body", "audience", "published")


def macro_save(*, actor: User, macro_id: str | None, values: dict[str, object], ip: str = "") -> Macro:
    """Create or change a macro (values already validated by the form). Audited with what changed."""
    _require_manage(actor)
    with transaction.atomic():
        macro = Macro.objects.select_for_update().filter(pk=macro_id).first() if macro_id else Macro()
        if macro is None:
            raise errors.MacroNotFound()
        before = {f: getattr(macro, f) for f in MACRO_FIELDS} if macro_id else {}
        for name in MACRO_FIELDS:
            if name in values:
                setattr(macro, name, values[name])
        macro.save()
        changed = {f: getattr(macro, f) for f in MACRO_FIELDS if before.get(f) != getattr(macro, f)}
        audit_record(actor=actor, action="support.macro_saved", target=macro, ip=ip, data={"changed": sorted(changed)})
    return macro


def article_save(*, actor: User, article_id: str | None, values: dict[str, object], ip: str = "") -> Any:
    """Create or change a help article (values already validated by the form). Audited with what changed."""
    from stagedoor.support.models import HelpArticle

    _require_manage(actor)
    with transaction.atomic():
        article = HelpArticle.objects.select_for_update().filter(pk=article_id).first() if article_id else HelpArticle()
        if article is None:
            raise errors.ArticleNotFound()
        before = {f: getattr(article, f) for f in ARTICLE_FIELDS} if article_id else {}
        for name in ARTICLE_FIELDS:
            if name in values:
                setattr(article, name, values[name])
        if HelpArticle.objects.filter(slug=article.slug).exclude(pk=article.pk).exists():
            raise errors.TicketInvalid(extra={"fields": {"slug": ["Another article has this address."]}})
        article.save()
        changed = sorted(f for f in ARTICLE_FIELDS if before.get(f) != getattr(article, f))
        audit_record(actor=actor, action="support.article_saved", target=article, ip=ip, data={"changed": changed})
    return article


def stream_incidents_sample(*, now: datetime | None = None) -> tuple[int, int]:
    """Record the health warnings of every live stream as incidents: a new warning opens one, a warning seen again
    extends it, a warning gone (or the stream offline) closes it. Returns (opened, closed)."""
    from stagedoor.support.models import StreamIncident

    now = now or timezone.now()
    opened = closed = 0
    seen: dict[str, set[str]] = {}
    for room in Room.objects.exclude(status=Room.Status.OFFLINE).only("slug", "performer_id", "status"):
        health = streaming_selectors.stream_health(room.slug)
        if health is None:
            continue  # not observable here (no ingest in this process, no shared health): leave incidents as they are
        codes = seen.setdefault(str(room.performer_id), set())
        for warning in health.warnings:
            code = str(warning.get("code", ""))[:40]
            codes.add(code)
            with transaction.atomic():
                updated = StreamIncident.objects.filter(
                    performer_id=room.performer_id, code=code, ended_at__isnull=True
                ).update(last_seen_at=now)
                if not updated:
                    StreamIncident.objects.create(
                        performer_id=room.performer_id,
                        room_slug=room.slug,
                        code=code,
                        message=str(warning.get("message", ""))[:300],
                        started_at=now,
                        last_seen_at=now,
                    )
                    opened += 1
    live_performers = set(Room.objects.exclude(status=Room.Status.OFFLINE).values_list("performer_id", flat=True))
    for incident in StreamIncident.objects.filter(ended_at__isnull=True):
        performer = str(incident.performer_id)
        if performer in seen and incident.code in seen[performer]:
            continue
        if performer not in seen and incident.performer_id in live_performers:
            continue  # live but its health was not readable this pass
        StreamIncident.objects.filter(pk=incident.pk, ended_at__isnull=True).update(ended_at=now)
        closed += 1
    return opened, closed
