"""Errors of the support desk: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed


class TicketNotFound(NotFound):
    code = "support.ticket_not_found"
    default_message = "No such ticket."


class TicketClosed(Conflict):
    code = "support.ticket_closed"
    default_message = "This ticket is resolved; open a new one, or reply to reopen it."


class TicketInvalid(ValidationFailed):
    code = "support.ticket_invalid"
    default_message = "Some fields are not valid."


class GuestEmailRequired(ValidationFailed):
    code = "support.email_required"
    default_message = "Give an e-mail address so we can answer you."


class TicketLocked(Conflict):
    code = "support.ticket_locked"
    default_message = "Another agent is replying to this ticket right now."


class QueueNotAllowed(PermissionDenied):
    code = "support.queue_forbidden"
    default_message = "This ticket is in a queue you do not work."


class PurchaseNotFound(ValidationFailed):
    code = "support.purchase_not_found"
    default_message = "That purchase is not one of yours."


class MacroNotFound(NotFound):
    code = "support.macro_not_found"
    default_message = "No such macro."


class ArticleNotFound(NotFound):
    code = "support.article_not_found"
    default_message = "No such help article."


class SurveyInvalid(ApplicationError):
    code = "support.survey_invalid"
    status = 400
    default_message = "This survey link is not valid or has expired."


class SurveyAnswered(Conflict):
    code = "support.survey_answered"
    default_message = "Thank you — this survey was already answered."


class MailRejected(ApplicationError):
    code = "support.mail_rejected"
    status = 400
    default_message = "This mail could not be read."


class MailTooLarge(ApplicationError):
    code = "support.mail_too_large"
    status = 413
    default_message = "This mail is too large."


class WebhookSignatureInvalid(PermissionDenied):
    code = "support.webhook_signature"
    default_message = "The webhook signature does not verify."


class WebhookOff(NotFound):
    code = "support.webhook_off"
    default_message = "The inbound mail webhook is not configured."


class TooManyTickets(RateLimited):
    code = "support.rate_limited"
    default_message = "You have opened many tickets in a short time; wait a little, or reply to an open one."
    retry_after = 600
