"""Errors of affiliates: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed


class NotAnAffiliate(NotFound):
    code = "affiliates.not_an_affiliate"
    default_message = "You have no referral account."


class AffiliateNotFound(NotFound):
    code = "affiliates.affiliate_not_found"
    default_message = "No such affiliate."


class AlreadyAffiliate(Conflict):
    code = "affiliates.already_affiliate"
    default_message = "This person already has a referral account."


class PlanNotFound(NotFound):
    code = "affiliates.plan_not_found"
    default_message = "No such commission plan."


class NoPerformerPlan(Conflict):
    code = "affiliates.no_performer_plan"
    default_message = "Performer referrals are not open yet: no plan is set for them."


class InvalidPlan(ValidationFailed):
    code = "affiliates.invalid_plan"
    default_message = "The plan's terms are not valid."


class InvalidLink(ValidationFailed):
    code = "affiliates.invalid_link"
    default_message = "The referral link is not valid."


class CodeTaken(Conflict):
    code = "affiliates.code_taken"
    default_message = "That referral code is taken."


class TooManyLinks(Conflict):
    code = "affiliates.too_many_links"
    default_message = "You have as many referral links as you may have."


class LinkNotFound(NotFound):
    code = "affiliates.link_not_found"
    default_message = "No such referral link."


class AffiliateSuspended(PermissionDenied):
    code = "affiliates.suspended"
    default_message = "This referral account is suspended."


class CommissionNotFound(NotFound):
    code = "affiliates.commission_not_found"
    default_message = "No such commission."


class CommissionNotHeld(Conflict):
    code = "affiliates.commission_not_held"
    default_message = "Only a held commission can be released."


class CommissionVoided(Conflict):
    code = "affiliates.commission_voided"
    default_message = "This commission is already voided."


class InvalidPostbackUrl(ValidationFailed):
    code = "affiliates.invalid_postback_url"
    default_message = "The postback URL must be an http:// or https:// URL."


class CallbackRefused(ApplicationError):
    """An inbound callback that is not verified: a bad or missing signature, a stale timestamp."""

    code = "affiliates.callback_refused"
    status = 401
    default_message = "The callback's signature could not be verified."


class CallbackInvalid(ValidationFailed):
    code = "affiliates.callback_invalid"
    default_message = "The callback is malformed."
