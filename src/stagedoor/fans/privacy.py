"""fans' part of data-subject requests (core.privacy_registry).

Erasure empties the private messages the person wrote and the captions of their fan posts; memberships and
unlocks are paid purchases and are kept as financial records. Conversation rows stay so that the other person's
side of each conversation is not lost.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)
from stagedoor.fans.models import FanClub, FanPost, MediaItem, Membership, Message, Thread, Unlock

FINANCIAL = "financial and tax records (e.g. HGB §257, AO §147: 10 years; GDPR Art. 6(1)(c), 17(3)(b))"


def export_fans(user: Any) -> ExportData:
    return {
        "fan_club": rows(
            FanClub.objects.filter(performer=user),
            ["id", "enabled", "price", "discount_bp", "message_price", "created_at"],
        ),
        "memberships": rows(
            Membership.objects.filter(user=user).select_related("club").order_by("joined_at"),
            [
                "id",
                "club_id",
                "status",
                "period_index",
                "current_period_start",
                "current_period_end",
                "last_price",
                "joined_at",
            ],
        ),
        "posts": rows(
            FanPost.objects.filter(club__performer=user).order_by("created_at"),
            ["id", "caption", "media_id", "created_at"],
        ),
        "media": rows(
            MediaItem.objects.filter(owner=user).order_by("created_at"),
            ["id", "kind", "content_type", "size", "created_at"],
        ),
        "threads": rows(
            Thread.objects.filter(fan=user).union(Thread.objects.filter(performer=user)),
            ["id", "fan_id", "performer_id", "created_at", "last_message_at"],
        ),
        "messages_sent": rows(
            Message.objects.filter(sender=user).order_by("created_at"),
            ["id", "thread_id", "body", "status", "price_paid", "media_id", "unlock_price", "created_at"],
        ),
        "unlocks": rows(
            Unlock.objects.filter(user=user).order_by("created_at"), ["id", "message_id", "price", "created_at"]
        ),
    }


def erase_fans(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    # an encrypted field compares ciphertexts: decide row by row which bodies still hold text
    for message in Message.objects.filter(sender=ctx.user).only("id", "body"):
        if message.body:
            Message.objects.filter(pk=message.pk).update(body="")
            result.changed += 1
    result.changed += FanPost.objects.filter(club__performer=ctx.user).exclude(caption="").update(caption="")
    result.changed += FanClub.objects.filter(performer=ctx.user, enabled=True).update(enabled=False)
    result.keep(
        "fan club memberships and message unlocks (paid)",
        FINANCIAL,
        Membership.objects.filter(user=ctx.user).count() + Unlock.objects.filter(user=ctx.user).count(),
    )
    return result


register_exporter("fans", export_fans)
register_eraser("fans", erase_fans)
