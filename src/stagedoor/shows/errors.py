"""Errors of shows: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ShowNotFound(NotFound):
    code = "shows.not_found"
    default_message = "That show does not exist."


class ShowsDisabled(Conflict):
    code = "shows.disabled"
    default_message = "This performer does not offer this kind of show."


class ShowStateConflict(Conflict):
    """The show is not in a state that allows this (already live, ended, cancelled…)."""

    code = "shows.state"
    default_message = "The show cannot do that right now."


class RoomBusy(Conflict):
    code = "shows.room_busy"
    default_message = "This room is already in a show."


class AlreadyInShow(Conflict):
    code = "shows.already_joined"
    default_message = "You are already in this show."


class NotInShow(PermissionDenied):
    code = "shows.not_a_participant"
    default_message = "You are not in this show."


class NotYourShow(PermissionDenied):
    code = "shows.not_your_show"
    default_message = "Only the show's performer can do this."


class OwnShow(ValidationFailed):
    code = "shows.own_show"
    default_message = "You cannot join your own show."


class InvalidRate(ValidationFailed):
    code = "shows.invalid_rate"
    default_message = "The rate is outside the platform's limits."


class InvalidSchedule(ValidationFailed):
    code = "shows.invalid_schedule"
    default_message = "A ticket show needs a title, a start in the future and a price within the limits."


class MinimumNotReached(Conflict):
    code = "shows.minimum_not_reached"
    default_message = "Not enough viewers have joined yet."


class SpyingNotAllowed(Conflict):
    code = "shows.spy_not_allowed"
    default_message = "This show cannot be watched as a spy."
