"""Room content policies applied to a frame's detections: pure and table-driven.

Nudity is allowed on the platform by default; what is a breach depends on where it is shown:

- a room marked **non-nude** (``RoomPolicy.non_nude``): any exposed-body label over the threshold;
- a room whose performer **restricted content in some regions** (``restricted_regions``): the
  same labels, counted only while the restriction is on (viewers there see the public stream);
- the **platform's** own rule for every public stream (``PlatformPolicy.public_stream``):
  ``open`` (default), ``no_explicit`` (genitals/anus never in the free public stream) or
  ``non_nude`` (every public stream is treated as a non-nude room).

Each row of :data:`RULES` names when it applies, which labels it watches, its category and
severity; a row fires once per frame with its strongest detection at or over the label's
threshold (``PlatformPolicy.thresholds``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import MappingProxyType

from .detector import Detection
from .pdq import HashMatch, ListKind

EXPLICIT = frozenset({"FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED"})
EXPOSED_BODY = EXPLICIT | {"FEMALE_BREAST_EXPOSED", "BUTTOCKS_EXPOSED"}
PARTIAL = EXPOSED_BODY - EXPLICIT

DEFAULT_THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {
        "FEMALE_GENITALIA_EXPOSED": 0.45,
        "MALE_GENITALIA_EXPOSED": 0.45,
        "ANUS_EXPOSED": 0.45,
        "FEMALE_BREAST_EXPOSED": 0.5,
        "BUTTOCKS_EXPOSED": 0.55,
    }
)


class Severity(IntEnum):
    """Ordered, so ``max()`` picks the worst; ``.label`` is what the review queue stores."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


class Category(StrEnum):
    NON_NUDE_ROOM = "nudity_in_non_nude_room"
    REGION_RESTRICTED = "restricted_content_in_region"
    PUBLIC_EXPLICIT = "explicit_in_public_stream"


class PublicStream(StrEnum):
    OPEN = "open"
    NO_EXPLICIT = "no_explicit"
    NON_NUDE = "non_nude"


@dataclass(frozen=True, slots=True)
class RoomPolicy:
    non_nude: bool = False
    restricted_regions: tuple[str, ...] = ()  # ISO country codes; empty: no regional restriction is on


@dataclass(frozen=True, slots=True)
class PlatformPolicy:
    public_stream: PublicStream = PublicStream.OPEN
    thresholds: Mapping[str, float] = field(default_factory=lambda: DEFAULT_THRESHOLDS)

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, DEFAULT_THRESHOLDS.get(label, 0.5))


@dataclass(frozen=True, slots=True)
class FrameFlag:
    category: Category
    severity: Severity
    label: str
    score: float
    rule: str = ""  # the RULES row that fired


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    applies: Callable[[RoomPolicy, PlatformPolicy], bool]
    labels: frozenset[str]
    category: Category
    severity: Severity


def _non_nude(room: RoomPolicy, platform: PlatformPolicy) -> bool:
    return room.non_nude or platform.public_stream is PublicStream.NON_NUDE


def _restricted(room: RoomPolicy, platform: PlatformPolicy) -> bool:
    return bool(room.restricted_regions)


def _no_explicit(room: RoomPolicy, platform: PlatformPolicy) -> bool:
    return platform.public_stream is PublicStream.NO_EXPLICIT


RULES: tuple[Rule, ...] = (
    Rule("non_nude.explicit", _non_nude, EXPLICIT, Category.NON_NUDE_ROOM, Severity.HIGH),
    Rule("non_nude.exposed", _non_nude, PARTIAL, Category.NON_NUDE_ROOM, Severity.MEDIUM),
    Rule("region.explicit", _restricted, EXPLICIT, Category.REGION_RESTRICTED, Severity.HIGH),
    Rule("region.exposed", _restricted, PARTIAL, Category.REGION_RESTRICTED, Severity.MEDIUM),
    Rule("platform.no_explicit", _no_explicit, EXPLICIT, Category.PUBLIC_EXPLICIT, Severity.HIGH),
)

#: hash-list matches: a prohibited one ends the stream; the others open a case for a person
MATCH_SEVERITY: Mapping[ListKind, Severity] = MappingProxyType(
    {ListKind.PROHIBITED: Severity.CRITICAL, ListKind.REMOVED: Severity.HIGH, ListKind.LEAKED: Severity.HIGH}
)


def evaluate(
    detections: Iterable[Detection],
    room: RoomPolicy,
    platform: PlatformPolicy | None = None,
    rules: Iterable[Rule] = RULES,
) -> list[FrameFlag]:
    """The flags a frame raises in ``room``: worst first, then strongest."""
    platform = platform or PlatformPolicy()
    found = list(detections)
    flags: list[FrameFlag] = []
    for rule in rules:
        if not rule.applies(room, platform):
            continue
        over = [d for d in found if d.label in rule.labels and d.score >= platform.threshold(d.label)]
        if over:
            best = max(over, key=lambda d: d.score)
            flags.append(FrameFlag(rule.category, rule.severity, best.label, best.score, rule.name))
    flags.sort(key=lambda f: (-f.severity, -f.score))
    return flags


def worst_severity(flags: Iterable[FrameFlag], matches: Iterable[HashMatch] = ()) -> Severity | None:
    levels = [f.severity for f in flags] + [MATCH_SEVERITY[m.kind] for m in matches]
    return max(levels) if levels else None
