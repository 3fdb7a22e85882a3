"""The customer timeline's registry: each app contributes the entries it knows about a person.

An app (or, for an app that cannot import the support desk, a provider module written for it) registers once
from its `AppConfig.ready()`:

    register_timeline_provider("payments", purchases_of, perm=Perm.PURCHASES_READ_ANY)

`fn(subject_id, before, limit)` returns at most `limit` entries about the person, newest first, all older than
`before` (None: now). `perm` names the permission a member of staff needs to see these entries at all; core holds
no policy, so `timeline_for` takes a predicate `can(perm) -> bool` (accounts decides who holds what). A provider
that fails is reported as one entry ("could not be read") rather than breaking the whole view.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

log = logging.getLogger("stagedoor.timeline")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    source: str  # the provider's name ("payments", "moderation", …)
    kind: str  # what happened ("purchase.completed", "case.decided", …)
    title: str  # one line for the agent
    detail: str = ""
    url: str = ""  # where staff read more (console page), if anywhere
    severity: str = "info"  # info | warning | danger
    data: dict[str, Any] = field(default_factory=dict)


Provider = Callable[[str, datetime | None, int], list[TimelineEntry]]


@dataclass(frozen=True)
class TimelineProvider:
    name: str
    fn: Provider
    perm: str
    title: str


_PROVIDERS: dict[str, TimelineProvider] = {}


def register_timeline_provider(name: str, fn: Provider, *, perm: str, title: str = "") -> None:
    """Add (or replace, on a module reload) the provider `name`."""
    if not perm:
        raise ValueError(f"timeline provider {name!r} needs a permission")
    _PROVIDERS[name] = TimelineProvider(name=name, fn=fn, perm=perm, title=title or name)


def timeline_providers() -> list[TimelineProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: p.name)


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    sources: list[str]  # the providers read
    hidden: list[str]  # the providers this viewer may not read
    failed: list[str]  # the providers that raised
    next_before: datetime | None  # pass back as `before` for the next page (None: no more)


def timeline_for(
    subject_id: str, *, can: Callable[[str], bool], before: datetime | None = None, limit: int = 50
) -> Timeline:
    """The newest `limit` entries about `subject_id` across every provider `can` allows, merged by time."""
    limit = max(1, min(limit, 200))
    streams: list[list[TimelineEntry]] = []
    sources: list[str] = []
    hidden: list[str] = []
    failed: list[str] = []
    for provider in timeline_providers():
        if not can(provider.perm):
            hidden.append(provider.name)
            continue
        try:
            entries = provider.fn(subject_id, before, limit + 1)
        except Exception:
            log.exception("timeline provider failed", extra={"provider": provider.name})
            failed.append(provider.name)
            continue
        sources.append(provider.name)
        streams.append(sorted(entries, key=lambda e: e.at, reverse=True)[: limit + 1])
    merged = list(heapq.merge(*streams, key=lambda e: e.at, reverse=True))
    page = merged[:limit]
    more = len(merged) > limit
    return Timeline(
        entries=page,
        sources=sources,
        hidden=hidden,
        failed=failed,
        next_before=page[-1].at if more and page else None,
    )
