"""How often each room's frames are scanned: every sample while a room is new or was flagged
recently, less often as it earns trust. Pure: the caller feeds trust and the clock.

The transcoder writes a sample every ``LadderPreset.sample_every_s`` (2 s), the fastest rate;
a tier's interval thins that out (``should_scan``). Tiers:

========  =====================================================================  ===============
tier      when                                                                   scans
========  =====================================================================  ===============
watch     trust unknown; account or room new; few broadcasts; a flag lately       every sample
standard  everything between                                                     every 10 s
trusted   old account, many broadcasts, no flag for a long while                 every 30 s
========  =====================================================================  ===============
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Tier(StrEnum):
    WATCH = "watch"
    STANDARD = "standard"
    TRUSTED = "trusted"


@dataclass(frozen=True, slots=True)
class TrustInfo:
    account_created_at: datetime
    room_created_at: datetime | None = None
    past_broadcasts: int = 0
    last_flag_at: datetime | None = None  # the room's latest frame flag or enforcement on record


@dataclass(frozen=True, slots=True)
class SamplingPolicy:
    new_account_days: float = 30.0
    new_room_days: float = 14.0
    min_broadcasts: int = 10
    recent_flag_hours: float = 24.0
    trusted_account_days: float = 180.0
    trusted_broadcasts: int = 50
    trusted_clean_days: float = 90.0  # no flag for this long
    standard_interval_s: float = 10.0
    trusted_interval_s: float = 30.0
    jitter_s: float = 0.5  # samples arrive about on time; a scan due 0.5 s from now is due

    def interval_s(self, tier: Tier) -> float:
        return {Tier.WATCH: 0.0, Tier.STANDARD: self.standard_interval_s, Tier.TRUSTED: self.trusted_interval_s}[tier]


def tier_for(info: TrustInfo | None, now: datetime, policy: SamplingPolicy, last_flag: datetime | None = None) -> Tier:
    if info is None:
        return Tier.WATCH
    flags = [t for t in (info.last_flag_at, last_flag) if t is not None]
    latest_flag = max(flags) if flags else None
    if latest_flag is not None and now - latest_flag < timedelta(hours=policy.recent_flag_hours):
        return Tier.WATCH
    account_age = now - info.account_created_at
    room_age = now - info.room_created_at if info.room_created_at is not None else account_age
    if (
        account_age < timedelta(days=policy.new_account_days)
        or room_age < timedelta(days=policy.new_room_days)
        or info.past_broadcasts < policy.min_broadcasts
    ):
        return Tier.WATCH
    if (
        account_age >= timedelta(days=policy.trusted_account_days)
        and info.past_broadcasts >= policy.trusted_broadcasts
        and (latest_flag is None or now - latest_flag >= timedelta(days=policy.trusted_clean_days))
    ):
        return Tier.TRUSTED
    return Tier.STANDARD


class AdaptiveSampler:
    """Per room: its trust, its last scan and its last flag seen here. ``forget`` a room that went
    offline (or ``prune`` rooms unseen for a while) to keep memory bounded by live rooms."""

    def __init__(self, policy: SamplingPolicy | None = None) -> None:
        self.policy = policy or SamplingPolicy()
        self._trust: dict[str, TrustInfo] = {}
        self._last_scan: dict[str, datetime] = {}
        self._last_flag: dict[str, datetime] = {}
        self._last_seen: dict[str, datetime] = {}

    def set_trust(self, room: str, info: TrustInfo | None) -> None:
        if info is None:
            self._trust.pop(room, None)
        else:
            self._trust[room] = info

    def has_trust(self, room: str) -> bool:
        return room in self._trust

    def tier(self, room: str, now: datetime) -> Tier:
        return tier_for(self._trust.get(room), now, self.policy, self._last_flag.get(room))

    def should_scan(self, room: str, now: datetime) -> bool:
        """Whether the sample captured at ``now`` is due; a True answer counts as the room's scan."""
        self._last_seen[room] = now
        interval = self.policy.interval_s(self.tier(room, now))
        last = self._last_scan.get(room)
        if last is not None and interval > 0 and (now - last).total_seconds() < interval - self.policy.jitter_s:
            return False
        self._last_scan[room] = now
        return True

    def note_flag(self, room: str, now: datetime) -> None:
        """A scan flagged this room: every sample again for ``recent_flag_hours``."""
        previous = self._last_flag.get(room)
        self._last_flag[room] = now if previous is None else max(previous, now)

    def forget(self, room: str) -> None:
        for table in (self._trust, self._last_scan, self._last_flag, self._last_seen):
            table.pop(room, None)

    def prune(self, now: datetime, idle: timedelta) -> list[str]:
        """Forget rooms with no sample for ``idle``; a forgotten room starts over in ``watch``."""
        gone = [room for room, seen in self._last_seen.items() if now - seen >= idle]
        for room in gone:
            self.forget(room)
        return gone

    def __len__(self) -> int:
        return len(self._last_seen)
