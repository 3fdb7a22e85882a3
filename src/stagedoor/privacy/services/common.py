"""Shared pieces of privacy's services: config, the clock, the holds in force."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from stagedoor.core.config import PrivacyConfig
from stagedoor.privacy.models import LegalHold, holds_in_force


def conf() -> PrivacyConfig:
    config: PrivacyConfig = settings.STAGEDOOR.privacy
    return config


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class HoldsInForce:
    user_ids: frozenset[str]
    refs: frozenset[tuple[str, str]]
    by_user: dict[str, LegalHold]


def current_holds(*, now: datetime | None = None) -> HoldsInForce:
    holds = list(LegalHold.objects.filter(holds_in_force(now=now)).order_by("placed_at"))
    by_user: dict[str, LegalHold] = {}
    for hold in holds:
        if hold.user_id and not hold.target_type:
            by_user.setdefault(str(hold.user_id), hold)
    return HoldsInForce(
        user_ids=frozenset(by_user),
        refs=frozenset((h.target_type, h.target_id) for h in holds if h.target_type),
        by_user=by_user,
    )
