"""Writes of community (re-exported: callers import `stagedoor.community.services`)."""

from stagedoor.community.services.awards import (
    PassTally,
    awards_pass,
    badge_award,
    contest_settle,
    level_recompute,
    tip_awards,
    top_supporters_award,
)
from stagedoor.community.services.schedule import (
    contest_cancel,
    contest_create,
    contest_enter,
    contest_leave,
    event_cancel,
    event_create,
    event_join,
    event_leave,
)

__all__ = [
    "PassTally",
    "awards_pass",
    "badge_award",
    "contest_cancel",
    "contest_create",
    "contest_enter",
    "contest_leave",
    "contest_settle",
    "event_cancel",
    "event_create",
    "event_join",
    "event_leave",
    "level_recompute",
    "tip_awards",
    "top_supporters_award",
]
