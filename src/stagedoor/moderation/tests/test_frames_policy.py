"""Room content policies over a frame's detections (``frames/policy.py``): the table, row by row."""

from __future__ import annotations

import pytest

from stagedoor.moderation.frames.detector import NUDENET_LABELS, Detection
from stagedoor.moderation.frames.pdq import HashMatch, ListKind
from stagedoor.moderation.frames.policy import (
    EXPOSED_BODY,
    RULES,
    Category,
    FrameFlag,
    PlatformPolicy,
    PublicStream,
    RoomPolicy,
    Severity,
    evaluate,
    worst_severity,
)

BOX = (10, 20, 100, 80)


def det(label: str, score: float) -> Detection:
    return Detection(label, score, BOX)


OPEN = RoomPolicy()
NON_NUDE = RoomPolicy(non_nude=True)
RESTRICTED = RoomPolicy(restricted_regions=("DE", "GB"))

NC, RR, PE = Category.NON_NUDE_ROOM, Category.REGION_RESTRICTED, Category.PUBLIC_EXPLICIT
H, M = Severity.HIGH, Severity.MEDIUM

CASES = [
    # (room, platform, detections, expected flags)
    (OPEN, PublicStream.OPEN, [det("FEMALE_GENITALIA_EXPOSED", 0.9)], []),
    (NON_NUDE, PublicStream.OPEN, [], []),
    (NON_NUDE, PublicStream.OPEN, [det("FACE_FEMALE", 0.95), det("BELLY_EXPOSED", 0.9)], []),
    (NON_NUDE, PublicStream.OPEN, [det("FEMALE_BREAST_COVERED", 0.9), det("MALE_BREAST_EXPOSED", 0.9)], []),
    (
        NON_NUDE,
        PublicStream.OPEN,
        [det("FEMALE_BREAST_EXPOSED", 0.62)],
        [FrameFlag(NC, M, "FEMALE_BREAST_EXPOSED", 0.62, "non_nude.exposed")],
    ),
    (NON_NUDE, PublicStream.OPEN, [det("FEMALE_BREAST_EXPOSED", 0.49)], []),  # under its 0.5 threshold
    (NON_NUDE, PublicStream.OPEN, [det("BUTTOCKS_EXPOSED", 0.54)], []),  # under 0.55
    (
        NON_NUDE,
        PublicStream.OPEN,
        [det("BUTTOCKS_EXPOSED", 0.55)],
        [FrameFlag(NC, M, "BUTTOCKS_EXPOSED", 0.55, "non_nude.exposed")],
    ),
    (
        NON_NUDE,
        PublicStream.OPEN,
        [det("MALE_GENITALIA_EXPOSED", 0.45), det("FEMALE_BREAST_EXPOSED", 0.8), det("FEMALE_BREAST_EXPOSED", 0.7)],
        [
            FrameFlag(NC, H, "MALE_GENITALIA_EXPOSED", 0.45, "non_nude.explicit"),
            FrameFlag(NC, M, "FEMALE_BREAST_EXPOSED", 0.8, "non_nude.exposed"),  # one flag per rule: the strongest
        ],
    ),
    (
        RESTRICTED,
        PublicStream.OPEN,
        [det("ANUS_EXPOSED", 0.7)],
        [FrameFlag(RR, H, "ANUS_EXPOSED", 0.7, "region.explicit")],
    ),
    (RoomPolicy(restricted_regions=()), PublicStream.OPEN, [det("ANUS_EXPOSED", 0.7)], []),  # restriction off
    (
        RoomPolicy(non_nude=True, restricted_regions=("US",)),
        PublicStream.OPEN,
        [det("FEMALE_BREAST_EXPOSED", 0.6)],
        [
            FrameFlag(NC, M, "FEMALE_BREAST_EXPOSED", 0.6, "non_nude.exposed"),
            FrameFlag(RR, M, "FEMALE_BREAST_EXPOSED", 0.6, "region.exposed"),
        ],
    ),
    (OPEN, PublicStream.NO_EXPLICIT, [det("FEMALE_BREAST_EXPOSED", 0.9)], []),  # nudity allowed, explicit not
    (
        OPEN,
        PublicStream.NO_EXPLICIT,
        [det("FEMALE_GENITALIA_EXPOSED", 0.5)],
        [FrameFlag(PE, H, "FEMALE_GENITALIA_EXPOSED", 0.5, "platform.no_explicit")],
    ),
    (
        OPEN,
        PublicStream.NON_NUDE,
        [det("BUTTOCKS_EXPOSED", 0.9)],
        [FrameFlag(NC, M, "BUTTOCKS_EXPOSED", 0.9, "non_nude.exposed")],
    ),
]


@pytest.mark.parametrize(("room", "public", "detections", "expected"), CASES)
def test_policy_table(
    room: RoomPolicy, public: PublicStream, detections: list[Detection], expected: list[FrameFlag]
) -> None:
    assert evaluate(detections, room, PlatformPolicy(public_stream=public)) == expected


def test_platform_thresholds_can_be_tuned_per_label() -> None:
    strict = PlatformPolicy(thresholds={"FEMALE_BREAST_EXPOSED": 0.3})
    found = [det("FEMALE_BREAST_EXPOSED", 0.35), det("BUTTOCKS_EXPOSED", 0.5)]
    assert evaluate(found, NON_NUDE, strict) == [
        FrameFlag(NC, M, "FEMALE_BREAST_EXPOSED", 0.35, "non_nude.exposed")
    ]  # buttocks keep the default 0.55
    assert evaluate(found, NON_NUDE) == []


def test_every_rule_watches_known_labels_and_exposed_body_parts_only() -> None:
    assert EXPOSED_BODY.issubset(NUDENET_LABELS)
    for rule in RULES:
        assert rule.labels and rule.labels <= EXPOSED_BODY, rule.name
    assert len({rule.name for rule in RULES}) == len(RULES)


def test_worst_severity_counts_hash_matches() -> None:
    flag = FrameFlag(NC, M, "BUTTOCKS_EXPOSED", 0.9, "non_nude.exposed")
    match = HashMatch("industry", ListKind.PROHIBITED, "x", "0" * 64, 4, "original")
    leak = HashMatch("ada", ListKind.LEAKED, "x", "0" * 64, 4, "original", "room-ada")
    assert worst_severity([flag]) is Severity.MEDIUM
    assert worst_severity([flag], [leak]) is Severity.HIGH
    assert worst_severity([], [leak, match]) is Severity.CRITICAL
    assert worst_severity([]) is None
    assert Severity.CRITICAL.label == "critical"
