"""Errors of webhooks: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, ValidationFailed


class EndpointNotFound(NotFound):
    code = "webhooks.endpoint_not_found"
    default_message = "No such webhook endpoint."


class DeliveryNotFound(NotFound):
    code = "webhooks.delivery_not_found"
    default_message = "No such delivery."


class InvalidUrl(ValidationFailed):
    code = "webhooks.invalid_url"
    default_message = "Give the endpoint's full address, starting with https:// or http://."


class PrivateAddress(ValidationFailed):
    code = "webhooks.private_address"
    default_message = "This address points into a private network; webhooks are only sent to public addresses."


class UnresolvableHost(ValidationFailed):
    code = "webhooks.unresolvable_host"
    default_message = "This host name does not resolve to an address."


class InvalidEventTypes(ValidationFailed):
    code = "webhooks.invalid_event_types"
    default_message = "Choose at least one event type from the list."


class TooManyEndpoints(Conflict):
    code = "webhooks.too_many_endpoints"
    default_message = "You have as many webhook endpoints as allowed; remove one first."


class EndpointDisabled(Conflict):
    code = "webhooks.endpoint_disabled"
    default_message = "This endpoint is disabled; enable it first."


class ReplayInProgress(Conflict):
    code = "webhooks.replay_in_progress"
    default_message = "This delivery is being sent right now; try again in a moment."
