"""Wallet API: balances, tips, tip menus and goals, earnings, packages and ledger tools for staff."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotAuthenticated
from stagedoor.core.middleware import client_ip
from stagedoor.wallet import schemas, selectors, services

router = Router(tags=["wallet"])


def _me(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if user is None:
        raise NotAuthenticated()
    return user  # type: ignore[no-any-return]


def _earnings_out(performer: Any) -> dict[str, Any]:
    e = selectors.earnings_of(performer)
    return {
        "earned_total": e.earned_total,
        "balance": e.balance,
        "on_hold": e.on_hold,
        "available": e.available,
        "hold_days": e.hold_days,
        "payout_rate_minor": e.payout_rate_minor,
        "currency": e.currency,
        "balance_value_minor": e.balance_value_minor,
        "on_hold_value_minor": e.on_hold_value_minor,
        "available_value_minor": e.available_value_minor,
    }


# --- anyone --------------------------------------------------------------------------------


@router.get("/wallet/packages", response=list[schemas.PackageOut], auth=None)
def packages(request: HttpRequest) -> object:
    return selectors.packages_on_sale()


@router.get("/performers/{performer_id}/tip-panel", response=schemas.TipPanelOut, auth=None)
def tip_panel(request: HttpRequest, performer_id: str) -> object:
    return selectors.tip_panel(selectors.performer_by_id(performer_id))


# --- viewers -------------------------------------------------------------------------------


@router.get("/me/wallet", response=schemas.WalletOut, auth=AUTH)
def my_wallet(request: HttpRequest) -> dict[str, Any]:
    me = _me(request)
    return {"balance": selectors.wallet_balance(me), "purchases_locked": me.purchases_locked}


@router.get("/me/wallet/history", response=schemas.HistoryPageOut, auth=AUTH)
def my_history(request: HttpRequest, limit: int = 50, before_id: int | None = None) -> object:
    """Newest first. `limit` 1–200 (outside: 422 `pagination.invalid_limit`); the next page is
    `before_id=<next_before_id>`, null on the last page."""
    return selectors.wallet_history_page(_me(request), limit=limit, before_id=before_id)


@router.post("/tips", response={201: schemas.TipOut}, auth=requires(Perm.TIP_SEND))
def tip_send(
    request: HttpRequest,
    payload: schemas.TipIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),  # type: ignore[type-arg]
) -> tuple[int, object]:
    """Send a tip. A retry with the same key answers the same tip (201) whatever changed since; the same key
    for a different request is 409 `idempotency.key_reused`."""
    sender = require_perm(_me(request), Perm.TIP_SEND)
    key = services.client_key_from(body=payload.idempotency_key, header=idempotency_key)
    tip = services.tip_send(
        sender=sender,
        performer=selectors.tip_recipient(payload.performer_id),  # its role is checked after the key
        amount=payload.amount,
        message=payload.message,
        anonymous=payload.anonymous,
        menu_item_id=payload.menu_item_id,
        room_id=payload.room_id,
        idempotency_key=key,
    )
    return 201, tip


@router.get("/tips/by-key/{idempotency_key}", response=schemas.TipOut, auth=AUTH)
def tip_by_key(request: HttpRequest, idempotency_key: str) -> object:
    """The outcome of `POST /tips` with this key, for a client that lost the answer: your tip, or 404
    `wallet.tip_not_found` (no tokens moved under this key: sending it again is safe)."""
    return selectors.tip_of_sender_by_key(_me(request), services.check_client_key(idempotency_key))


# --- performers ----------------------------------------------------------------------------


@router.get("/me/tip-menu", response=list[schemas.MenuItemOut], auth=requires(Perm.TIP_PANEL_MANAGE))
def my_menu(request: HttpRequest) -> object:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    return selectors.tip_menu_of(me, include_inactive=True)


@router.post("/me/tip-menu", response={201: schemas.MenuItemOut}, auth=requires(Perm.TIP_PANEL_MANAGE))
def menu_create(request: HttpRequest, payload: schemas.MenuItemIn) -> tuple[int, object]:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    return 201, services.tip_menu_item_create(
        performer=me, label=payload.label, price=payload.price, position=payload.position
    )


@router.patch("/me/tip-menu/{item_id}", response=schemas.MenuItemOut, auth=requires(Perm.TIP_PANEL_MANAGE))
def menu_update(request: HttpRequest, item_id: str, payload: schemas.MenuItemPatch) -> object:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    return services.tip_menu_item_update(performer=me, item_id=item_id, **payload.model_dump())


@router.delete("/me/tip-menu/{item_id}", response={204: None}, auth=requires(Perm.TIP_PANEL_MANAGE))
def menu_delete(request: HttpRequest, item_id: str) -> tuple[int, None]:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    services.tip_menu_item_delete(performer=me, item_id=item_id)
    return 204, None


@router.get("/me/tip-goals", response=list[schemas.GoalOut], auth=requires(Perm.TIP_PANEL_MANAGE))
def my_goals(request: HttpRequest) -> object:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    return selectors.goals_of(me)


@router.post("/me/tip-goals", response={201: schemas.GoalOut}, auth=requires(Perm.TIP_PANEL_MANAGE))
def goal_create(request: HttpRequest, payload: schemas.GoalIn) -> tuple[int, object]:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    return 201, services.tip_goal_create(performer=me, title=payload.title, target=payload.target)


@router.delete("/me/tip-goals/{goal_id}", response=schemas.GoalOut, auth=requires(Perm.TIP_PANEL_MANAGE))
def goal_cancel(request: HttpRequest, goal_id: str) -> object:
    me = require_perm(_me(request), Perm.TIP_PANEL_MANAGE)
    return services.tip_goal_cancel(performer=me, goal_id=goal_id)


@router.get("/me/earnings", response=schemas.EarningsOut, auth=requires(Perm.EARNINGS_READ))
def my_earnings(request: HttpRequest) -> dict[str, Any]:
    me = require_perm(_me(request), Perm.EARNINGS_READ)
    return _earnings_out(me)


@router.get("/me/earnings/daily", response=list[schemas.DailyOut], auth=requires(Perm.EARNINGS_READ))
def my_earnings_daily(request: HttpRequest, days: int = 30) -> object:
    me = require_perm(_me(request), Perm.EARNINGS_READ)
    return selectors.earnings_daily(me, days=days)


@router.get("/me/earnings.csv", auth=requires(Perm.EARNINGS_READ))
def my_earnings_csv(request: HttpRequest, days: int = 90) -> HttpResponse:
    me = require_perm(_me(request), Perm.EARNINGS_READ)
    return earnings_csv_response(me, days=days)


def earnings_csv_response(performer: Any, *, days: int) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in selectors.earnings_csv_rows(performer, days=days):
        # Cells a spreadsheet would run as a formula are prefixed with a quote.
        writer.writerow(["'" + c if c[:1] in {"=", "+", "-", "@"} and not c.lstrip("-").isdigit() else c for c in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="earnings-{performer.login}.csv"'
    return response


# --- staff ---------------------------------------------------------------------------------


@router.get(
    "/staff/wallet/packages", response=list[schemas.PackageOut], auth=requires(Perm.PACKAGES_MANAGE), tags=["staff"]
)
def staff_packages(request: HttpRequest) -> object:
    require_perm(_me(request), Perm.PACKAGES_MANAGE)
    return selectors.packages_all()


@router.post(
    "/staff/wallet/packages", response={201: schemas.PackageOut}, auth=requires(Perm.PACKAGES_MANAGE), tags=["staff"]
)
def staff_package_create(request: HttpRequest, payload: schemas.PackageIn) -> tuple[int, object]:
    actor = require_perm(_me(request), Perm.PACKAGES_MANAGE)
    return 201, services.package_create(actor=actor, ip=client_ip(request), **payload.model_dump())


@router.patch(
    "/staff/wallet/packages/{package_id}",
    response=schemas.PackageOut,
    auth=requires(Perm.PACKAGES_MANAGE),
    tags=["staff"],
)
def staff_package_update(request: HttpRequest, package_id: str, payload: schemas.PackagePatch) -> object:
    actor = require_perm(_me(request), Perm.PACKAGES_MANAGE)
    return services.package_update(actor=actor, package_id=package_id, ip=client_ip(request), **payload.model_dump())


@router.put(
    "/staff/wallet/performers/{performer_id}/terms",
    response=schemas.TermsOut,
    auth=requires(Perm.PACKAGES_MANAGE),
    tags=["staff"],
)
def staff_terms(request: HttpRequest, performer_id: str, payload: schemas.TermsIn) -> dict[str, Any]:
    actor = require_perm(_me(request), Perm.PACKAGES_MANAGE)
    performer = selectors.performer_by_id(performer_id)
    share = services.performer_terms_set(
        actor=actor, performer=performer, share_bp=payload.share_bp, ip=client_ip(request)
    )
    return {"performer_id": performer.pk, "share_bp": share}


@router.get(
    "/staff/wallet/commission-rules",
    response=list[schemas.CommissionRuleOut],
    auth=requires(Perm.PACKAGES_MANAGE),
    tags=["staff"],
)
def staff_commission_rules(request: HttpRequest, include_ended: bool = True) -> object:
    require_perm(_me(request), Perm.PACKAGES_MANAGE)
    return list(selectors.commission_rules(include_ended=include_ended)[:500])


@router.post(
    "/staff/wallet/commission-rules",
    response={201: schemas.CommissionRuleOut},
    auth=requires(Perm.PACKAGES_MANAGE),
    tags=["staff"],
)
def staff_commission_rule_create(request: HttpRequest, payload: schemas.CommissionRuleIn) -> tuple[int, object]:
    actor = require_perm(_me(request), Perm.PACKAGES_MANAGE)
    values = payload.model_dump()
    performer_id = values.pop("performer_id")
    performer = selectors.performer_by_id(performer_id) if performer_id else None
    return 201, services.commission_rule_create(actor=actor, performer=performer, ip=client_ip(request), **values)


@router.post(
    "/staff/wallet/commission-rules/{rule_id}/end",
    response=schemas.CommissionRuleOut,
    auth=requires(Perm.PACKAGES_MANAGE),
    tags=["staff"],
)
def staff_commission_rule_end(request: HttpRequest, rule_id: str, payload: schemas.CommissionRuleEndIn) -> object:
    actor = require_perm(_me(request), Perm.PACKAGES_MANAGE)
    return services.commission_rule_end(actor=actor, rule_id=rule_id, at=payload.valid_to, ip=client_ip(request))


@router.get(
    "/staff/wallet/users/{user_id}",
    response=schemas.StaffWalletOut,
    auth=requires(Perm.WALLET_READ_ANY),
    tags=["staff"],
)
def staff_user_wallet(request: HttpRequest, user_id: str) -> dict[str, Any]:
    user = selectors.access_user_wallet(_me(request), user_id, perm=Perm.WALLET_READ_ANY)
    return {
        "user_id": user.pk,
        "login": user.login,
        "balance": selectors.wallet_balance(user),
        "purchases_locked": user.purchases_locked,
        "history": selectors.wallet_history(user, limit=100),
        "earnings": _earnings_out(user) if user.role == Role.PERFORMER else None,
    }


@router.get(
    "/staff/ledger/accounts", response=list[schemas.AccountOut], auth=requires(Perm.LEDGER_READ), tags=["staff"]
)
def staff_ledger_accounts(request: HttpRequest) -> list[dict[str, Any]]:
    require_perm(_me(request), Perm.LEDGER_READ)
    return [{"id": a.pk, "kind": a.kind, "balance": b} for a, b in selectors.system_balances()]


@router.post(
    "/staff/wallet/tips/{tip_id}/refund", response=schemas.TipOut, auth=requires(Perm.MONEY_REFUND), tags=["staff"]
)
def staff_tip_refund(request: HttpRequest, tip_id: str, payload: schemas.ReasonIn) -> object:
    actor = require_perm(_me(request), Perm.MONEY_REFUND)
    return services.tip_refund(actor=actor, tip_id=tip_id, reason=payload.reason, ip=client_ip(request))


@router.post(
    "/staff/wallet/promotions", response={201: schemas.TransferOut}, auth=requires(Perm.PROMO_GRANT), tags=["staff"]
)
def staff_promotion(
    request: HttpRequest,
    payload: schemas.PromotionIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),  # type: ignore[type-arg]
) -> tuple[int, object]:
    actor = require_perm(_me(request), Perm.PROMO_GRANT)
    user = selectors.access_user_wallet(actor, payload.user_id, perm=Perm.PROMO_GRANT)
    transfer = services.promotion_grant(
        actor=actor,
        user=user,
        tokens=payload.tokens,
        reason=payload.reason,
        idempotency_key=services.client_key_from(body=payload.idempotency_key, header=idempotency_key),
        ip=client_ip(request),
    )
    return 201, transfer
