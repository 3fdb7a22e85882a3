"""Adaptive sampling (``frames/sampling.py``): who gets every sample, who every 10 or 30 s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stagedoor.moderation.frames.sampling import AdaptiveSampler, SamplingPolicy, Tier, TrustInfo, tier_for

NOW = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
POLICY = SamplingPolicy()


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


VETERAN = TrustInfo(account_created_at=days_ago(400), room_created_at=days_ago(400), past_broadcasts=300)
REGULAR = TrustInfo(account_created_at=days_ago(90), room_created_at=days_ago(90), past_broadcasts=20)


@pytest.mark.parametrize(
    ("info", "tier"),
    [
        (None, Tier.WATCH),  # trust not known (yet): every sample
        (TrustInfo(account_created_at=days_ago(3), past_broadcasts=0), Tier.WATCH),
        (TrustInfo(account_created_at=days_ago(29), room_created_at=days_ago(29), past_broadcasts=40), Tier.WATCH),
        (TrustInfo(account_created_at=days_ago(400), room_created_at=days_ago(5), past_broadcasts=300), Tier.WATCH),
        (TrustInfo(account_created_at=days_ago(400), room_created_at=days_ago(400), past_broadcasts=9), Tier.WATCH),
        (REGULAR, Tier.STANDARD),
        (TrustInfo(account_created_at=days_ago(400), room_created_at=days_ago(400), past_broadcasts=49), Tier.STANDARD),
        (VETERAN, Tier.TRUSTED),
        (TrustInfo(account_created_at=days_ago(400), past_broadcasts=300), Tier.TRUSTED),  # no room date: account's
        (TrustInfo(VETERAN.account_created_at, VETERAN.room_created_at, 300, NOW - timedelta(hours=2)), Tier.WATCH),
        (TrustInfo(VETERAN.account_created_at, VETERAN.room_created_at, 300, NOW - timedelta(days=10)), Tier.STANDARD),
        (TrustInfo(VETERAN.account_created_at, VETERAN.room_created_at, 300, days_ago(91)), Tier.TRUSTED),
    ],
)
def test_tiers(info: TrustInfo | None, tier: Tier) -> None:
    assert tier_for(info, NOW, POLICY) is tier


def scanned(sampler: AdaptiveSampler, room: str, start: datetime, seconds: int, every: float = 2.0) -> list[float]:
    """Feed one sample every ``every`` seconds for ``seconds``; the offsets that were scanned."""
    out = []
    steps = int(seconds / every)
    for i in range(steps):
        offset = i * every + (0.07 if i % 3 == 1 else 0.0)  # samples arrive a little late sometimes
        if sampler.should_scan(room, start + timedelta(seconds=offset)):
            out.append(round(offset, 2))
    return out


def test_a_new_performer_gets_every_sample() -> None:
    sampler = AdaptiveSampler()
    assert scanned(sampler, "room-new", NOW, 12) == [0.0, 2.07, 4.0, 6.0, 8.07, 10.0]


def test_established_rooms_every_10_s_and_long_trusted_every_30_s() -> None:
    sampler = AdaptiveSampler()
    sampler.set_trust("room-reg", REGULAR)
    sampler.set_trust("room-vet", VETERAN)
    assert scanned(sampler, "room-reg", NOW, 40) == [0.0, 10.0, 20.07, 30.0]
    assert scanned(sampler, "room-vet", NOW, 70) == [0.0, 30.0, 60.0]
    assert sampler.tier("room-vet", NOW) is Tier.TRUSTED


def test_a_flag_puts_a_trusted_room_on_every_sample_for_24_hours() -> None:
    sampler = AdaptiveSampler()
    sampler.set_trust("room-vet", VETERAN)
    assert scanned(sampler, "room-vet", NOW, 8) == [0.0]
    flagged_at = NOW + timedelta(seconds=8)
    sampler.note_flag("room-vet", flagged_at)
    sampler.note_flag("room-vet", flagged_at - timedelta(hours=1))  # an older flag arriving late changes nothing
    assert sampler.tier("room-vet", flagged_at) is Tier.WATCH
    assert scanned(sampler, "room-vet", flagged_at + timedelta(seconds=2), 6) == [0.0, 2.07, 4.0]
    later = flagged_at + timedelta(hours=24, seconds=1)
    assert sampler.tier("room-vet", later) is Tier.STANDARD  # trusted again only after 90 clean days
    assert sampler.tier("room-vet", flagged_at + timedelta(days=91)) is Tier.TRUSTED


def test_faster_intervals_are_configurable() -> None:
    sampler = AdaptiveSampler(SamplingPolicy(standard_interval_s=4, trusted_interval_s=8))
    sampler.set_trust("room-reg", REGULAR)
    assert scanned(sampler, "room-reg", NOW, 12) == [0.0, 4.0, 8.07]


def test_forget_and_prune_keep_memory_to_live_rooms() -> None:
    sampler = AdaptiveSampler()
    sampler.set_trust("room-a", VETERAN)
    sampler.should_scan("room-a", NOW)
    sampler.should_scan("room-b", NOW + timedelta(minutes=10))
    assert len(sampler) == 2
    assert sampler.prune(NOW + timedelta(minutes=15), timedelta(minutes=10)) == ["room-a"]
    assert len(sampler) == 1 and not sampler.has_trust("room-a")
    assert sampler.tier("room-a", NOW) is Tier.WATCH  # starts over as unknown
    sampler.forget("room-b")
    assert len(sampler) == 0
    sampler.set_trust("room-c", REGULAR)
    sampler.set_trust("room-c", None)
    assert not sampler.has_trust("room-c")
