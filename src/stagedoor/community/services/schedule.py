"""Events and contests: staff create and cancel them (audited); performers opt in and out."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.community import errors, selectors
from stagedoor.community.events import EVENT_CHANGED
from stagedoor.community.models import Contest, ContestEntry, Event, EventEntry
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish

AUDIT_EVENT_CREATE = "community.event_create"
AUDIT_EVENT_CANCEL = "community.event_cancel"
AUDIT_CONTEST_CREATE = "community.contest_create"
AUDIT_CONTEST_CANCEL = "community.contest_cancel"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_SPAN = timedelta(days=90)
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
REASON_MAX = 300


def _field_error(name: str, message: str) -> errors.InvalidField:
    return errors.InvalidField(extra={"fields": {name: [message]}})


def _checked(*, slug: str, title: str, starts_at: datetime, ends_at: datetime) -> tuple[str, str]:
    slug = (slug or "").strip().lower()
    title = (title or "").strip()
    if not SLUG_RE.match(slug):
        raise _field_error("slug", "Use 2–40 lowercase letters, digits and dashes.")
    if not title or len(title) > TITLE_MAX:
        raise _field_error("title", f"Give a title of 1–{TITLE_MAX} characters.")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise errors.InvalidSchedule("Give times with a time zone.")
    if ends_at <= starts_at or ends_at - starts_at > MAX_SPAN:
        raise errors.InvalidSchedule()
    if ends_at <= timezone.now():
        raise errors.InvalidSchedule("The end is already past.")
    return slug, title


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise _field_error("reason", f"Give a reason of 1–{REASON_MAX} characters.")
    return reason


def event_create(
    *,
    actor: User,
    slug: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    kind: str = Event.Kind.THEMED_NIGHT,
    ip: str = "",
) -> Event:
    slug, title = _checked(slug=slug, title=title, starts_at=starts_at, ends_at=ends_at)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise _field_error("description", f"Use at most {DESCRIPTION_MAX} characters.")
    if kind not in Event.Kind.values:
        raise _field_error("kind", "Choose a themed night or an event.")
    try:
        with transaction.atomic():
            event = Event.objects.create(
                slug=slug,
                title=title,
                description=description,
                kind=kind,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=actor,
            )
            audit_record(actor=actor, action=AUDIT_EVENT_CREATE, target=event, ip=ip, data={"slug": slug})
            outbox_publish(topic=EVENT_CHANGED, payload={"event_id": event.pk, "slug": slug, "step": "created"})
    except IntegrityError:
        raise errors.SlugTaken() from None
    return event


def event_cancel(*, actor: User, event_id: str, reason: str, ip: str = "") -> Event:
    """Cancel an event (it leaves the events page and the directory). Cancelling a cancelled one is a no-op."""
    reason = _reason(reason)
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.EventNotFound()
        if event.cancelled_at is not None:
            return event
        event.cancelled_at = timezone.now()
        event.save(update_fields=["cancelled_at"])
        audit_record(actor=actor, action=AUDIT_EVENT_CANCEL, target=event, ip=ip, data={"reason": reason})
        outbox_publish(topic=EVENT_CHANGED, payload={"event_id": event.pk, "slug": event.slug, "step": "cancelled"})
    return event


def _performer(user: Any) -> User:
    if user is None or not user.is_authenticated or user.role != Role.PERFORMER or not user.is_active:
        raise errors.NotAPerformer()
    return user  # type: ignore[no-any-return]


def event_join(*, performer: Any, event_id: str) -> EventEntry:
    """Opt in to an event (idempotent: joining twice is the same entry)."""
    me = _performer(performer)
    event = selectors.event_get(event_id)
    if not selectors.event_is_open(event):
        raise errors.EventOver()
    with transaction.atomic():
        entry, created = EventEntry.objects.get_or_create(event=event, performer=me)
        if created:
            outbox_publish(topic=EVENT_CHANGED, payload={"event_id": event.pk, "slug": event.slug, "step": "joined"})
    return entry


def event_leave(*, performer: Any, event_id: str) -> bool:
    me = _performer(performer)
    event = selectors.event_get(event_id)
    with transaction.atomic():
        deleted, _ = EventEntry.objects.filter(event=event, performer=me).delete()
        if deleted:
            outbox_publish(topic=EVENT_CHANGED, payload={"event_id": event.pk, "slug": event.slug, "step": "left"})
    return bool(deleted)


def contest_create(
    *,
    actor: User,
    slug: str,
    title: str,
    metric: str,
    starts_at: datetime,
    ends_at: datetime,
    event_id: str | None = None,
    ip: str = "",
) -> Contest:
    slug, title = _checked(slug=slug, title=title, starts_at=starts_at, ends_at=ends_at)
    if metric not in Contest.Metric.values:
        raise _field_error("metric", "Choose tips received or minutes streamed.")
    event = selectors.event_get(event_id) if event_id else None
    try:
        with transaction.atomic():
            contest = Contest.objects.create(
                slug=slug,
                title=title,
                metric=metric,
                starts_at=starts_at,
                ends_at=ends_at,
                event=event,
                created_by=actor,
            )
            audit_record(
                actor=actor, action=AUDIT_CONTEST_CREATE, target=contest, ip=ip, data={"slug": slug, "metric": metric}
            )
    except IntegrityError:
        raise errors.SlugTaken() from None
    return contest


def contest_cancel(*, actor: User, contest_id: str, reason: str, ip: str = "") -> Contest:
    reason = _reason(reason)
    with transaction.atomic():
        contest = Contest.objects.select_for_update().filter(pk=contest_id).first()
        if contest is None:
            raise errors.ContestNotFound()
        if contest.cancelled_at is not None:
            return contest
        if contest.settled_at is not None:
            raise errors.ContestOver("This contest is settled; its winners have their badges.")
        contest.cancelled_at = timezone.now()
        contest.save(update_fields=["cancelled_at"])
        audit_record(actor=actor, action=AUDIT_CONTEST_CANCEL, target=contest, ip=ip, data={"reason": reason})
    return contest


def contest_enter(*, performer: Any, contest_id: str) -> ContestEntry:
    """Enter a contest (idempotent). Entering late is allowed: the score counts the whole window either way."""
    me = _performer(performer)
    contest = selectors.contest_get(contest_id)
    if not selectors.contest_is_open(contest):
        raise errors.ContestOver()
    entry, _ = ContestEntry.objects.get_or_create(contest=contest, performer=me)
    return entry


def contest_leave(*, performer: Any, contest_id: str) -> bool:
    me = _performer(performer)
    contest = selectors.contest_get(contest_id)
    if not selectors.contest_is_open(contest):
        raise errors.ContestOver("This contest is over; its standings stay as they are.")
    deleted, _ = ContestEntry.objects.filter(contest=contest, performer=me).delete()
    return bool(deleted)
