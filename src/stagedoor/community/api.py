"""The community API (see docs/community.md): events, contests and their live leaderboards, levels and badges."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.community import levels, schemas, selectors, services
from stagedoor.community.models import BadgeAward, Contest, Event

router = Router(tags=["community"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def event_out(event: Event, *, performers: int) -> dict[str, Any]:
    return {
        "id": event.pk,
        "slug": event.slug,
        "title": event.title,
        "description": event.description,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "performers": performers,
        "url": f"/events/{event.slug}",
        "directory_url": f"/?event={event.slug}",
    }


def contest_out(contest: Contest, *, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": contest.pk,
        "slug": contest.slug,
        "title": contest.title,
        "metric": contest.metric,
        "starts_at": contest.starts_at,
        "ends_at": contest.ends_at,
        "state": selectors.contest_state(contest, now=now),
        "event_slug": contest.event.slug if contest.event_id and contest.event else None,
        "url": f"/contests/{contest.slug}",
    }


def leaderboard_out(contest: Contest) -> dict[str, Any]:
    now = timezone.now()
    return {
        "contest": contest_out(contest, now=now),
        "unit": "minutes" if contest.metric == Contest.Metric.MINUTES else "tokens",
        "as_of": now,
        "standings": [s.__dict__ for s in selectors.leaderboard(contest, now=now)],
    }


def badge_out(award: BadgeAward) -> dict[str, Any]:
    label, description = levels.BADGES.get(award.rule, (award.rule, ""))
    return {
        "rule": award.rule,
        "label": label,
        "description": description,
        "period": award.period.split(":", 1)[0] if award.rule == levels.TOP_SUPPORTER else "",
        "awarded_at": award.awarded_at,
    }


def profile_out(user: User) -> dict[str, Any]:
    profile = selectors.profile_of(user)
    level = profile.level
    return {
        "login": user.login,
        "name": user.shown_name,
        "viewer_level": level.viewer_level if level else 1,
        "performer_level": (level.performer_level if level and level.performer_level else 1)
        if profile.is_performer
        else None,
        "badges": [badge_out(b) for b in profile.badges],
    }


@router.get("/community/events", response=list[schemas.EventOut], auth=None)
def events_list(request: HttpRequest) -> object:
    """Events and themed nights not over yet, soonest first."""
    events = list(selectors.events_upcoming())
    counts = selectors.event_entry_counts(e.pk for e in events)
    return [event_out(e, performers=counts.get(e.pk, 0)) for e in events]


@router.get("/community/events/{slug}", response=schemas.EventDetailOut, auth=None)
def event_detail(request: HttpRequest, slug: str) -> object:
    event = selectors.event_by_slug(slug)
    entrants = selectors.event_performers(event)
    return {
        **event_out(event, performers=len(entrants)),
        "entrants": entrants,
        "contests": [contest_out(c) for c in selectors.contests_of_event(event)],
    }


@router.post("/community/events/{event_id}/entry", response={201: schemas.EntryOut}, auth=requires(Perm.ROOM_MANAGE))
def event_join(request: HttpRequest, event_id: str) -> object:
    """Opt in to an event (a second call is the same entry): the room shows under the event's directory filter."""
    services.event_join(performer=_me(request), event_id=event_id)
    return Status(201, {"id": event_id, "entered": True})


@router.delete("/community/events/{event_id}/entry", response=schemas.EntryOut, auth=requires(Perm.ROOM_MANAGE))
def event_leave(request: HttpRequest, event_id: str) -> object:
    services.event_leave(performer=_me(request), event_id=event_id)
    return {"id": event_id, "entered": False}


@router.get("/community/contests", response=list[schemas.ContestOut], auth=None)
def contests_list(request: HttpRequest) -> object:
    """Contests running, starting soon or ended in the last week."""
    now = timezone.now()
    return [contest_out(c, now=now) for c in selectors.contests_current(now=now)]


@router.get("/community/contests/{slug}/leaderboard", response=schemas.LeaderboardOut, auth=None)
def contest_leaderboard(request: HttpRequest, slug: str) -> object:
    """The contest's standings now, computed from the ledger (tips less refunds) or the broadcasts (minutes) in the
    contest window. The contest page polls this."""
    return leaderboard_out(selectors.contest_by_slug(slug))


@router.post(
    "/community/contests/{contest_id}/entry", response={201: schemas.EntryOut}, auth=requires(Perm.ROOM_MANAGE)
)
def contest_enter(request: HttpRequest, contest_id: str) -> object:
    services.contest_enter(performer=_me(request), contest_id=contest_id)
    return Status(201, {"id": contest_id, "entered": True})


@router.delete("/community/contests/{contest_id}/entry", response=schemas.EntryOut, auth=requires(Perm.ROOM_MANAGE))
def contest_leave(request: HttpRequest, contest_id: str) -> object:
    services.contest_leave(performer=_me(request), contest_id=contest_id)
    return {"id": contest_id, "entered": False}


@router.get("/community/profiles/{login}", response=schemas.ProfileOut, auth=None)
def profile(request: HttpRequest, login: str) -> object:
    """A person's public levels and badges (what chat shows next to their name)."""
    return profile_out(selectors.profile_user(login))


@router.get("/community/me", response=schemas.MyLevelOut, auth=AUTH)
def my_level(request: HttpRequest) -> object:
    """Your levels with the figures behind them, and how far the next viewer level is."""
    me = _me(request)
    out = profile_out(me)
    level = selectors.level_of(me.pk)
    progress = levels.viewer_progress(level.tokens_spent if level else 0)
    performer = out["performer_level"] is not None
    return {
        **out,
        "tokens_spent": level.tokens_spent if level else 0,
        "next_level": progress.next_level,
        "tokens_to_next_level": progress.needed,
        "hours_streamed": (level.seconds_streamed // 3600 if level else 0) if performer else None,
        "tokens_earned": (level.tokens_earned if level else 0) if performer else None,
    }
