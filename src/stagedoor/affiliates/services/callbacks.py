"""Callbacks a tracker sends us, verified before anything is read: today one, `commission.disputed` (the affiliate's
network found the traffic behind a commission fraudulent), which holds that commission for staff. A callback never
moves money. Every callback is logged with its outcome, refused ones too; a replayed event id changes nothing.

Signed like our postbacks (`signing.py`) with the affiliate's postback secret; the timestamp must be within five
minutes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from stagedoor.affiliates import signing
from stagedoor.affiliates.models import Affiliate, Commission, InboundCallback
from stagedoor.affiliates.services.commissions import commission_hold
from stagedoor.core.ids import is_valid_id

Out = InboundCallback.Outcome
EVENTS = ("commission.disputed",)


@dataclass(frozen=True)
class CallbackResult:
    outcome: str
    detail: str

    @property
    def accepted(self) -> bool:
        return self.outcome in (Out.APPLIED, Out.DUPLICATE)


def _log(affiliate: Affiliate | None, outcome: str, detail: str, event_id: str = "") -> CallbackResult:
    InboundCallback.objects.create(affiliate=affiliate, event_id=event_id[:100], outcome=outcome, detail=detail[:300])
    return CallbackResult(outcome, detail)


def callback_receive(*, affiliate_id: str, signature: str, body: bytes, now: int | None = None) -> CallbackResult:
    affiliate = Affiliate.objects.filter(pk=affiliate_id).first() if is_valid_id(affiliate_id) else None
    if affiliate is None:
        return _log(None, Out.REFUSED_SIGNATURE, f"unknown affiliate {affiliate_id[:40]!r}")
    try:
        signing.verify(affiliate.postback_secret, signature, body, now=int(time.time()) if now is None else now)
    except signing.SignatureError as exc:
        outcome = Out.REFUSED_STALE if exc.reason == "stale" else Out.REFUSED_SIGNATURE
        return _log(affiliate, outcome, f"signature {exc.reason}")
    try:
        data = json.loads(body)
    except ValueError:
        return _log(affiliate, Out.REFUSED_INVALID, "not JSON")
    if not isinstance(data, dict):
        return _log(affiliate, Out.REFUSED_INVALID, "not a JSON object")
    event_id, event = data.get("id"), data.get("event")
    commission_id, reason = data.get("commission_id"), data.get("reason", "")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 100:
        return _log(affiliate, Out.REFUSED_INVALID, "`id` must be a string of 1–100 characters")
    if event not in EVENTS:
        return _log(affiliate, Out.REFUSED_INVALID, f"unknown event {str(event)[:40]!r}", event_id)
    if not isinstance(reason, str):
        reason = ""
    commission = (
        Commission.objects.filter(pk=commission_id, affiliate=affiliate).first()
        if isinstance(commission_id, str)
        else None
    )
    if commission is None:
        return _log(affiliate, Out.REFUSED_INVALID, "no such commission of this affiliate", event_id)
    if InboundCallback.objects.filter(affiliate=affiliate, event_id=event_id, outcome=Out.APPLIED).exists():
        return _log(affiliate, Out.DUPLICATE, "event already applied", event_id)
    try:
        with transaction.atomic():
            _log(affiliate, Out.APPLIED, f"hold {commission.pk}", event_id)
            commission_hold(commission_id=commission.pk, reason=f"disputed by the tracker: {reason.strip()}"[:200])
    except IntegrityError:  # the same event applied concurrently
        return _log(affiliate, Out.DUPLICATE, "event already applied", event_id)
    return CallbackResult(Out.APPLIED, f"hold {commission.pk}")
