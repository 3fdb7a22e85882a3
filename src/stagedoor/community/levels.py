"""Levels and badge rules: pure tables and functions (no Django), shared by the services, the pages and chat.

Viewer levels go by tokens spent (tips, shows, fan clubs, paid messages — refunds taken back); performer levels
need both hours streamed and tokens earned. The thresholds are the product's; change them here and the next
recompute moves everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

# tokens spent to reach each viewer level (level 1 is everyone)
VIEWER_LEVELS: tuple[int, ...] = (0, 100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000)
# (hours streamed, tokens earned) to reach each performer level (level 1 is every performer)
PERFORMER_LEVELS: tuple[tuple[int, int], ...] = (
    (0, 0),
    (10, 1_000),
    (50, 10_000),
    (100, 50_000),
    (250, 150_000),
    (500, 500_000),
)

# badge rules: code -> (label, description)
FIRST_TIP = "first_tip"
HOURS_100 = "hours_100"
TOP_SUPPORTER = "top_supporter"
CONTEST_WINNER = "contest_winner"
BADGES: dict[str, tuple[str, str]] = {
    FIRST_TIP: ("First tip", "Sent their first tip."),
    HOURS_100: ("100 hours live", "Streamed for 100 hours."),
    TOP_SUPPORTER: ("Top supporter", "Spent the most on a performer in a calendar month."),
    CONTEST_WINNER: ("Contest winner", "Came first in a contest."),
}
HOURS_BADGE_SECONDS = 100 * 3600


def viewer_level(tokens_spent: int) -> int:
    level = 1
    for n, needed in enumerate(VIEWER_LEVELS, start=1):
        if tokens_spent >= needed:
            level = n
    return level


def performer_level(seconds_streamed: int, tokens_earned: int) -> int:
    level = 1
    hours = seconds_streamed // 3600
    for n, (need_hours, need_tokens) in enumerate(PERFORMER_LEVELS, start=1):
        if hours >= need_hours and tokens_earned >= need_tokens:
            level = n
    return level


@dataclass(frozen=True)
class Progress:
    level: int
    next_level: int | None
    needed: int  # tokens still to spend for the next level (0 at the top)
    percent: int


def viewer_progress(tokens_spent: int) -> Progress:
    level = viewer_level(tokens_spent)
    if level >= len(VIEWER_LEVELS):
        return Progress(level, None, 0, 100)
    low, high = VIEWER_LEVELS[level - 1], VIEWER_LEVELS[level]
    return Progress(level, level + 1, high - tokens_spent, (tokens_spent - low) * 100 // (high - low))


# chat flags (chat/perks.py): the viewer level ("vl3"), the performer level ("pl2") and a top supporter of the
# room's performer last month ("top")
def viewer_flag(level: int) -> str:
    return f"vl{level}"


def performer_flag(level: int) -> str:
    return f"pl{level}"


TOP_FLAG = "top"
