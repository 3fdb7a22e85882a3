"""Every write to payments: start a purchase, receive a postback, refund, and the sandbox processor's buttons.

Postbacks are applied by a small state machine on the purchase row (locked), and money moves only through
the wallet's idempotent services keyed by the purchase id — so a duplicated, replayed or reordered
postback can never credit or reverse twice. Every postback is logged with its outcome.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.services import user_lock_purchases
from stagedoor.core.errors import IdempotencyConflict, ValidationFailed
from stagedoor.core.gates import ADULT_CONTENT, GateContext, gate_refusal
from stagedoor.core.hashing import keyed_hash
from stagedoor.core.outbox import outbox_publish
from stagedoor.payments import conf, errors, events
from stagedoor.payments.models import Postback, Purchase
from stagedoor.payments.providers import base, provider_get
from stagedoor.payments.providers import sandbox as sandbox_provider
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet
from stagedoor.wallet.errors import AlreadyReversed, PurchasesLocked, TokensAlreadySpent

log = logging.getLogger("stagedoor.payments")

SANDBOX_DECISIONS = {
    "approve": ("payment.approved", {Purchase.Status.CREATED, Purchase.Status.DECLINED}),
    "decline": ("payment.declined", {Purchase.Status.CREATED}),
    "refund": ("payment.refunded", {Purchase.Status.COMPLETED}),
    "chargeback": ("payment.chargeback", {Purchase.Status.COMPLETED}),
}


# --- starting a purchase ------------------------------------------------------------------


def purchase_start(
    *, buyer: User, package_id: str, provider: str, idempotency_key: str, http_request: Any = None
) -> Purchase:
    """Create the purchase and the processor's hosted checkout. Same key + same request → same purchase.

    The key is looked up first: a purchase that got its checkout is returned as it is, whatever changed since
    (the package taken off sale, its price edited); a different request under the key is a conflict.
    """
    client_key = wallet.check_client_key(idempotency_key)
    request = {"package": package_id, "provider": provider}
    digest = wallet.request_hash(request)
    key = f"purchase:{buyer.pk}:{client_key}"
    purchase = Purchase.objects.filter(idempotency_key=key).first()
    if purchase is not None:
        if purchase.request_hash != digest:
            raise IdempotencyConflict(extra={"idempotency_key": client_key})
        if purchase.checkout_url:
            return purchase
    # A new purchase, or one whose processor call failed: it is not done yet, so today's rules apply.
    if buyer.purchases_locked:
        raise PurchasesLocked()
    refusal = gate_refusal(ADULT_CONTENT, GateContext(user=buyer, request=http_request))  # the buyer's age check
    if refusal is not None:
        raise errors.PurchaseAgeCheckRequired(
            refusal.message, extra={"reason": refusal.code, "url": refusal.action_url}
        )
    adapter = provider_get(provider)
    if purchase is None:
        package = wallet_selectors.package_on_sale(package_id)
        try:
            with transaction.atomic():
                purchase = Purchase.objects.create(
                    buyer=buyer,
                    package=package,
                    tokens=package.tokens,
                    price_minor=package.price_minor,
                    currency=package.currency,
                    provider=provider,
                    idempotency_key=key,
                    request_hash=digest,
                )
        except IntegrityError:  # a concurrent call with this key created it
            purchase = Purchase.objects.get(idempotency_key=key)
            if purchase.request_hash != digest:
                raise IdempotencyConflict(extra={"idempotency_key": client_key}) from None
            if purchase.checkout_url:
                return purchase
    # The processor call happens outside any transaction (it is HTTP); a failure leaves the purchase
    # without a checkout URL and the same idempotency key retries it.
    return_url = f"{conf.base_url()}/wallet?purchase={purchase.pk}"
    url, ref = adapter.checkout_start(purchase, success_url=return_url, cancel_url=return_url + "&cancelled=1")
    purchase.checkout_url = url
    fields = ["checkout_url"]
    if ref:
        purchase.provider_ref = ref
        fields.append("provider_ref")
    purchase.save(update_fields=fields)
    return purchase


# --- postbacks ----------------------------------------------------------------------------


def _redacted_body(request: base.PostbackRequest) -> str:
    if request.query:
        shown = {k: ("…" if k.lower() in {"email", "name", "truncatedpan"} else v) for k, v in request.query.items()}
        return json.dumps(shown, sort_keys=True)[:8000]
    return request.body.decode("utf-8", "replace")[:8000]


def _log(provider: str, request: base.PostbackRequest, outcome: str, **fields: Any) -> Postback:
    entry = Postback.objects.create(
        provider=provider[:20],
        remote_ip=request.remote_ip[:64],
        body=_redacted_body(request),
        outcome=outcome,
        **fields,
    )
    level = logging.INFO if outcome in {Postback.Outcome.APPLIED, Postback.Outcome.DUPLICATE} else logging.WARNING
    log.log(
        level,
        "postback %s",
        outcome,
        extra={"provider": provider, "postback": entry.pk, "detail": fields.get("detail", "")},
    )
    return entry


def _reply(
    adapter: base.Provider, outcome: str, *, ok: bool, status: int = 200, message: str = ""
) -> base.PostbackReply:
    """The processor's answer in its own format, carrying our outcome (the API sends it as a header)."""
    reply = adapter.reply(ok=ok, status=status, message=message, outcome=outcome)
    return dataclasses.replace(reply, outcome=outcome)


def postback_receive(*, provider: str, request: base.PostbackRequest) -> base.PostbackReply:
    """Verify, deduplicate and apply one postback; always log it. Returns what to answer the processor."""
    try:
        adapter = provider_get(provider)
    except errors.ProviderNotAvailable:
        _log(provider, request, Postback.Outcome.REFUSED_INVALID, detail="provider not enabled")
        return base.PostbackReply(status=404, body="unknown provider", outcome=Postback.Outcome.REFUSED_INVALID)
    try:
        event = adapter.postback_parse(request)
    except errors.ForgedPostback as exc:
        _log(provider, request, Postback.Outcome.REFUSED_SIGNATURE, detail=str(exc)[:300])
        return _reply(adapter, Postback.Outcome.REFUSED_SIGNATURE, ok=False, status=403, message="signature")
    except errors.ReplayedPostback as exc:
        _log(provider, request, Postback.Outcome.REFUSED_REPLAY, signature_valid=True, detail=str(exc)[:300])
        return _reply(adapter, Postback.Outcome.REFUSED_REPLAY, ok=False, status=400, message="replayed")
    except errors.MalformedPostback as exc:
        _log(provider, request, Postback.Outcome.REFUSED_INVALID, signature_valid=True, detail=str(exc)[:300])
        return _reply(adapter, Postback.Outcome.REFUSED_INVALID, ok=False, status=400, message="malformed")

    common = {"signature_valid": True, "event_id": event.event_id, "event": event.raw_type or event.kind}
    if event.kind == base.IGNORED:
        _log(provider, request, Postback.Outcome.IGNORED, detail="event type not used", **common)
        return _reply(adapter, Postback.Outcome.IGNORED, ok=True)
    purchase = _purchase_for(provider, event)
    if purchase is None:
        _log(provider, request, Postback.Outcome.IGNORED, detail="no such purchase", **common)
        return _reply(adapter, Postback.Outcome.IGNORED, ok=True)
    common["purchase"] = purchase
    if (
        event.event_id
        and Postback.objects.filter(
            provider=provider, event_id=event.event_id, outcome=Postback.Outcome.APPLIED
        ).exists()
    ):
        _log(provider, request, Postback.Outcome.DUPLICATE, detail="event already applied", **common)
        return _reply(adapter, Postback.Outcome.DUPLICATE, ok=True)
    try:
        event = adapter.confirm(purchase, event)
    except errors.ProviderFailed:
        _log(provider, request, Postback.Outcome.ERROR, detail="could not confirm with the provider", **common)
        return _reply(adapter, Postback.Outcome.ERROR, ok=False, status=502, message="retry later")
    except errors.MalformedPostback as exc:
        _log(provider, request, Postback.Outcome.REFUSED_INVALID, detail=str(exc)[:300], **common)
        return _reply(adapter, Postback.Outcome.REFUSED_INVALID, ok=False, status=400, message="not confirmed")
    if event.amount_minor is not None and (
        event.amount_minor != purchase.price_minor or event.currency.upper() != purchase.currency
    ):
        detail = (
            f"amount {event.amount_minor} {event.currency} does not match {purchase.price_minor} {purchase.currency}"
        )
        _log(provider, request, Postback.Outcome.REFUSED_INVALID, detail=detail, **common)
        return _reply(adapter, Postback.Outcome.REFUSED_INVALID, ok=False, status=400, message="amount mismatch")
    if purchase.provider_ref and event.provider_ref and purchase.provider_ref != event.provider_ref:
        _log(provider, request, Postback.Outcome.REFUSED_INVALID, detail="provider reference mismatch", **common)
        return _reply(adapter, Postback.Outcome.REFUSED_INVALID, ok=False, status=400, message="reference mismatch")
    outcome, detail = _apply(purchase.pk, event)
    _log(provider, request, outcome, detail=detail, **common)
    if outcome == Postback.Outcome.REFUSED_OUT_OF_ORDER:
        return _reply(adapter, outcome, ok=False, status=409, message="payment not settled yet; retry later")
    return _reply(adapter, outcome, ok=True)


def _purchase_for(provider: str, event: base.PostbackEvent) -> Purchase | None:
    if event.purchase_id:
        found = Purchase.objects.filter(pk=event.purchase_id, provider=provider).select_related("buyer").first()
        if found is not None:
            return found
    if event.provider_ref:
        return (
            Purchase.objects.filter(provider=provider, provider_ref=event.provider_ref).select_related("buyer").first()
        )
    return None


def card_key(provider: str, fingerprint: str) -> str:
    """The keyed hash a card fingerprint is stored as (one card, one key; nothing to learn from it elsewhere)."""
    return keyed_hash(f"stagedoor.card.v1|{provider}|{fingerprint}")[:32]


def _apply(purchase_id: str, event: base.PostbackEvent) -> tuple[str, str]:
    S = Purchase.Status
    Out = Postback.Outcome
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().select_related("buyer").get(pk=purchase_id)
        status = purchase.status
        now = timezone.now()
        if event.kind == base.APPROVED:
            if status in {S.CREATED, S.DECLINED}:
                transfer = wallet.purchase_credit(
                    buyer=purchase.buyer,
                    tokens=purchase.tokens,
                    purchase_id=purchase.pk,
                    price_minor=purchase.price_minor,
                    currency=purchase.currency,
                    provider=purchase.provider,
                )
                purchase.status, purchase.completed_at = S.COMPLETED, now
                if not purchase.provider_ref and event.provider_ref:
                    purchase.provider_ref = event.provider_ref
                if event.card_fingerprint:
                    purchase.card_fingerprint = card_key(purchase.provider, event.card_fingerprint)
                purchase.save(update_fields=["status", "completed_at", "provider_ref", "card_fingerprint"])
                return Out.APPLIED, f"credited {purchase.tokens} tokens (transfer {transfer.pk})"
            if status == S.COMPLETED:
                return Out.DUPLICATE, "already credited"
            return Out.IGNORED, f"approval after the purchase was {status}"
        if event.kind == base.DECLINED:
            if status == S.CREATED:
                purchase.status = S.DECLINED
                purchase.save(update_fields=["status"])
                return Out.APPLIED, "declined"
            return Out.IGNORED, f"decline for a purchase that is {status}"
        if event.kind == base.REFUNDED:
            if status == S.COMPLETED:
                try:
                    wallet.purchase_refund(
                        purchase_id=purchase.pk,
                        buyer=purchase.buyer,
                        actor=f"processor:{purchase.provider}",
                        reason="refunded by the processor",
                    )
                    detail = "tokens taken back"
                except TokensAlreadySpent:
                    # The money is gone either way: recover what we can like a chargeback, without locking.
                    outcome = wallet.purchase_chargeback(
                        purchase_id=purchase.pk, buyer=purchase.buyer, reason="refunded by the processor after spending"
                    )
                    detail = (
                        f"spent tokens: recovered {outcome.recovered_from_wallet}, "
                        f"clawed back {outcome.clawed_back}, written off {outcome.written_off}"
                    )
                purchase.status, purchase.reversed_at = S.REFUNDED, now
                purchase.save(update_fields=["status", "reversed_at"])
                return Out.APPLIED, detail
            if status in {S.REFUNDED, S.CHARGED_BACK}:
                return Out.DUPLICATE, f"already {status}"
            return Out.REFUSED_OUT_OF_ORDER, f"refund before the payment was credited ({status})"
        if event.kind == base.CHARGEBACK:
            if status == S.COMPLETED:
                outcome = wallet.purchase_chargeback(
                    purchase_id=purchase.pk, buyer=purchase.buyer, reason=f"chargeback from {purchase.provider}"
                )
                purchase.status, purchase.reversed_at = S.CHARGED_BACK, now
                purchase.save(update_fields=["status", "reversed_at"])
                user_lock_purchases(user=purchase.buyer, reason=f"chargeback on purchase {purchase.pk}", actor=None)
                return Out.APPLIED, (
                    f"recovered {outcome.recovered_from_wallet}, clawed back {outcome.clawed_back}, "
                    f"written off {outcome.written_off}"
                )
            if status == S.CHARGED_BACK:
                return Out.DUPLICATE, "already charged back"
            if status == S.REFUNDED:
                user_lock_purchases(user=purchase.buyer, reason=f"chargeback after refund on {purchase.pk}", actor=None)
                return Out.IGNORED, "chargeback after a refund: nothing left to reverse; buyer locked"
            return Out.REFUSED_OUT_OF_ORDER, f"chargeback before the payment was credited ({status})"
    return Out.IGNORED, "unhandled event"


# --- staff --------------------------------------------------------------------------------


def purchase_refund(*, actor: User, purchase_id: str, reason: str, ip: str = "") -> Purchase:
    """Refund a paid purchase whose tokens are unspent (after refunding it in the processor's console).

    Asked again once it is refunded: the purchase, as refunded (the wallet looks the refund's key up first);
    a purchase reversed otherwise (charged back) is not refundable.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().select_related("buyer").filter(pk=purchase_id).first()
        if purchase is None:
            raise errors.PurchaseNotFound()
        if purchase.status == Purchase.Status.REFUNDED:
            try:
                wallet.purchase_refund(purchase_id=purchase.pk, buyer=purchase.buyer, actor=actor, reason=reason)
            except AlreadyReversed:  # refunded by the processor after the tokens were spent (a claw-back)
                raise errors.PurchaseNotRefundable(extra={"status": purchase.status}) from None
            return purchase
        if not reason or len(reason) > 200:
            raise ValidationFailed(extra={"fields": {"reason": ["Give a reason of 1–200 characters."]}})
        if purchase.status != Purchase.Status.COMPLETED:
            raise errors.PurchaseNotRefundable(extra={"status": purchase.status})
        wallet.purchase_refund(purchase_id=purchase.pk, buyer=purchase.buyer, actor=actor, reason=reason)
        purchase.status, purchase.reversed_at = Purchase.Status.REFUNDED, timezone.now()
        purchase.save(update_fields=["status", "reversed_at"])
    return purchase


# --- the sandbox processor ----------------------------------------------------------------


def sandbox_decide(*, actor: User, purchase_id: str, decision: str, card_number: str = "") -> Purchase:
    """A button on the sandbox checkout page: the sandbox processor sends the matching signed postback (naming the
    test card paid with, when one was entered)."""
    if decision not in SANDBOX_DECISIONS:
        raise ValidationFailed(extra={"fields": {"decision": [f"One of {sorted(SANDBOX_DECISIONS)}."]}})
    purchase = Purchase.objects.filter(pk=purchase_id, provider="sandbox", buyer=actor).first()
    if purchase is None:
        raise errors.PurchaseNotFound()
    event_type, allowed = SANDBOX_DECISIONS[decision]
    if purchase.status not in allowed:
        raise ValidationFailed(f"You cannot {decision} a purchase that is {purchase.get_status_display().lower()}.")
    body, _headers = sandbox_provider.build_postback(purchase, event_type, card_number=card_number[:32])
    with transaction.atomic():
        outbox_publish(topic=events.SANDBOX_POSTBACK, payload={"body": body.decode(), "purchase_id": purchase.pk})
    return purchase


def sandbox_deliver(*, body: str) -> base.PostbackReply:
    """Deliver a sandbox postback like a processor does: signed at send time, over HTTP or to the handler."""
    raw = body.encode()
    timestamp = int(timezone.now().timestamp())
    headers = {"Content-Type": "application/json", "Sandbox-Signature": sandbox_provider.sign(raw, timestamp=timestamp)}
    if conf.sandbox_delivery() == "http":
        import httpx

        response = httpx.post(
            f"{conf.base_url()}/api/v1/payments/postback/sandbox", content=raw, headers=headers, timeout=10
        )
        return base.PostbackReply(status=response.status_code, body=response.text)
    request = base.PostbackRequest(
        method="POST", query={}, body=raw, headers={k.lower(): v for k, v in headers.items()}, remote_ip="sandbox"
    )
    return postback_receive(provider="sandbox", request=request)
