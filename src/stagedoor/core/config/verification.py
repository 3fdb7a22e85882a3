"""Identity and age verification: vendors, upload limit, re-verification, records, recovery."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stagedoor.core.config.vars import Var, _choice, _integer, _text, _url, require_together

# --- identity and age verification (verification) ----------------------------------------------------------
VERIFICATION_VERIFF_URL = Var(
    "STAGEDOOR_VERIFICATION_VERIFF_URL", _url("https://stationapi.veriff.com", ("http", "https"), "https://host")
)
VERIFICATION_VERIFF_API_KEY = Var("STAGEDOOR_VERIFICATION_VERIFF_API_KEY", _text(""))
VERIFICATION_VERIFF_SECRET = Var("STAGEDOOR_VERIFICATION_VERIFF_SECRET", _text(""))
VERIFICATION_ONFIDO_URL = Var(
    "STAGEDOOR_VERIFICATION_ONFIDO_URL", _url("https://api.eu.onfido.com", ("http", "https"), "https://host")
)
VERIFICATION_ONFIDO_API_TOKEN = Var("STAGEDOOR_VERIFICATION_ONFIDO_API_TOKEN", _text(""))
VERIFICATION_ONFIDO_WEBHOOK_TOKEN = Var("STAGEDOOR_VERIFICATION_ONFIDO_WEBHOOK_TOKEN", _text(""))
VERIFICATION_ONFIDO_WORKFLOW_ID = Var("STAGEDOOR_VERIFICATION_ONFIDO_WORKFLOW_ID", _text(""))
VERIFICATION_AGE_URL = Var("STAGEDOOR_VERIFICATION_AGE_URL", _url("", ("http", "https"), "https://host"))
VERIFICATION_AGE_API_KEY = Var("STAGEDOOR_VERIFICATION_AGE_API_KEY", _text(""))
VERIFICATION_AGE_SECRET = Var("STAGEDOOR_VERIFICATION_AGE_SECRET", _text(""))
VERIFICATION_ID_CHECK_VENDOR = Var("STAGEDOOR_VERIFICATION_ID_CHECK_VENDOR", _choice("", ("", "veriff", "onfido")))
VERIFICATION_UPLOAD_MAX_MB = Var("STAGEDOOR_VERIFICATION_UPLOAD_MAX_MB", _integer(15, 1, 200))
VERIFICATION_REVERIFY_DAYS = Var("STAGEDOOR_VERIFICATION_REVERIFY_DAYS", _integer(365, 0, 3650))
VERIFICATION_WARN_DAYS = Var("STAGEDOOR_VERIFICATION_WARN_DAYS", _integer(30, 0, 365))
VERIFICATION_REQUEST_DAYS = Var("STAGEDOOR_VERIFICATION_REQUEST_DAYS", _integer(14, 0, 365))
VERIFICATION_AGE_REMEMBER_DAYS = Var("STAGEDOOR_VERIFICATION_AGE_REMEMBER_DAYS", _integer(30, 0, 3650))
VERIFICATION_RECORDS_YEARS = Var("STAGEDOOR_VERIFICATION_RECORDS_YEARS", _integer(7, 1, 100))
VERIFICATION_RECOVERY_COOLING_HOURS = Var("STAGEDOOR_VERIFICATION_RECOVERY_COOLING_HOURS", _integer(72, 0, 720))
VERIFICATION_VIEW_LINK_S = Var("STAGEDOOR_VERIFICATION_VIEW_LINK_S", _integer(120, 10, 3600))


@dataclass(frozen=True)
class VerificationConfig:
    """Identity vendors (Veriff-style, Onfido-style; each on when its keys are set), the age-estimation vendor,
    which vendor runs viewers' ID checks ("": the first configured), the upload limit, re-verification (every N
    days, 0 = never; warned N days before a deadline; N days to comply with a staff request), how long a passed
    viewer age check is remembered, the record-keeping years after a last appearance, the recovery cooling-off
    and the lifetime of a staff document view link."""

    veriff_url: str = "https://stationapi.veriff.com"
    veriff_api_key: str = field(default="", repr=False)
    veriff_secret: str = field(default="", repr=False)
    onfido_url: str = "https://api.eu.onfido.com"
    onfido_api_token: str = field(default="", repr=False)
    onfido_webhook_token: str = field(default="", repr=False)
    onfido_workflow_id: str = ""
    age_url: str = ""
    age_api_key: str = field(default="", repr=False)
    age_secret: str = field(default="", repr=False)
    id_check_vendor: str = ""
    upload_max_mb: int = 15
    reverify_days: int = 365
    warn_days: int = 30
    request_days: int = 14
    age_remember_days: int = 30
    records_years: int = 7
    recovery_cooling_hours: int = 72
    view_link_s: int = 120


VERIFICATION_VARS = {
    "veriff_url": VERIFICATION_VERIFF_URL,
    "veriff_api_key": VERIFICATION_VERIFF_API_KEY,
    "veriff_secret": VERIFICATION_VERIFF_SECRET,
    "onfido_url": VERIFICATION_ONFIDO_URL,
    "onfido_api_token": VERIFICATION_ONFIDO_API_TOKEN,
    "onfido_webhook_token": VERIFICATION_ONFIDO_WEBHOOK_TOKEN,
    "onfido_workflow_id": VERIFICATION_ONFIDO_WORKFLOW_ID,
    "age_url": VERIFICATION_AGE_URL,
    "age_api_key": VERIFICATION_AGE_API_KEY,
    "age_secret": VERIFICATION_AGE_SECRET,
    "id_check_vendor": VERIFICATION_ID_CHECK_VENDOR,
    "upload_max_mb": VERIFICATION_UPLOAD_MAX_MB,
    "reverify_days": VERIFICATION_REVERIFY_DAYS,
    "warn_days": VERIFICATION_WARN_DAYS,
    "request_days": VERIFICATION_REQUEST_DAYS,
    "age_remember_days": VERIFICATION_AGE_REMEMBER_DAYS,
    "records_years": VERIFICATION_RECORDS_YEARS,
    "recovery_cooling_hours": VERIFICATION_RECOVERY_COOLING_HOURS,
    "view_link_s": VERIFICATION_VIEW_LINK_S,
}


def _verification_config(env: Mapping[str, str]) -> VerificationConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in VERIFICATION_VARS.items()}
    verification = VerificationConfig(**values)
    require_together(
        (VERIFICATION_VERIFF_API_KEY, verification.veriff_api_key),
        (VERIFICATION_VERIFF_SECRET, verification.veriff_secret),
    )
    require_together(
        (VERIFICATION_ONFIDO_API_TOKEN, verification.onfido_api_token),
        (VERIFICATION_ONFIDO_WEBHOOK_TOKEN, verification.onfido_webhook_token),
        (VERIFICATION_ONFIDO_WORKFLOW_ID, verification.onfido_workflow_id),
    )
    require_together(
        (VERIFICATION_AGE_URL, verification.age_url),
        (VERIFICATION_AGE_API_KEY, verification.age_api_key),
        (VERIFICATION_AGE_SECRET, verification.age_secret),
    )
    return verification
