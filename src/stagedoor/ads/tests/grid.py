"""Who may call each ads endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    # the page's slot and its impression beacon: everyone (ad-free viewers get `ad: null`)
    ("GET", "/api/v1/ads/slots/{slot}"): "anon",
    ("POST", "/api/v1/ads/impressions"): "anon",
    ("GET", "/api/v1/ads/advertisers"): Perm.ADS_MANAGE,
    ("POST", "/api/v1/ads/advertisers"): Perm.ADS_MANAGE,
    ("GET", "/api/v1/ads/campaigns"): Perm.ADS_REPORTS_READ,
    ("POST", "/api/v1/ads/campaigns"): Perm.ADS_MANAGE,
    ("PUT", "/api/v1/ads/campaigns/{campaign_id}"): Perm.ADS_MANAGE,
    ("POST", "/api/v1/ads/campaigns/{campaign_id}/status"): Perm.ADS_MANAGE,
    ("GET", "/api/v1/ads/campaigns/{campaign_id}/creatives"): Perm.ADS_REPORTS_READ,
    ("POST", "/api/v1/ads/campaigns/{campaign_id}/creatives"): Perm.ADS_MANAGE,
    # staff with ADS_REPORTS_READ, or the advertiser's own account: checked inside (test_api.py)
    ("GET", "/api/v1/ads/campaigns/{campaign_id}/report"): "auth",
    ("GET", "/api/v1/ads/report"): "auth",
}
