"""Data-subject requests and retention: the erasure grace period, export links, and each data class's
retention period in days (0 = kept until erasure; the operator decides, see docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from stagedoor.core.config.vars import Var, _integer

PRIVACY_ERASURE_GRACE_DAYS = Var("STAGEDOOR_PRIVACY_ERASURE_GRACE_DAYS", _integer(14, 0, 90))
PRIVACY_EXPORT_LINK_HOURS = Var("STAGEDOOR_PRIVACY_EXPORT_LINK_HOURS", _integer(72, 1, 720))
PRIVACY_REQUEST_DAYS = Var("STAGEDOOR_PRIVACY_REQUEST_DAYS", _integer(30, 1, 90))

# The data classes the retention job knows, with their default period in days.
RETENTION_DEFAULTS: dict[str, int] = {
    "chat_messages": 180,
    "ip_logs": 30,
    "stream_samples": 30,
    "support_attachments": 365,
    "closed_tickets": 730,
    "expired_sessions": 7,
}
RETENTION_VARS: dict[str, Var[int]] = {
    name: Var(f"STAGEDOOR_RETAIN_{name.upper()}_DAYS", _integer(days, 0, 36_500))
    for name, days in RETENTION_DEFAULTS.items()
}


@dataclass(frozen=True)
class PrivacyConfig:
    """`erasure_grace_days`: how long a person may cancel an erasure they asked for; `export_link_hours`: how
    long an export's download link works (once); `request_days`: the answer deadline of a data-subject request
    (GDPR Art. 12(3): one month); `retention_days`: each data class's period (0 = no automatic deletion)."""

    erasure_grace_days: int = 14
    export_link_hours: int = 72
    request_days: int = 30
    retention_days: dict[str, int] = field(default_factory=lambda: dict(RETENTION_DEFAULTS))


def _privacy_config(env: Mapping[str, str]) -> PrivacyConfig:
    return PrivacyConfig(
        erasure_grace_days=PRIVACY_ERASURE_GRACE_DAYS.read(env),
        export_link_hours=PRIVACY_EXPORT_LINK_HOURS.read(env),
        request_days=PRIVACY_REQUEST_DAYS.read(env),
        retention_days={name: var.read(env) for name, var in RETENTION_VARS.items()},
    )
