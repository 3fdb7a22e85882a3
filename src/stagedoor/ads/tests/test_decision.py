"""The pure decision: targeting by slot, region, device, language and category; schedules; caps; weights; and what a
request says about the viewer (bot, device, language). No database."""

from __future__ import annotations

import pytest

from stagedoor.ads.decision import (
    AdIndex,
    AdRequest,
    CampaignEntry,
    CreativeEntry,
    decide,
    device_of,
    is_bot,
    language_of,
)

NOON = 1_767_225_600.0 + 12 * 3600  # 2026-01-01 12:00 UTC
BANNER = (CreativeEntry("k1", "image", 728, 90, "Banner"),)


def entry(cid: str, **kw: object) -> CampaignEntry:
    values: dict[str, object] = {"id": cid, "weight": 100, "creatives": BANNER, "starts_at": NOON - 3600}
    values.update(kw)
    return CampaignEntry(**values)  # type: ignore[arg-type]


def first(index: AdIndex, request: AdRequest, served: dict[str, int] | None = None) -> str | None:
    choice = decide(index, request, now=NOON, served_today=served or {}, rng=lambda: 0.0)
    return choice.campaign.id if choice else None


def ids_matching(index: AdIndex, request: AdRequest) -> set[str]:
    mask = index.matching(request)
    return {c.id for i, c in enumerate(index.campaigns) if mask >> i & 1}


def test_targeting_each_dimension_and_untargeted_campaigns_match_everyone() -> None:
    index = AdIndex(
        [
            entry("any"),
            entry("room-only", slots=frozenset({"room"})),
            entry("germany", regions=frozenset({"DE"})),
            entry("texas", regions=frozenset({"US-TX"})),
            entry("phones", devices=frozenset({"mobile"})),
            entry("german-speakers", languages=frozenset({"de"})),
            entry("cosplay", categories=frozenset({"cosplay"})),
            entry(
                "de-phones-cosplay",
                regions=frozenset({"DE"}),
                devices=frozenset({"mobile"}),
                categories=frozenset({"cosplay"}),
            ),
        ]
    )
    assert ids_matching(index, AdRequest(slot="directory")) == {"any"}
    assert ids_matching(index, AdRequest(slot="room", country="DE", language="de")) == {
        "any",
        "room-only",
        "germany",
        "german-speakers",
    }
    assert ids_matching(index, AdRequest(slot="directory", country="US", subdivision="US-TX")) == {"any", "texas"}
    assert ids_matching(
        index,
        AdRequest(slot="directory", device="mobile", country="DE", categories=frozenset({"cosplay", "couples"})),
    ) == {"any", "germany", "phones", "cosplay", "de-phones-cosplay"}
    assert ids_matching(index, AdRequest(slot="directory", device="mobile", country="AT")) == {"any", "phones"}


def test_schedule_window_and_hours_of_day() -> None:
    index = AdIndex(
        [
            entry("future", starts_at=NOON + 60),
            entry("over", starts_at=NOON - 7200, ends_at=NOON),  # ends exactly now: over
            entry("evenings", hours=frozenset({18, 19, 20})),
            entry("lunch", hours=frozenset({12})),
        ]
    )
    assert first(index, AdRequest(slot="directory")) == "lunch"


def test_a_capped_campaign_is_skipped_once_the_viewer_has_seen_it_enough() -> None:
    index = AdIndex([entry("capped", frequency_cap=3, weight=1000), entry("other", weight=1)])
    request = AdRequest(slot="directory")
    assert index.may_be_capped(request) is True
    assert first(index, request, {"capped": 2}) == "capped"
    assert first(index, request, {"capped": 3}) == "other"
    assert AdIndex([entry("free")]).may_be_capped(request) is False


def test_weights_share_the_draws_and_the_rng_picks_the_creative() -> None:
    creatives = (CreativeEntry("a", "image", 1, 1, "A"), CreativeEntry("b", "html5", 1, 1, "B"))
    index = AdIndex([entry("light", weight=100), entry("heavy", weight=300, creatives=creatives)])
    request = AdRequest(slot="room")
    draws = [0.0, 0.2499, 0.25, 0.99]
    picks = []
    for point in draws:
        choice = decide(index, request, now=NOON, served_today={}, rng=iter([point, 0.7]).__next__)
        assert choice is not None
        picks.append((choice.campaign.id, choice.creative.id))
    assert picks == [("light", "k1"), ("light", "k1"), ("heavy", "b"), ("heavy", "b")]


def test_campaigns_without_creatives_never_enter_the_index() -> None:
    index = AdIndex([entry("empty", creatives=()), entry("ok")])
    assert [c.id for c in index.campaigns] == ["ok"]
    assert first(AdIndex([]), AdRequest(slot="room")) is None


@pytest.mark.parametrize(
    ("ua", "bot"),
    [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0 Safari/537.36", True),
        ("curl/8.5.0", True),
        ("python-requests/2.31", True),
        ("", True),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36", False),
    ],
)
def test_bots(ua: str, bot: bool) -> None:
    assert is_bot(ua) is bot


def test_device_and_language_from_headers() -> None:
    assert device_of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148") == "mobile"
    assert device_of("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36") == "mobile"
    assert device_of("Mozilla/5.0 (Linux; Android 14; SM-X910) Safari/537.36") == "tablet"
    assert device_of("Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X)") == "tablet"
    assert device_of("Mozilla/5.0 (Windows NT 10.0; Win64; x64)") == "desktop"
    assert language_of("de-AT,de;q=0.9,en;q=0.5") == "de"
    assert language_of("EN") == "en"
    assert language_of("*") == ""
    assert language_of("") == ""
