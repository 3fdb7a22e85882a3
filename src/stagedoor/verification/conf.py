"""Verification settings: `settings.STAGEDOOR.verification` (core/config/verification.py's `VerificationConfig`,
from the environment), each overridable by a Django setting of the variable's own name (tests use pytest-django's
`settings`), validated with the same `Var` either way.

| variable | meaning |
|---|---|
| `STAGEDOOR_VERIFICATION_VERIFF_URL`, `…_API_KEY`, `…_SECRET` | Veriff-style vendor (on with key + secret) |
| `STAGEDOOR_VERIFICATION_ONFIDO_URL`, `…_API_TOKEN`, `…_WEBHOOK_TOKEN`, `…_WORKFLOW_ID` | Onfido-style vendor |
| `STAGEDOOR_VERIFICATION_AGE_URL`, `…_AGE_API_KEY`, `…_AGE_SECRET` | the age-estimation vendor for viewers |
| `STAGEDOOR_VERIFICATION_ID_CHECK_VENDOR` | `veriff` or `onfido` for viewers' ID checks ("" = the first configured) |
| `STAGEDOOR_VERIFICATION_UPLOAD_MAX_MB` | largest document upload (15) |
| `STAGEDOOR_VERIFICATION_REVERIFY_DAYS` | re-verify performers every N days (365; 0 = never) |
| `STAGEDOOR_VERIFICATION_WARN_DAYS` | warn N days before a deadline (30) |
| `STAGEDOOR_VERIFICATION_REQUEST_DAYS` | days to comply with a staff or moderation request (14) |
| `STAGEDOOR_VERIFICATION_AGE_REMEMBER_DAYS` | remember a passed viewer age check (30) |
| `STAGEDOOR_VERIFICATION_RECORDS_YEARS` | keep records N years after the last appearance (7) |
| `STAGEDOOR_VERIFICATION_RECOVERY_COOLING_HOURS` | account recovery cooling-off (72) |
| `STAGEDOOR_VERIFICATION_VIEW_LINK_S` | lifetime of a staff document view link (120) |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from stagedoor.core import config

LEGAL_BASIS = (
    "Age and identity records of everyone who appears on camera: 18 U.S.C. § 2257 and 28 C.F.R. Part 75 "
    "(record-keeping), card network standards for adult merchants; kept for the statutory period after the "
    "last appearance and exempt from erasure requests (GDPR Art. 17(3)(b): a legal obligation)."
)


def _value(name: str) -> Any:
    var = config.VERIFICATION_VARS[name]
    raw = getattr(settings, var.name, None)
    if raw is not None:
        return var(raw)
    return getattr(settings.STAGEDOOR.verification, name)


@dataclass(frozen=True)
class VeriffConfig:
    url: str
    api_key: str
    secret: str


@dataclass(frozen=True)
class OnfidoConfig:
    url: str
    api_token: str
    webhook_token: str
    workflow_id: str


@dataclass(frozen=True)
class AgeVendorConfig:
    url: str
    api_key: str
    secret: str


def veriff() -> VeriffConfig | None:
    key, secret = _value("veriff_api_key"), _value("veriff_secret")
    if not key or not secret:
        return None
    return VeriffConfig(url=_value("veriff_url"), api_key=key, secret=secret)


def onfido() -> OnfidoConfig | None:
    token, hook, workflow = _value("onfido_api_token"), _value("onfido_webhook_token"), _value("onfido_workflow_id")
    if not token or not hook or not workflow:
        return None
    return OnfidoConfig(url=_value("onfido_url"), api_token=token, webhook_token=hook, workflow_id=workflow)


def age_vendor() -> AgeVendorConfig | None:
    url, key, secret = _value("age_url"), _value("age_api_key"), _value("age_secret")
    if not url or not key or not secret:
        return None
    return AgeVendorConfig(url=url, api_key=key, secret=secret)


def identity_vendors() -> list[str]:
    """The identity vendors configured, in the order they are offered."""
    return [name for name, on in (("veriff", veriff()), ("onfido", onfido())) if on is not None]


def id_check_vendor() -> str:
    """The vendor that runs viewers' ID checks ("" when none is configured)."""
    chosen = str(_value("id_check_vendor"))
    vendors = identity_vendors()
    if chosen:
        return chosen if chosen in vendors else ""
    return vendors[0] if vendors else ""


def upload_max_bytes() -> int:
    return int(_value("upload_max_mb")) * 1024 * 1024


def reverify_days() -> int:
    return int(_value("reverify_days"))


def warn_days() -> int:
    return int(_value("warn_days"))


def request_days() -> int:
    return int(_value("request_days"))


def age_remember_days() -> int:
    return int(_value("age_remember_days"))


def records_years() -> int:
    return int(_value("records_years"))


def recovery_cooling_hours() -> int:
    return int(_value("recovery_cooling_hours"))


def view_link_s() -> int:
    return int(_value("view_link_s"))


def base_url() -> str:
    return str(settings.STAGEDOOR.base_url).rstrip("/")


def documents_dir() -> Any:
    """Where encrypted documents live: under the var dir, never under the media dir the site serves."""
    return settings.STAGEDOOR.var_dir / "verification" / "documents"
