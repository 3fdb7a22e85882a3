"""The ad decision: a pure function over an in-memory index of the campaigns that may serve (sans-Django).

The index keeps, per targeting dimension and value, a bit mask of the campaigns that accept it (campaigns that do
not target a dimension are in its "any" mask). A request's candidates are one AND of a few integers; only those
are then checked for their schedule and the viewer's frequency cap, and one is drawn with a chance proportional to
its weight. Nothing here touches the database: caps and budgets are reserved by the caller (services/serving.py)
with atomic counters, and the index is rebuilt when campaigns change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SLOTS: dict[str, tuple[int, int]] = {"directory": (728, 90), "room": (300, 250)}  # name -> the size it shows
DEVICES = ("desktop", "mobile", "tablet")


@dataclass(frozen=True)
class CreativeEntry:
    id: str
    kind: str  # image | html5
    width: int
    height: int
    alt_text: str


@dataclass(frozen=True)
class CampaignEntry:
    id: str
    weight: int
    creatives: tuple[CreativeEntry, ...]
    starts_at: float  # epoch seconds
    ends_at: float | None = None
    hours: frozenset[int] = frozenset()  # UTC hours; empty: all day
    slots: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()  # "DE" or "US-TX"
    devices: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    frequency_cap: int = 0  # 0: none


@dataclass(frozen=True)
class AdRequest:
    slot: str
    device: str = "desktop"
    country: str = ""
    subdivision: str = ""  # "US-TX"
    language: str = ""
    categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Choice:
    campaign: CampaignEntry
    creative: CreativeEntry


@dataclass
class _Dimension:
    any: int = 0
    by_value: dict[str, int] = field(default_factory=dict)

    def add(self, bit: int, values: frozenset[str]) -> None:
        if not values:
            self.any |= bit
        for value in values:
            self.by_value[value] = self.by_value.get(value, 0) | bit

    def match(self, value: str) -> int:
        return self.any | self.by_value.get(value, 0)

    def match_any(self, values: Iterable[str]) -> int:
        mask = self.any
        get = self.by_value.get
        for value in values:
            mask |= get(value, 0)
        return mask


class AdIndex:
    """The campaigns that may serve, with one bit each (bit i is `campaigns[i]`)."""

    def __init__(self, campaigns: Iterable[CampaignEntry], *, version: int = 0) -> None:
        self.version = version
        self.campaigns: tuple[CampaignEntry, ...] = tuple(c for c in campaigns if c.creatives and c.weight > 0)
        self._slots = _Dimension()
        self._devices = _Dimension()
        self._regions = _Dimension()
        self._categories = _Dimension()
        self._languages = _Dimension()
        self.capped_mask = 0
        for i, c in enumerate(self.campaigns):
            bit = 1 << i
            self._slots.add(bit, c.slots)
            self._devices.add(bit, c.devices)
            self._regions.add(bit, c.regions)
            self._categories.add(bit, c.categories)
            self._languages.add(bit, c.languages)
            if c.frequency_cap:
                self.capped_mask |= bit

    def __len__(self) -> int:
        return len(self.campaigns)

    def matching(self, request: AdRequest) -> int:
        """The mask of campaigns whose targeting accepts `request` (schedule and caps not yet checked)."""
        mask = self._slots.match(request.slot) & self._devices.match(request.device)
        if not mask:
            return 0
        regions = self._regions
        mask &= regions.any | regions.by_value.get(request.country, 0) | regions.by_value.get(request.subdivision, 0)
        if not mask:
            return 0
        mask &= self._languages.match(request.language)
        if not mask:
            return 0
        return mask & self._categories.match_any(request.categories)

    def may_be_capped(self, request: AdRequest) -> bool:
        """Whether any campaign this request matches has a frequency cap (so the caller must read the counts)."""
        return bool(self.matching(request) & self.capped_mask)


def _live(c: CampaignEntry, now: float, hour: int) -> bool:
    if now < c.starts_at or (c.ends_at is not None and now >= c.ends_at):
        return False
    return not c.hours or hour in c.hours


def decide(
    index: AdIndex,
    request: AdRequest,
    *,
    now: float,
    served_today: Mapping[str, int],
    rng: Callable[[], float],
) -> Choice | None:
    """The ad for `request` at `now` (epoch seconds), or None.

    `served_today` maps campaign id -> ads of it this viewer got today (campaigns at their cap are skipped);
    `rng()` returns a float in [0, 1) and is called at most twice (the campaign, then its creative).
    """
    mask = index.matching(request)
    if not mask:
        return None
    hour = int(now // 3600) % 24
    campaigns = index.campaigns
    candidates: list[CampaignEntry] = []
    total = 0
    while mask:
        low = mask & -mask
        c = campaigns[low.bit_length() - 1]
        mask ^= low
        if not _live(c, now, hour):
            continue
        if c.frequency_cap and served_today.get(c.id, 0) >= c.frequency_cap:
            continue
        candidates.append(c)
        total += c.weight
    if not candidates:
        return None
    point = rng() * total
    chosen = candidates[-1]
    for c in candidates:
        point -= c.weight
        if point < 0:
            chosen = c
            break
    creatives = chosen.creatives
    creative = creatives[min(int(rng() * len(creatives)), len(creatives) - 1)] if len(creatives) > 1 else creatives[0]
    return Choice(campaign=chosen, creative=creative)


# --- what a request says about the viewer (pure helpers) --------------------------------------------------------

_BOT_MARKERS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "headless",
    "phantomjs",
    "python-",
    "curl/",
    "wget/",
    "httpx",
    "go-http-client",
    "java/",
    "libwww",
    "scrapy",
    "facebookexternalhit",
    "preview",
)


def is_bot(user_agent: str) -> bool:
    """A crawler, a link previewer, a script or a headless browser (or no user agent at all)."""
    ua = user_agent.lower()
    return not ua.strip() or any(marker in ua for marker in _BOT_MARKERS)


def device_of(user_agent: str) -> str:
    ua = user_agent.lower()
    if "ipad" in ua or "tablet" in ua or ("android" in ua and "mobile" not in ua):
        return "tablet"
    if "mobi" in ua or "iphone" in ua or "android" in ua:
        return "mobile"
    return "desktop"


def language_of(accept_language: str) -> str:
    """The primary language of the first (preferred) entry of an Accept-Language header: "de-AT,en;q=0.5" → "de"."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0].strip().lower()
    primary = first.split("-", 1)[0]
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else ""
