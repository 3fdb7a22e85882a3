"""A room's content policy, as the frame scanner applies it (set by the performer or trust & safety)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import PermissionDenied, ValidationFailed
from stagedoor.moderation.models import RoomContentPolicy

REGION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def room_content_policy_set(
    *, actor: Any, room: Any, non_nude: bool, restricted_regions: list[str], ip: str = ""
) -> RoomContentPolicy:
    """The performer (for their own room) or a supervisor marks the room non-nude and/or lists the regions
    (ISO 3166 codes) where its content is restricted."""
    if actor.pk != room.performer_id and not role_has(actor.role, Perm.MODERATION_SUPERVISE):
        raise PermissionDenied("Only the performer or trust & safety sets a room's content policy.")
    regions = sorted({r.strip().upper() for r in restricted_regions if r.strip()})
    bad = [r for r in regions if not REGION_RE.fullmatch(r)]
    if bad or len(regions) > 60:
        raise ValidationFailed.of_field("restricted_regions", "Use ISO 3166 codes such as DE or US-TX (at most 60).")
    with transaction.atomic():
        policy, _ = RoomContentPolicy.objects.update_or_create(
            room=room, defaults={"non_nude": bool(non_nude), "restricted_regions": regions}
        )
        audit_record(
            actor=actor,
            action="moderation.room_policy_set",
            target=room,
            ip=ip,
            data={"non_nude": bool(non_nude), "restricted_regions": regions},
        )
    return policy
