"""Errors of community: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class EventNotFound(NotFound):
    code = "community.event_not_found"
    default_message = "No such event."


class ContestNotFound(NotFound):
    code = "community.contest_not_found"
    default_message = "No such contest."


class ProfileNotFound(NotFound):
    code = "community.profile_not_found"
    default_message = "No such person."


class NotAPerformer(PermissionDenied):
    code = "community.not_a_performer"
    default_message = "Only a performer can enter events and contests."


class EventOver(Conflict):
    code = "community.event_over"
    default_message = "This event is over or cancelled; it takes no more performers."


class ContestOver(Conflict):
    code = "community.contest_over"
    default_message = "This contest is over or cancelled; it takes no more entries."


class InvalidSchedule(ValidationFailed):
    code = "community.invalid_schedule"
    default_message = "The end must come after the start, and a schedule lasts at most 90 days."


class SlugTaken(Conflict):
    code = "community.slug_taken"
    default_message = "This address is already used by another event or contest."


class InvalidField(ValidationFailed):
    code = "community.invalid_field"
    default_message = "Some fields are not valid."
