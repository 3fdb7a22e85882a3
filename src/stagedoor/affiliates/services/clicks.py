"""Clicks on referral links and the sign-ups they bring (attribution), with the sign-up fraud rules.

A click is counted once per address, link and de-duplication bucket (a unique row: a flood from one address, or
two of its requests racing, is one click). Crawlers and scripts are never counted. The visitor gets a signed cookie
naming the click, valid for the plan's attribution window; the first-party record is the click row itself.
Last-click (default): a newer click replaces the cookie; first-click: a valid cookie is kept.

A sign-up is attributed when the new account's first signed-in response carries the cookie
(`middleware.ReferralAttributionMiddleware`), the account was created after the click and inside its window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing as django_signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.affiliates import conf, errors, events, fingerprint, selectors
from stagedoor.affiliates.models import Affiliate, Click, CommissionPlan, Referral
from stagedoor.affiliates.services.commissions import referrals_hold
from stagedoor.affiliates.services.postbacks import postback_queue
from stagedoor.core.outbox import outbox_publish

COOKIE_MAX_AGE_CAP = 365 * 86400
SUB_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


@dataclass(frozen=True)
class Visit:
    """Where a request came from: its address, user agent and languages."""

    ip: str
    user_agent: str
    accept_language: str = ""

    @property
    def address_key(self) -> str:
        return fingerprint.address_key(self.ip)

    @property
    def network_key(self) -> str:
        return fingerprint.network_key(self.ip)

    @property
    def device_key(self) -> str:
        return fingerprint.device_key(self.user_agent, self.accept_language)


@dataclass(frozen=True)
class ClickOutcome:
    redirect_to: str
    click: Click | None  # None: a bot (nothing recorded)
    counted: bool  # False: a repeat inside the de-duplication window, or a bot
    cookie: str | None  # the cookie's new value (None: leave it as it is)
    max_age: int


def _cookie_value(click: Click) -> str:
    return django_signing.TimestampSigner(salt=conf.COOKIE_SALT).sign(str(click.pk))


def click_from_cookie(value: str | None) -> Click | None:
    """The click a cookie names, if its signature holds (a forged or edited cookie names nothing)."""
    if not value:
        return None
    try:
        raw = django_signing.TimestampSigner(salt=conf.COOKIE_SALT).unsign(value[:200], max_age=COOKIE_MAX_AGE_CAP)
    except django_signing.BadSignature:
        return None
    return selectors.click_get(int(raw)) if raw.isdigit() else None


def _in_window(click: Click, at: Any) -> bool:
    window = timedelta(days=click.link.affiliate.plan.window_days)
    return bool(click.created_at <= at <= click.created_at + window)


def _clean_sub_id(sub_id: str) -> str:
    sub_id = (sub_id or "")[:100]
    return sub_id if all(c in SUB_ID_CHARS for c in sub_id) else ""


def click_record(
    *, code: str, visit: Visit, sub_id: str = "", visitor: Any = None, cookie: str | None = None
) -> ClickOutcome:
    """Follow `/ref/<code>`: count the click (once per address per window; never a bot's) and say what cookie to set."""
    link = selectors.link_by_code(code)
    if link is None:
        raise errors.LinkNotFound()
    plan = link.affiliate.plan
    max_age = plan.window_days * 86400
    if fingerprint.is_bot(visit.user_agent):
        return ClickOutcome(redirect_to=link.landing, click=None, counted=False, cookie=None, max_age=max_age)
    now = timezone.now()
    bucket = int(now.timestamp()) // conf.config().click_dedup_seconds
    address_key = visit.address_key
    counted = True
    try:
        with transaction.atomic():
            click = Click.objects.create(
                link=link,
                bucket=bucket,
                address_key=address_key,
                network_key=visit.network_key,
                device_key=visit.device_key,
                sub_id=_clean_sub_id(sub_id),
                visitor=visitor if visitor is not None and getattr(visitor, "is_authenticated", False) else None,
                created_at=now,
            )
    except IntegrityError:  # this address already clicked this link in this window: counted once
        click = Click.objects.get(link=link, address_key=address_key, bucket=bucket)
        counted = False
    new_cookie: str | None = _cookie_value(click)
    if plan.attribution == CommissionPlan.Attribution.FIRST_CLICK:
        held = click_from_cookie(cookie)
        if held is not None and held.pk != click.pk and _in_window(held, now):
            new_cookie = None  # the first click keeps the visitor
    return ClickOutcome(redirect_to=link.landing, click=click, counted=counted, cookie=new_cookie, max_age=max_age)


def _fraud_hold(affiliate: Affiliate, click: Click, visit: Visit) -> tuple[str, list[Referral]]:
    """The hold a new sign-up gets from the fraud rules, and earlier sign-ups of the same cluster to hold with it."""
    own_addresses, own_devices = selectors.own_click_keys(affiliate)
    if click.visitor_id == affiliate.user_id or visit.address_key in own_addresses or visit.device_key in own_devices:
        return Referral.Hold.SELF_REFERRAL, []
    cfg = conf.config()
    since = timezone.now() - timedelta(hours=24)
    device, network = visit.device_key, visit.network_key
    same_device, same_network = selectors.signups_from(affiliate, device_key=device, network_key=network, since=since)
    recent = Referral.objects.filter(affiliate=affiliate, created_at__gte=since)
    if same_device >= cfg.signups_per_device:
        return Referral.Hold.DEVICE_BURST, list(recent.filter(device_key=device))
    if same_network >= cfg.signups_per_network:
        return Referral.Hold.NETWORK_BURST, list(recent.filter(network_key=network))
    return Referral.Hold.NONE, []


def referral_attribute(*, user: Any, cookie: str | None, visit: Visit) -> Referral | None:
    """Attribute a new account to the click its cookie names, if the account came after the click and inside the
    plan's window, is not the affiliate's own, and was not attributed already. None when nothing is attributed."""
    click = click_from_cookie(cookie)
    if click is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    affiliate = click.link.affiliate
    if affiliate.status != Affiliate.Status.ACTIVE or affiliate.user_id == user.pk:
        return None
    if not _in_window(click, user.date_joined) or selectors.referral_of(user.pk) is not None:
        return None
    try:
        with transaction.atomic():
            hold, cluster = _fraud_hold(affiliate, click, visit)
            referral = Referral.objects.create(
                user=user,
                affiliate=affiliate,
                link=click.link,
                click=click,
                plan=affiliate.plan,
                signed_up_at=user.date_joined,
                address_key=visit.address_key,
                network_key=visit.network_key,
                device_key=visit.device_key,
                hold=hold,
            )
            referrals_hold(cluster, hold)
            outbox_publish(
                topic=events.REFERRAL_CREATED,
                payload={"referral_id": referral.pk, "affiliate_id": affiliate.pk, "user_id": user.pk, "hold": hold},
            )
            postback_queue(
                affiliate=affiliate,
                event="signup",
                key=referral.pk,
                data={"referral_id": referral.pk, "click_id": click.pk, "sub_id": click.sub_id, "held": bool(hold)},
            )
    except IntegrityError:  # attributed concurrently (the same account's two first requests)
        return None
    return referral
