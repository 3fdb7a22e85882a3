"""A room's policies, set by its performer or trust & safety: the content policy the frame scanner applies, and
what the chat classifier does with each category of line in the room."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.chat import selectors as chat_selectors
from stagedoor.chat import services as chat_services
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import PermissionDenied, ValidationFailed
from stagedoor.moderation.models import RoomContentPolicy
from stagedoor.moderation.text.policy import check_room_actions

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


def room_chat_policy_set(*, actor: Any, room: Any, actions: Mapping[str, str], ip: str = "") -> dict[str, str]:
    """What the chat classifier does in this room with each category (``{"scam": "block", ...}``; a category left
    out, or given as "", follows the platform). Replaces the room's whole setting. The performer (their own room)
    or a supervisor; an unknown category or action, or ``minor_risk`` below hold, is refused
    (``moderation.text_policy_invalid``, 422) and nothing is stored. Gateways that have the room open apply it
    at once. Returns what was stored."""
    if actor.pk != room.performer_id and not role_has(actor.role, Perm.MODERATION_SUPERVISE):
        raise PermissionDenied("Only the performer or trust & safety sets a room's chat policy.")
    chosen = {str(category): str(action).strip() for category, action in actions.items()}
    checked = check_room_actions({c: a for c, a in chosen.items() if a})
    stored = {category: action.name.lower() for category, action in sorted(checked.items())}
    with transaction.atomic():
        before = chat_selectors.chat_classifier_actions(room)
        chat_services.chat_classifier_actions_set(room=room, actions=stored)
        audit_record(
            actor=actor,
            action="moderation.room_chat_policy_set",
            target=room,
            ip=ip,
            data={"actions": stored, "before": before},
        )
    return stored
