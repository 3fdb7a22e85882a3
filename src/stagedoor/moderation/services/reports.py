"""User reports (notice and action): anyone signed in reports a chat message, a room or a person; the report
opens a case or joins the open one about the same thing. A flood from one account is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.chat.models import ChatMessage
from stagedoor.core.ids import new_id
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.errors import ReportInvalid, ReportRateLimited, ReportTargetNotFound
from stagedoor.moderation.models import Case, Report
from stagedoor.moderation.services.cases import case_open
from stagedoor.rooms.models import Room

TEXT_MAX = 2000


def _field(field: str, message: str) -> ReportInvalid:
    return ReportInvalid(message, extra={"fields": {field: [message]}})


def _target(kind: str, target_id: str) -> tuple[str, Any, Any, ChatMessage | None]:
    """(canonical target id, subject, room, message) of what is reported; ReportTargetNotFound if nothing."""
    target_id = target_id.strip()[:60]
    if kind == Report.TargetKind.MESSAGE:
        message = (
            ChatMessage.objects.select_related("room", "user")
            .filter(pk=target_id, status=ChatMessage.Status.VISIBLE)
            .first()
        )
        if message is None:
            raise ReportTargetNotFound("There is no visible chat message with this id.")
        return message.pk, message.user, message.room, message
    if kind == Report.TargetKind.ROOM:
        room = Room.objects.select_related("performer").filter(pk=target_id).first()
        room = room or Room.objects.select_related("performer").filter(slug=target_id.lower()).first()
        if room is None:
            raise ReportTargetNotFound("There is no room with this id.")
        return room.pk, room.performer, room, None
    if kind == Report.TargetKind.USER:
        user = User.objects.filter(pk=target_id, is_active=True).first()
        user = user or User.objects.filter(login=target_id.lower(), is_active=True).first()
        if user is None:
            raise ReportTargetNotFound("There is no account with this id.")
        return user.pk, user, None, None
    raise _field("target_kind", "Report a message, a room or a user.")


def report_file(
    *, reporter: User, target_kind: str, target_id: str, reason: str, text: str = "", ip: str = ""
) -> Report:
    """File a report. The same reporter reporting the same thing again while it is under review gets their
    first report back (nothing new is stored). Over the hourly limit: ReportRateLimited, nothing stored."""
    if reason not in P.REPORT_REASONS:
        raise _field("reason", f"Choose one of: {', '.join(P.REPORT_REASONS)}.")
    text = (text or "").strip()
    if len(text) > TEXT_MAX or "\x00" in text:
        raise _field("text", f"Write at most {TEXT_MAX} characters.")
    key, subject, room, message = _target(target_kind, target_id)
    if subject is not None and subject.pk == reporter.pk:
        raise _field("target_id", "You cannot report yourself.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=reporter.pk).first()  # one report at a time per reporter
        existing = Report.objects.filter(
            reporter=reporter, target_kind=target_kind, target_id=key, status=Report.Status.OPEN
        ).first()
        if existing is not None:
            return existing
        since = timezone.now() - timedelta(hours=1)
        if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= P.cases_config().reports_per_hour:
            raise ReportRateLimited()
        report_id = new_id()
        evidence: dict[str, Any] = {"reports": [{"id": report_id, "reason": reason, "text": text}]}
        if message is not None:
            evidence["message"] = selectors.message_snapshot(message)
            evidence["context"] = [selectors.message_snapshot(m) for m in selectors.message_context(message)]
        dedupe = f"message:{key}" if message is not None else f"{target_kind}:{key}"
        case, _created = case_open(
            source=Case.Source.USER_REPORT,
            category=reason,
            subject=subject,
            room=room,
            message=message,
            evidence=evidence,
            dedupe_key=dedupe,
        )
        return Report.objects.create(
            id=report_id,
            reporter=reporter,
            target_kind=target_kind,
            target_id=key,
            reason=reason,
            text=text,
            case=case,
        )
