"""chat's part of data-subject requests (core.privacy_registry) and of retention (messages, sender addresses).

Erasure: the person's chat lines lose their text, sender address and login (the tombstone replaces it); lines
held or blocked for moderation keep their text as evidence of a decision the person may still appeal. Rooms
they co-host drop them; restrictions and moderation actions on them stay (platform safety).
"""

from __future__ import annotations

from typing import Any

from stagedoor.chat.models import ChatHost, ChatMessage, ChatModerationAction, ChatRestriction
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    RetentionClass,
    RetentionRun,
    register_eraser,
    register_exporter,
    register_retention,
    rows,
)

EVIDENCE = (ChatMessage.Status.HELD, ChatMessage.Status.BLOCKED)
MODERATION_BASIS = "moderation records and statements of reasons (EU DSA Art. 17, 20; GDPR Art. 17(3)(e))"


def export_chat(user: Any) -> ExportData:
    return {
        "messages": rows(
            ChatMessage.objects.filter(user=user).order_by("created_at"),
            ["id", "room_id", "login", "text", "status", "reason", "ip", "created_at", "deleted_at"],
        ),
        "host_of_rooms": rows(ChatHost.objects.filter(user=user), ["room_id", "created_at"]),
        "restrictions": rows(
            ChatRestriction.objects.filter(user=user).order_by("created_at"),
            ["id", "room_id", "kind", "until", "reason", "created_at", "lifted_at"],
        ),
    }


def erase_chat(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    mine = ChatMessage.objects.filter(user=ctx.user)
    result.changed += mine.exclude(status__in=EVIDENCE).exclude(text="").update(text="")
    result.changed += mine.exclude(login=ctx.tombstone).update(login=ctx.tombstone)
    result.changed += mine.filter(ip__isnull=False).update(ip=None)
    result.keep(
        "chat lines held or blocked for moderation (text only)",
        MODERATION_BASIS,
        mine.filter(status__in=EVIDENCE).count(),
    )
    result.changed += ChatHost.objects.filter(user=ctx.user).delete()[0]
    result.keep(
        "chat restrictions on the account", MODERATION_BASIS, ChatRestriction.objects.filter(user=ctx.user).count()
    )
    result.keep(
        "chat moderation actions on the account",
        MODERATION_BASIS,
        ChatModerationAction.objects.filter(target_user=ctx.user).count(),
    )
    return result


def _old_messages(run: RetentionRun) -> int:
    old = (
        ChatMessage.objects.filter(created_at__lt=run.cutoff)
        .exclude(status__in=EVIDENCE)
        .exclude(user_id__in=run.held_user_ids)
    )
    if run.dry_run:
        return old.count()
    return int(old.delete()[0])


def _old_addresses(run: RetentionRun) -> int:
    old = ChatMessage.objects.filter(created_at__lt=run.cutoff, ip__isnull=False).exclude(user_id__in=run.held_user_ids)
    if run.dry_run:
        return old.count()
    return old.update(ip=None)


register_exporter("chat", export_chat)
register_eraser("chat", erase_chat)
register_retention(
    RetentionClass(
        name="chat.messages",
        period="chat_messages",
        app_label="chat",
        description="chat lines (not those held or blocked for moderation)",
        action="delete",
        run=_old_messages,
    )
)
register_retention(
    RetentionClass(
        name="chat.ip",
        period="ip_logs",
        app_label="chat",
        description="chat senders' IP addresses",
        action="anonymise",
        run=_old_addresses,
    )
)
