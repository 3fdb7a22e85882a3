"""Errors of fans: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed


class ClubNotFound(NotFound):
    code = "fans.club_not_found"
    default_message = "This performer has no fan club."


class ClubClosed(Conflict):
    code = "fans.club_closed"
    default_message = "This fan club is not taking members right now."


class AlreadyMember(Conflict):
    code = "fans.already_member"
    default_message = "You are already a member of this fan club."


class NotMember(NotFound):
    code = "fans.not_member"
    default_message = "You are not a member of this fan club."


class InvalidPrice(ValidationFailed):
    code = "fans.invalid_price"
    default_message = "The price is outside the allowed range."


class MembersOnly(PermissionDenied):
    code = "fans.members_only"
    default_message = "Only fan club members can see this. Join the fan club to unlock it."


class NotAPerformer(PermissionDenied):
    code = "fans.not_a_performer"
    default_message = "Only a performer can do this."


class SelfJoin(Conflict):
    code = "fans.self"
    default_message = "You cannot join your own fan club or message yourself."


class PostNotFound(NotFound):
    code = "fans.post_not_found"
    default_message = "No such post."


class MediaNotFound(NotFound):
    code = "fans.media_not_found"
    default_message = "No such file."


class MediaRejected(ValidationFailed):
    code = "fans.media_rejected"
    default_message = "This file cannot be used."


class ClipTooLong(ValidationFailed):
    code = "fans.clip_too_long"
    default_message = "This clip is too long."


class MediaTooLarge(ApplicationError):
    code = "fans.media_too_large"
    status = 413
    default_message = "This file is too large."


class ThreadNotFound(NotFound):
    code = "fans.thread_not_found"
    default_message = "No such conversation."


class MessageNotFound(NotFound):
    code = "fans.message_not_found"
    default_message = "No such message."


class MessageTooLong(ApplicationError):
    code = "fans.message_too_long"
    status = 413
    default_message = "This message is too long."


class MessageEmpty(ValidationFailed):
    code = "fans.message_empty"
    default_message = "Write something or attach a photo or clip."


class MessageBlocked(ApplicationError):
    code = "fans.message_blocked"
    status = 422
    default_message = "This message was not sent: it breaks the platform's rules."


class MessageRateLimited(RateLimited):
    code = "fans.message_rate_limited"
    default_message = "You are sending messages too fast; wait a moment."
    retry_after = 60


class WrongRecipient(PermissionDenied):
    code = "fans.wrong_recipient"
    default_message = "Private messages go between a fan and a performer."


class NothingToUnlock(Conflict):
    code = "fans.nothing_to_unlock"
    default_message = "This message has nothing to unlock."


class ClientKeyReused(Conflict):
    code = "fans.client_key_reused"
    default_message = "This message key was already used for a different message."
