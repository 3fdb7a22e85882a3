"""Trust & safety: the review queue, video frame scanning and chat classification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stagedoor.core.config.vars import ConfigError, Var, _file, _integer, _seconds, _text_of

# --- trust & safety: the review queue (SLAs, appeals, moderator well-being, report flood) ----------------
MODERATION_SLA_CRITICAL_MIN = Var("STAGEDOOR_MODERATION_SLA_CRITICAL_MIN", _integer(15, 1, 10_080))
MODERATION_SLA_HIGH_MIN = Var("STAGEDOOR_MODERATION_SLA_HIGH_MIN", _integer(60, 1, 10_080))
MODERATION_SLA_MEDIUM_MIN = Var("STAGEDOOR_MODERATION_SLA_MEDIUM_MIN", _integer(240, 1, 10_080))
MODERATION_SLA_LOW_MIN = Var("STAGEDOOR_MODERATION_SLA_LOW_MIN", _integer(1440, 1, 43_200))
MODERATION_APPEAL_DAYS = Var("STAGEDOOR_MODERATION_APPEAL_DAYS", _integer(14, 1, 365))
MODERATION_EXPOSURE_CAP = Var("STAGEDOOR_MODERATION_EXPOSURE_CAP", _integer(25, 0, 10_000))
MODERATION_BREAK_MIN = Var("STAGEDOOR_MODERATION_BREAK_MIN", _integer(90, 5, 1440))
MODERATION_SHIFT_HOURS = Var("STAGEDOOR_MODERATION_SHIFT_HOURS", _integer(8, 1, 24))
MODERATION_REPORTS_PER_HOUR = Var("STAGEDOOR_MODERATION_REPORTS_PER_HOUR", _integer(10, 1, 10_000))


@dataclass(frozen=True)
class ModerationCasesConfig:
    """The review queue: minutes to act per severity, the appeal window, a moderator's shift (graphic items
    revealed before those cases go to others, minutes before a break prompt) and reports per reporter per hour."""

    sla_critical_min: int = 15
    sla_high_min: int = 60
    sla_medium_min: int = 240
    sla_low_min: int = 1440
    appeal_days: int = 14
    exposure_cap: int = 25
    break_min: int = 90
    shift_hours: int = 8
    reports_per_hour: int = 10


def _moderation_cases_config(env: Mapping[str, str]) -> ModerationCasesConfig:
    return ModerationCasesConfig(
        sla_critical_min=MODERATION_SLA_CRITICAL_MIN.read(env),
        sla_high_min=MODERATION_SLA_HIGH_MIN.read(env),
        sla_medium_min=MODERATION_SLA_MEDIUM_MIN.read(env),
        sla_low_min=MODERATION_SLA_LOW_MIN.read(env),
        appeal_days=MODERATION_APPEAL_DAYS.read(env),
        exposure_cap=MODERATION_EXPOSURE_CAP.read(env),
        break_min=MODERATION_BREAK_MIN.read(env),
        shift_hours=MODERATION_SHIFT_HOURS.read(env),
        reports_per_hour=MODERATION_REPORTS_PER_HOUR.read(env),
    )


# --- trust & safety: video frame scanning (moderation/frames) ---------------------------------------------
MODERATION_NUDITY_MODEL = Var("STAGEDOOR_MODERATION_NUDITY_MODEL", _file)
MODERATION_HASH_DISTANCE = Var("STAGEDOOR_MODERATION_HASH_DISTANCE", _integer(31, 0, 128))
MODERATION_FRAME_QUEUE = Var("STAGEDOOR_MODERATION_FRAME_QUEUE", _integer(32, 1, 10_000))
MODERATION_FRAME_WORKERS = Var("STAGEDOOR_MODERATION_FRAME_WORKERS", _integer(1, 1, 64))
MODERATION_SAMPLE_STANDARD_S = Var("STAGEDOOR_MODERATION_SAMPLE_STANDARD_S", _seconds(10.0))
MODERATION_SAMPLE_TRUSTED_S = Var("STAGEDOOR_MODERATION_SAMPLE_TRUSTED_S", _seconds(30.0))


@dataclass(frozen=True)
class FrameScanConfig:
    """Frame samples from live streams: the nudity model ("": NudeNet's 320n.onnx inside the nudenet wheel),
    the PDQ match distance, the scan queue and threads, and the scan interval of established and long-trusted
    rooms (new performers and recently flagged rooms get every sample)."""

    nudity_model: str = ""
    hash_distance: int = 31
    queue_size: int = 32
    workers: int = 1
    standard_interval_s: float = 10.0
    trusted_interval_s: float = 30.0


def _frame_scan_config(env: Mapping[str, str]) -> FrameScanConfig:
    return FrameScanConfig(
        nudity_model=MODERATION_NUDITY_MODEL.read(env),
        hash_distance=MODERATION_HASH_DISTANCE.read(env),
        queue_size=MODERATION_FRAME_QUEUE.read(env),
        workers=MODERATION_FRAME_WORKERS.read(env),
        standard_interval_s=MODERATION_SAMPLE_STANDARD_S.read(env),
        trusted_interval_s=MODERATION_SAMPLE_TRUSTED_S.read(env),
    )


# --- trust & safety: chat classification (moderation/text) -------------------------------------------------
MODERATION_TEXT_CATEGORIES = ("minor_risk", "off_platform", "scam", "doxxing", "harassment")


def _text_policy(name: str, raw: object) -> str:
    """`category=action[,category=action…]`, actions allow/hold/block; minor_risk is at least hold."""
    text = _text_of(raw) or ""
    for part in filter(None, (p.strip() for p in text.split(","))):
        category, sep, action = (x.strip().lower() for x in part.partition("="))
        if not sep or category not in MODERATION_TEXT_CATEGORIES or action not in ("allow", "hold", "block"):
            categories = ", ".join(MODERATION_TEXT_CATEGORIES)
            raise ConfigError(name, f"expected category=allow|hold|block ({categories}), got {part!r}")
        if category == "minor_risk" and action == "allow":
            raise ConfigError(name, "minor_risk is always at least hold")
    return text


MODERATION_TEXT_MODEL = Var("STAGEDOOR_MODERATION_TEXT_MODEL", _file)
MODERATION_TEXT_POLICY = Var("STAGEDOOR_MODERATION_TEXT_POLICY", _text_policy)


@dataclass(frozen=True)
class ModerationConfig:
    """The chat classifier: its model file ("": the one shipped in moderation/text/data) and the platform's
    action per category ("": hold every category)."""

    text_model: str = ""
    text_policy: str = ""


def _moderation_config(env: Mapping[str, str]) -> ModerationConfig:
    return ModerationConfig(text_model=MODERATION_TEXT_MODEL.read(env), text_policy=MODERATION_TEXT_POLICY.read(env))
