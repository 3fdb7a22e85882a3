"""Signed ad tokens: what an impression beacon and a click link carry (one decision each, tamper-proof).

A token names the decision, the campaign, the creative, the slot and the signed-in viewer (if any); it is signed
with the site's key (Django's `signing`, a timestamp inside) under a salt per use, so an impression token is not a
click token. Counting is by the decision's id, so a replayed token counts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from stagedoor.ads import errors

IMPRESSION_SALT = "stagedoor.ads.impression"
CLICK_SALT = "stagedoor.ads.click"
IMPRESSION_MAX_AGE_S = 3600  # the page must report the ad in view within an hour
CLICK_MAX_AGE_S = 7 * 24 * 3600  # a tab left open for days still leads somewhere (the click counts if on time)


@dataclass(frozen=True)
class AdToken:
    decision_id: str
    campaign_id: str
    creative_id: str
    slot: str
    user_id: str  # "" for a visitor who is not signed in


def _dump(token: AdToken, salt: str) -> str:
    payload = [token.decision_id, token.campaign_id, token.creative_id, token.slot, token.user_id]
    return signing.dumps(payload, salt=salt, compress=False)


def impression_token(token: AdToken) -> str:
    return _dump(token, IMPRESSION_SALT)


def click_token(token: AdToken) -> str:
    return _dump(token, CLICK_SALT)


def _load(raw: str, salt: str, max_age: int) -> AdToken:
    if not raw or len(raw) > 400:
        raise errors.BadToken()
    try:
        payload = signing.loads(raw, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        raise errors.BadToken() from None
    if not (isinstance(payload, list) and len(payload) == 5 and all(isinstance(p, str) for p in payload)):
        raise errors.BadToken()
    return AdToken(*payload)


def read_impression_token(raw: str) -> AdToken:
    return _load(raw, IMPRESSION_SALT, IMPRESSION_MAX_AGE_S)


def read_click_token(raw: str) -> AdToken:
    return _load(raw, CLICK_SALT, CLICK_MAX_AGE_S)
