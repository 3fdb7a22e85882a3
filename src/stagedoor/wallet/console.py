"""Staff console sections of the wallet: token packages and promotional tokens; the wallet panel of a person.

(Refunds are payments' section: a purchase refund goes through payments, which wallet may not import.)
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.accounts.selectors import require_perm, user_by_login_or_id
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.currency import currency_exponent, decimal_string_to_minor, minor_to_decimal_string
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error
from stagedoor.core.ids import new_id
from stagedoor.core.middleware import client_ip
from stagedoor.wallet import errors, selectors, services
from stagedoor.wallet.models import CommissionKind, CommissionProduct, TokenPackage


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


# --- token packages ----------------------------------------------------------------------


class PackageForm(forms.Form):
    name = forms.CharField(max_length=60)
    tokens = forms.IntegerField(min_value=1, max_value=1_000_000)
    price = forms.CharField(max_length=20, help_text="What the buyer pays, e.g. 9.99")
    currency = forms.CharField(max_length=3, min_length=3, initial="USD", help_text="ISO 4217, e.g. USD")
    position = forms.IntegerField(min_value=0, max_value=32000, initial=0, help_text="Lower comes first")
    active = forms.BooleanField(required=False, initial=True, label="On sale")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency = str(data.get("currency") or "").upper()
        data["currency"] = currency
        price = data.get("price")
        if price is not None and currency:
            try:
                data["price_minor"] = decimal_string_to_minor(str(price), currency_exponent(currency))
            except ValueError:
                self.add_error("price", f"Use a price such as 9.99 (at most {currency_exponent(currency)} decimals).")
            else:
                if data["price_minor"] < 1:
                    self.add_error("price", "Use a price above zero.")
        return data

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "tokens": d["tokens"],
            "price_minor": d["price_minor"],
            "currency": d["currency"],
            "position": d["position"],
            "active": d["active"],
        }


def _package_initial(package: TokenPackage) -> dict[str, Any]:
    return {
        "name": package.name,
        "tokens": package.tokens,
        "price": minor_to_decimal_string(package.price_minor, currency_exponent(package.currency)),
        "currency": package.currency,
        "position": package.position,
        "active": package.active,
    }


def packages(request: HttpRequest) -> HttpResponse:
    """The packages on sale and off, and a form for a new one (POST creates it)."""
    form = PackageForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        actor = require_perm(_actor(request), Perm.PACKAGES_MANAGE)
        try:
            package = services.package_create(actor=actor, ip=client_ip(request), **form.values())
        except ApplicationError as exc:
            apply_error(form, exc, renames={"price_minor": "price"})
        else:
            messages.success(request, f"Package “{package.name}” created.")
            return HttpResponseRedirect("/staff/packages/")
    status = 400 if request.method == "POST" else 200
    context = {"packages": selectors.packages_all(), "form": form}
    return render(request, "wallet/console/packages.html", context, status=status)


def package_edit(request: HttpRequest, package_id: str) -> HttpResponse:
    package = selectors.packages_all().filter(pk=package_id).first()
    if package is None:
        raise errors.PackageNotFound()
    form = PackageForm(request.POST or None, initial=_package_initial(package), prefix="edit")
    if request.method == "POST" and form.is_valid():
        actor = require_perm(_actor(request), Perm.PACKAGES_MANAGE)
        try:
            package = services.package_update(
                actor=actor, package_id=package.pk, ip=client_ip(request), **form.values()
            )
        except ApplicationError as exc:
            apply_error(form, exc, renames={"price_minor": "price"})
        else:
            messages.success(request, f"Package “{package.name}” saved.")
            return HttpResponseRedirect("/staff/packages/")
    status = 400 if request.method == "POST" else 200
    return render(request, "wallet/console/package_edit.html", {"package": package, "form": form}, status=status)


def _packages_blurb(actor: Any) -> str:
    return f"{selectors.packages_on_sale().count()} on sale"


# --- promotional tokens ------------------------------------------------------------------


class PromotionForm(forms.Form):
    user = forms.CharField(max_length=30, label="Person (login or id)")
    tokens = forms.IntegerField(min_value=1, max_value=1_000_000)
    reason = forms.CharField(max_length=200, help_text="Shown in their wallet history")
    # One key per form shown: a double submit (or a retry after a timeout) grants once.
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)


def promotions(request: HttpRequest) -> HttpResponse:
    form = PromotionForm(request.POST or None, initial={"idempotency_key": new_id()})
    if request.method == "POST" and form.is_valid():
        actor = require_perm(_actor(request), Perm.PROMO_GRANT)
        data = form.cleaned_data
        user = user_by_login_or_id(data["user"])
        if user is None:
            form.add_error("user", "Nobody has that login or id.")
        else:
            try:
                transfer = services.promotion_grant(
                    actor=actor,
                    user=user,
                    tokens=data["tokens"],
                    reason=data["reason"],
                    idempotency_key=data["idempotency_key"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{data['tokens']} tokens granted to {user.login} (transfer {transfer.pk}).")
                return HttpResponseRedirect("/staff/promotions/")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "recent": selectors.promotions_recent(limit=30)}
    return render(request, "wallet/console/promotions.html", context, status=status)


# --- commission rules --------------------------------------------------------------------


class CommissionRuleForm(forms.Form):
    kind = forms.ChoiceField(choices=CommissionKind.choices, initial=CommissionKind.DEFAULT)
    share_percent = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, label="Performer's share (%)", help_text="e.g. 60 or 62.5"
    )
    product = forms.ChoiceField(choices=CommissionProduct.choices, required=False, initial="")
    min_earned = forms.IntegerField(
        min_value=0, required=False, label="Tier: tokens earned last month", help_text="Tier rules only"
    )
    new_within_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        label="Promotion: accounts younger than (days)",
        help_text="Promotion rules only",
    )
    performer = forms.CharField(
        max_length=30, required=False, label="Override: performer (login or id)", help_text="Override rules only"
    )
    valid_from = forms.DateTimeField(
        required=False, label="Valid from (UTC)", help_text="Empty: now. e.g. 2026-01-01 00:00"
    )
    valid_to = forms.DateTimeField(required=False, label="Valid until (UTC)", help_text="Empty: until ended")
    note = forms.CharField(max_length=200, required=False)


def commission(request: HttpRequest) -> HttpResponse:
    """Every rule, newest first, with an End button on those still in force; a form for a new rule."""
    form = CommissionRuleForm(request.POST or None, prefix="rule")
    if request.method == "POST" and form.is_valid():
        actor = require_perm(_actor(request), Perm.PACKAGES_MANAGE)
        data = form.cleaned_data
        performer = None
        if data["performer"]:
            performer = user_by_login_or_id(data["performer"])
            if performer is None:
                form.add_error("performer", "Nobody has that login or id.")
        if form.is_valid():
            try:
                rule = services.commission_rule_create(
                    actor=actor,
                    kind=data["kind"],
                    share_bp=int(data["share_percent"] * 100),
                    product=data["product"] or "",
                    min_earned=data["min_earned"],
                    new_within_days=data["new_within_days"],
                    performer=performer,
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    note=data["note"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                apply_error(form, exc, renames={"share_bp": "share_percent", "performer_id": "performer"})
            else:
                messages.success(request, f"Rule {rule.pk} created.")
                return HttpResponseRedirect("/staff/commission/")
    status = 400 if request.method == "POST" else 200
    context = {"rules": selectors.commission_rules()[:200], "form": form, "now": timezone.now()}
    return render(request, "wallet/console/commission.html", context, status=status)


def commission_end(request: HttpRequest, rule_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseRedirect("/staff/commission/")
    actor = require_perm(_actor(request), Perm.PACKAGES_MANAGE)
    rule = staff_action(
        request, lambda: services.commission_rule_end(actor=actor, rule_id=rule_id, ip=client_ip(request))
    )
    if rule is not None:
        messages.success(request, f"Rule {rule.pk} ended.")
    return HttpResponseRedirect("/staff/commission/")


def _commission_blurb(actor: Any) -> str:
    return f"{selectors.commission_rules(include_ended=False).count()} rules in force or scheduled"


# --- the person page's wallet panel ---------------------------------------------------------


def wallet_panel(subject: Any, actor: Any) -> dict[str, Any]:
    return {
        "balance": selectors.wallet_balance(subject),
        "purchases_locked": subject.purchases_locked,
        "history": selectors.wallet_history(subject, limit=10),
        "earnings": selectors.earnings_of(subject) if subject.role == Role.PERFORMER else None,
        "can_refund": role_has(actor.role, Perm.MONEY_REFUND),
    }


console_section(
    slug="packages",
    title="Token packages",
    perm=Perm.PACKAGES_MANAGE,
    order=40,
    description="What viewers can buy: create packages, change prices, take them off sale.",
    view=packages,
    template="wallet/console/packages.html",
    routes=[path("<str:package_id>/", package_edit, name="edit")],
    blurb=_packages_blurb,
)

console_section(
    slug="commission",
    title="Commission rules",
    perm=Perm.PACKAGES_MANAGE,
    order=45,
    description="Performers' shares: default, tiers, per product, promotions, overrides; by date, audited.",
    view=commission,
    template="wallet/console/commission.html",
    routes=[path("<str:rule_id>/end/", commission_end, name="end")],
    blurb=_commission_blurb,
)

console_section(
    slug="promotions",
    title="Promotional tokens",
    perm=Perm.PROMO_GRANT,
    order=60,
    description="Give a person free tokens, with a reason; each grant is audited.",
    view=promotions,
    template="wallet/console/promotions.html",
)

user_panel(
    key="wallet",
    title="Wallet",
    perm=Perm.WALLET_READ_ANY,
    order=10,
    template="wallet/console/_user_wallet.html",
    context=wallet_panel,
)
