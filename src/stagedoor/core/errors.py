"""Typed application errors. Each has a stable `code` and an HTTP status.

The API renders every one as `{"code", "message", "extra"}`; pages show the message.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApplicationError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    default_message: ClassVar[str] = "The request could not be completed."

    def __init__(self, message: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.extra = extra or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class ValidationFailed(ApplicationError):
    code = "validation_error"
    status = 422
    default_message = "Some fields are not valid."

    @classmethod
    def of_field(cls, field: str, message: str) -> ValidationFailed:
        """One field's problem, in the shape forms and API clients read: `extra.fields.<field>`."""
        return cls(extra={"fields": {field: [message]}})


class NotAuthenticated(ApplicationError):
    code = "auth.required"
    status = 401
    default_message = "Sign in to do this."


class PermissionDenied(ApplicationError):
    code = "auth.forbidden"
    status = 403
    default_message = "You are not allowed to do this."


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    default_message = "Not found."


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
    default_message = "This conflicts with the current state."


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429
    default_message = "Too many requests; slow down."
    # Seconds a client should wait; the API sends it as `Retry-After` (every 429 carries one).
    retry_after: ClassVar[int] = 60


class MalformedRequest(ApplicationError):
    code = "request.malformed"
    status = 400
    default_message = "The request body could not be read."


class DuplicateJsonKey(MalformedRequest):
    """A JSON object naming one key twice (`{"amount": 10, "amount": 20}`): refused, never "last one wins"."""

    code = "request.duplicate_key"
    default_message = "The JSON body names the same key more than once."


class IdempotencyConflict(Conflict):
    code = "idempotency.key_reused"
    default_message = "This idempotency key was already used for a different request."
