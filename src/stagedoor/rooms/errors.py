from stagedoor.core.errors import ApplicationError, NotFound, PermissionDenied


class RoomNotFound(NotFound):
    code = "room.not_found"
    default_message = "No such room."


class RoomRegionBlocked(PermissionDenied):
    code = "room.region_blocked"
    default_message = "This room is not available in your region."


class NotAPerformer(PermissionDenied):
    code = "room.not_a_performer"
    default_message = "Only performers have rooms."


class InvalidRegion(ApplicationError):
    code = "room.invalid_region"
    status = 422
    default_message = "Use ISO 3166 codes such as DE or US-TX."


class ShowNotFound(NotFound):
    code = "room.show_not_found"
    default_message = "That show is not on your schedule."
