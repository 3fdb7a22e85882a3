"""Who may call each webhooks endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/webhooks/event-types"): "anon",
    ("GET", "/api/v1/webhooks/endpoints"): Perm.WEBHOOKS_MANAGE,
    ("POST", "/api/v1/webhooks/endpoints"): Perm.WEBHOOKS_MANAGE,
    ("GET", "/api/v1/webhooks/site-endpoints"): Perm.WEBHOOKS_SITE_MANAGE,
    ("POST", "/api/v1/webhooks/site-endpoints"): Perm.WEBHOOKS_SITE_MANAGE,
    # one endpoint or delivery: its performer (webhooks.manage) or, for a site-wide one, webhooks.site_manage —
    # checked inside, and anyone else gets "not found" (test_api.py)
    ("GET", "/api/v1/webhooks/endpoints/{endpoint_id}"): "auth",
    ("PATCH", "/api/v1/webhooks/endpoints/{endpoint_id}"): "auth",
    ("DELETE", "/api/v1/webhooks/endpoints/{endpoint_id}"): "auth",
    ("POST", "/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret"): "auth",
    ("POST", "/api/v1/webhooks/endpoints/{endpoint_id}/test"): "auth",
    ("GET", "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries"): "auth",
    ("GET", "/api/v1/webhooks/deliveries/{delivery_id}"): "auth",
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/replay"): "auth",
}
