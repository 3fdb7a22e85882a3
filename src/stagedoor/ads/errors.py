"""Errors of ads: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, ValidationFailed


class UnknownSlot(NotFound):
    code = "ads.unknown_slot"
    default_message = "There is no ad slot with that name."


class BadToken(ValidationFailed):
    code = "ads.bad_token"
    default_message = "This ad token is not valid or has expired."


class AdvertiserNotFound(NotFound):
    code = "ads.advertiser_not_found"
    default_message = "No such advertiser."


class NotAnAdvertiser(NotFound):
    code = "ads.not_an_advertiser"
    default_message = "Your account does not belong to an advertiser."


class AdvertiserExists(Conflict):
    code = "ads.advertiser_exists"
    default_message = "An advertiser with this name already exists."


class CampaignNotFound(NotFound):
    code = "ads.campaign_not_found"
    default_message = "No such campaign."


class CreativeNotFound(NotFound):
    code = "ads.creative_not_found"
    default_message = "No such creative."


class InvalidCampaign(ValidationFailed):
    code = "ads.invalid_campaign"
    default_message = "Some of the campaign's settings are not valid."


class CampaignEnded(Conflict):
    code = "ads.campaign_ended"
    default_message = "This campaign has ended; it cannot be changed or restarted."


class NoCreatives(Conflict):
    code = "ads.no_creatives"
    default_message = "Add a creative before the campaign starts."


class CreativeRejected(ValidationFailed):
    code = "ads.creative_rejected"
    default_message = "This banner cannot be used."
