"""Chat errors for the REST side; the codes are the wire protocol's (codes.py)."""

from __future__ import annotations

from stagedoor.chat import codes as C
from stagedoor.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed


class ChatForbidden(PermissionDenied):
    code = C.ERR_FORBIDDEN
    default_message = "You may not moderate this room's chat."


class ChatInvalid(ValidationFailed):
    code = C.ERR_BAD_FIELD
    default_message = "This moderation request is not valid."


class ChatInvalidDuration(ValidationFailed):
    code = C.ERR_INVALID_DURATION
    default_message = "Time-outs last from 1 minute to 24 hours."


class ChatMessageNotFound(NotFound):
    code = C.ERR_NOT_FOUND
    default_message = "No such chat message in this room."


class ChatAgeCheckRequired(ApplicationError):
    code = "chat.age_check_required"
    status = 403
    default_message = "Where you are, an age check is needed before joining the chat."


def from_refusal(code: str, message: str) -> ApplicationError:
    cls: type[ApplicationError] = {
        C.ERR_FORBIDDEN: ChatForbidden,
        C.ERR_INVALID_DURATION: ChatInvalidDuration,
        C.ERR_NOT_FOUND: ChatMessageNotFound,
    }.get(code, ChatInvalid)
    return cls(message)
