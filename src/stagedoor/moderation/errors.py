"""Trust & safety errors, each with a stable code. A refused action changes nothing."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed


class CaseNotFound(NotFound):
    code = "moderation.case_not_found"
    default_message = "No such case."


class CaseHeld(Conflict):
    code = "moderation.case_held"
    default_message = "Another moderator holds this case."


class CaseClosed(Conflict):
    code = "moderation.case_closed"
    default_message = "This case is already decided."


class CaseEscalated(PermissionDenied):
    code = "moderation.case_escalated"
    default_message = "This case was escalated; a supervisor decides it."


class NotYourClaim(PermissionDenied):
    code = "moderation.not_your_claim"
    default_message = "Only the moderator who holds a case, or a supervisor, can release it."


class UnknownPolicy(ValidationFailed):
    code = "moderation.unknown_policy"
    default_message = "There is no policy with this code."


class ActionNotAllowed(ValidationFailed):
    code = "moderation.action_not_allowed"
    default_message = "This policy does not allow this action."


class ActionNotApplicable(ValidationFailed):
    code = "moderation.action_not_applicable"
    default_message = "This action does not apply to this case."


class EvidenceInvalid(ValidationFailed):
    code = "moderation.evidence_invalid"
    default_message = "The evidence is malformed."


class ExposureCapReached(Conflict):
    code = "moderation.exposure_cap_reached"
    default_message = "You reached this shift's limit for graphic cases; they go to other moderators now. Take a break."


class ReportRateLimited(RateLimited):
    code = "moderation.report_rate_limited"
    default_message = "You have sent many reports in the last hour. Please wait before sending more."
    retry_after = 600


class ReportInvalid(ValidationFailed):
    code = "moderation.report_invalid"
    default_message = "This report is not valid."


class ReportTargetNotFound(NotFound):
    code = "moderation.report_target_not_found"
    default_message = "There is nothing to report with this id."


class DecisionNotFound(NotFound):
    code = "moderation.decision_not_found"
    default_message = "No such decision."


class AppealNotFound(NotFound):
    code = "moderation.appeal_not_found"
    default_message = "No such appeal."


class AppealExists(Conflict):
    code = "moderation.appeal_exists"
    default_message = "This decision was already appealed; each decision can be appealed once."


class AppealWindowClosed(Conflict):
    code = "moderation.appeal_window_closed"
    default_message = "The time to appeal this decision has passed."


class AppealNotAppealable(ValidationFailed):
    code = "moderation.not_appealable"
    default_message = "Only a decision that restricted you can be appealed."


class AppealSameModerator(PermissionDenied):
    code = "moderation.appeal_same_moderator"
    default_message = "A different moderator must review an appeal against your own decision."


class AppealClosed(Conflict):
    code = "moderation.appeal_closed"
    default_message = "This appeal is already decided."


class HashListInvalid(ValidationFailed):
    code = "moderation.hashlist_invalid"
    default_message = "The hash list is not valid."


class HashListNotFound(NotFound):
    code = "moderation.hashlist_not_found"
    default_message = "No such hash list."


class ModeratorNotFound(NotFound):
    code = "moderation.moderator_not_found"
    default_message = "No moderator with this id."
