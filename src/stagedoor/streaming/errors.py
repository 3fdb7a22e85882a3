"""Typed errors of the streaming app (stable codes)."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError


class StreamKeyNotAllowed(ApplicationError):
    code = "streaming.not_a_performer"
    status = 403
    default_message = "Only performers have stream keys."


class PlaybackConsentRequired(ApplicationError):
    code = "streaming.consent_required"
    status = 403
    default_message = "Confirm your age and accept the terms before watching."


class PlaybackAgeCheckRequired(ApplicationError):
    code = "streaming.age_check_required"
    status = 403
    default_message = "Where you are, an age check is needed before watching."


class StreamNotFound(ApplicationError):
    code = "streaming.not_found"
    status = 404
    default_message = "No such room."


class ThumbnailNotAvailable(ApplicationError):
    code = "streaming.thumbnail_unavailable"
    status = 404
    default_message = "This room is not live, so it has no thumbnail."
