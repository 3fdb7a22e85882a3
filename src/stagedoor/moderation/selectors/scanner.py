"""What the frame scanner (`moderation/frames/`) loads from the database, in the scanner's own types: the hash
lists, each room's content policy, and how much a room's performer is trusted (sampling runs faster for new
performers and recently flagged rooms). Plain functions: the scanner runs them in a worker thread."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from stagedoor.chat.models import ChatMessage
from stagedoor.moderation.frames.policy import RoomPolicy
from stagedoor.moderation.frames.sampling import TrustInfo
from stagedoor.moderation.models import Case, Decision, HashEntry, RoomContentPolicy
from stagedoor.moderation.policies import RESTRICTIVE
from stagedoor.rooms.models import Room

FRAME_SOURCES = (Case.Source.FRAME_FLAG, Case.Source.HASH_MATCH)
BROADCAST_DAYS_WINDOW = timedelta(days=365)


def hash_lists_for_scanner() -> list[tuple[str, str, str, str, str]]:
    """Every loaded hash as (list name, kind, hash hex, ref, owner), ordered by list then hash; `owner` is the
    room slug of the performer a leaked-content list protects ("" for other lists)."""
    rows = HashEntry.objects.select_related("hash_list", "hash_list__owner").order_by("hash_list__name", "hash_hex")
    owners = dict(Room.objects.values_list("performer_id", "slug"))
    return [
        (
            e.hash_list.name,
            e.hash_list.kind,
            e.hash_hex,
            e.ref,
            owners.get(e.hash_list.owner_id, "") if e.hash_list.owner_id else "",
        )
        for e in rows
    ]


def room_policy_for_scanner(room_slug: str) -> RoomPolicy | None:
    """The room's content policy, or None (the room allows what the platform allows)."""
    policy = RoomContentPolicy.objects.filter(room__slug=room_slug).first()
    if policy is None:
        return None
    regions = tuple(str(r).upper() for r in policy.restricted_regions if isinstance(r, str))
    return RoomPolicy(non_nude=policy.non_nude, restricted_regions=regions)


def room_trust_for_scanner(room_slug: str, *, now: datetime | None = None) -> TrustInfo | None:
    """How far the room's performer is trusted, or None for an unknown room (scanned on every sample).

    The platform keeps no log of broadcasts, so `past_broadcasts` counts the days (in the last year) on which
    the room's chat was used — a room chats while it is live. `last_flag_at` is the latest frame flag, hash
    match or restrictive decision about the room."""
    now = now or timezone.now()
    room = Room.objects.select_related("performer").filter(slug=room_slug).first()
    if room is None:
        return None
    days = (
        ChatMessage.objects.filter(room=room, created_at__gte=now - BROADCAST_DAYS_WINDOW)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .distinct()
        .count()
    )
    flagged = Case.objects.filter(room=room, source__in=FRAME_SOURCES).aggregate(at=Max("created_at"))["at"]
    restricted = Decision.objects.filter(room=room, action__in=RESTRICTIVE, reverses__isnull=True).aggregate(
        at=Max("created_at")
    )["at"]
    latest = max((t for t in (flagged, restricted) if t is not None), default=None)
    return TrustInfo(
        account_created_at=room.performer.date_joined,
        room_created_at=room.created_at,
        past_broadcasts=days,
        last_flag_at=latest,
    )
