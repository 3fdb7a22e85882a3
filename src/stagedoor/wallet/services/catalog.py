"""Writes that move no money: token packages, tip menus and tip goals (performer terms: `commission`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.wallet import codes, errors, events
from stagedoor.wallet.models import Tip, TipGoal, TipMenuItem, TokenPackage

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
MAX_PACKAGE_TOKENS = 1_000_000
MAX_PRICE_MINOR = 100_000_000  # 1,000,000.00 in a two-decimal currency
MAX_MENU_ITEMS = 50
MAX_QUEUED_GOALS = 20
MAX_GOAL = 10_000_000


def _int_in(value: Any, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValidationFailed.of_field(field, f"Use a whole number from {lo} to {hi}.")
    return value


def _text(value: Any, field: str, hi: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not 1 <= len(text) <= hi:
        raise ValidationFailed.of_field(field, f"Use 1–{hi} characters.")
    return text


# --- packages -----------------------------------------------------------------------------


def package_create(
    *,
    actor: User,
    name: str,
    tokens: int,
    price_minor: int,
    currency: str,
    position: int = 0,
    active: bool = True,
    ip: str = "",
) -> TokenPackage:
    package = TokenPackage(
        name=_text(name, "name", 60),
        tokens=_int_in(tokens, "tokens", 1, MAX_PACKAGE_TOKENS),
        price_minor=_int_in(price_minor, "price_minor", 1, MAX_PRICE_MINOR),
        currency=_currency(currency),
        position=_int_in(position, "position", 0, 32000),
        active=bool(active),
    )
    with transaction.atomic():
        package.save(force_insert=True)
        audit_record(
            actor=actor, action=codes.AUDIT_PACKAGE_CREATED, target=package, ip=ip, data=_package_data(package)
        )
    return package


def _currency(value: Any) -> str:
    currency = (value or "").strip().upper() if isinstance(value, str) else ""
    if not CURRENCY_RE.fullmatch(currency):
        raise ValidationFailed.of_field("currency", "Use a 3-letter ISO 4217 code such as USD.")
    return currency


def _package_data(package: TokenPackage) -> dict[str, Any]:
    return {
        "name": package.name,
        "tokens": package.tokens,
        "price_minor": package.price_minor,
        "currency": package.currency,
        "active": package.active,
        "position": package.position,
    }


def package_update(*, actor: User, package_id: str, ip: str = "", **changes: Any) -> TokenPackage:
    """Change some of name, tokens, price_minor, currency, position, active. Purchases keep their snapshot."""
    with transaction.atomic():
        package = TokenPackage.objects.select_for_update().filter(pk=package_id).first()
        if package is None:
            raise errors.PackageNotFound()
        before = _package_data(package)
        checks: dict[str, Callable[[Any], Any]] = {
            "name": lambda v: _text(v, "name", 60),
            "tokens": lambda v: _int_in(v, "tokens", 1, MAX_PACKAGE_TOKENS),
            "price_minor": lambda v: _int_in(v, "price_minor", 1, MAX_PRICE_MINOR),
            "currency": _currency,
            "position": lambda v: _int_in(v, "position", 0, 32000),
            "active": bool,
        }
        for field, value in changes.items():
            if value is None:
                continue
            if field not in checks:
                raise ValidationFailed.of_field(field, "Unknown field.")
            setattr(package, field, checks[field](value))
        package.save()
        audit_record(
            actor=actor,
            action=codes.AUDIT_PACKAGE_UPDATED,
            target=package,
            ip=ip,
            data={"before": before, "after": _package_data(package)},
        )
    return package


# --- tip menu -----------------------------------------------------------------------------


def _panel_changed(performer_id: Any) -> None:
    outbox_publish(topic=events.TIP_PANEL_CHANGED, payload={"performer_id": performer_id})


def tip_menu_item_create(*, performer: User, label: str, price: int, position: int | None = None) -> TipMenuItem:
    label = _text(label, "label", 80)
    price = _int_in(price, "price", 1, 1_000_000)
    with transaction.atomic():
        if TipMenuItem.objects.filter(performer=performer).count() >= MAX_MENU_ITEMS:
            raise ValidationFailed.of_field("label", f"A tip menu has at most {MAX_MENU_ITEMS} items.")
        if position is None:
            position = (TipMenuItem.objects.filter(performer=performer).aggregate(m=Max("position"))["m"] or 0) + 1
        item = TipMenuItem.objects.create(
            performer=performer, label=label, price=price, position=_int_in(position, "position", 0, 32000)
        )
        _panel_changed(performer.pk)
    return item


def tip_menu_item_update(
    *,
    performer: User,
    item_id: str,
    label: str | None = None,
    price: int | None = None,
    position: int | None = None,
    active: bool | None = None,
) -> TipMenuItem:
    with transaction.atomic():
        item = TipMenuItem.objects.select_for_update().filter(pk=item_id, performer=performer).first()
        if item is None:
            raise errors.MenuItemNotFound()
        if label is not None:
            item.label = _text(label, "label", 80)
        if price is not None:
            item.price = _int_in(price, "price", 1, 1_000_000)
        if position is not None:
            item.position = _int_in(position, "position", 0, 32000)
        if active is not None:
            item.active = bool(active)
        item.save()
        _panel_changed(performer.pk)
    return item


MOVES = {"up": -1, "down": 1}


def _direction(direction: Any) -> int:
    if direction not in MOVES:
        raise ValidationFailed.of_field("direction", "Use up or down.")
    return MOVES[direction]


def tip_menu_item_move(*, performer: User, item_id: str, direction: str, ip: str = "") -> TipMenuItem:
    """Move an item one place up or down the performer's menu (a no-op at either end). Audited."""
    step = _direction(direction)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=performer.pk).first()  # one reorder of a menu at a time
        items = list(TipMenuItem.objects.filter(performer=performer).order_by("position", "price", "created_at"))
        index = next((i for i, it in enumerate(items) if it.pk == item_id), None)
        if index is None:
            raise errors.MenuItemNotFound()
        if 0 <= index + step < len(items):
            items[index], items[index + step] = items[index + step], items[index]
        for position, it in enumerate(items, start=1):  # positions 1..n, in the new order
            if it.position != position:
                it.position = position
                it.save(update_fields=["position"])
        moved = next(it for it in items if it.pk == item_id)
        audit_record(
            actor=performer,
            action=codes.AUDIT_MENU_ITEM_MOVED,
            target=moved,
            ip=ip,
            data={"direction": direction, "position": moved.position},
        )
        _panel_changed(performer.pk)
    return moved


def tip_menu_item_delete(*, performer: User, item_id: str) -> None:
    with transaction.atomic():
        deleted, _ = TipMenuItem.objects.filter(pk=item_id, performer=performer).delete()
        if not deleted:
            raise errors.MenuItemNotFound()
        _panel_changed(performer.pk)


# --- tip goals ----------------------------------------------------------------------------


def tip_goal_create(*, performer: User, title: str, target: int) -> TipGoal:
    """Queue a goal; it becomes active at once when no other goal is."""
    title = _text(title, "title", 120)
    target = _int_in(target, "target", 1, MAX_GOAL)
    with transaction.atomic():
        # Serialize goal changes of one performer (their user row; never touched by tips).
        User.objects.select_for_update().filter(pk=performer.pk).first()
        open_goals = TipGoal.objects.filter(
            performer=performer, status__in=[TipGoal.Status.QUEUED, TipGoal.Status.ACTIVE]
        )
        if open_goals.count() >= MAX_QUEUED_GOALS:
            raise ValidationFailed.of_field("title", f"At most {MAX_QUEUED_GOALS} open goals.")
        position = (TipGoal.objects.filter(performer=performer).aggregate(m=Max("position"))["m"] or 0) + 1
        goal = TipGoal(performer=performer, title=title, target=target, position=position)
        if not open_goals.filter(status=TipGoal.Status.ACTIVE).exists():
            goal.status = TipGoal.Status.ACTIVE
            goal.started_at = timezone.now()
        goal.save(force_insert=True)
        _panel_changed(performer.pk)
    return goal


def _activate_next(performer_id: Any, *, at: Any) -> TipGoal | None:
    nxt = TipGoal.objects.filter(performer_id=performer_id, status=TipGoal.Status.QUEUED).order_by("position").first()
    if nxt is not None:
        nxt.status = TipGoal.Status.ACTIVE
        nxt.started_at = at
        nxt.save(update_fields=["status", "started_at"])
    return nxt


def tip_goal_cancel(*, performer: User, goal_id: str) -> TipGoal:
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=performer.pk).first()
        goal = TipGoal.objects.filter(
            pk=goal_id, performer=performer, status__in=[TipGoal.Status.QUEUED, TipGoal.Status.ACTIVE]
        ).first()
        if goal is None:
            raise errors.GoalNotFound()
        was_active = goal.status == TipGoal.Status.ACTIVE
        goal.status = TipGoal.Status.CANCELLED
        goal.save(update_fields=["status"])
        if was_active:
            _activate_next(performer.pk, at=timezone.now())
        _panel_changed(performer.pk)
    return goal


def _open_goal(performer: User, goal_id: str) -> TipGoal:
    goal = TipGoal.objects.filter(
        pk=goal_id, performer=performer, status__in=[TipGoal.Status.QUEUED, TipGoal.Status.ACTIVE]
    ).first()
    if goal is None:
        raise errors.GoalNotFound()
    return goal


def tip_goal_update(
    *, performer: User, goal_id: str, title: str | None = None, target: int | None = None, ip: str = ""
) -> TipGoal:
    """Change an open (queued or active) goal's title or target. Audited.

    Lowering the active goal's target to what it has already collected reaches it at once (and starts the next).
    """
    new_title = _text(title, "title", 120) if title is not None else None
    new_target = _int_in(target, "target", 1, MAX_GOAL) if target is not None else None
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=performer.pk).first()
        goal = _open_goal(performer, goal_id)
        before_target = goal.target
        before = {"title": goal.title, "target": before_target}
        if new_title is not None:
            goal.title = new_title
        if new_target is not None:
            goal.target = new_target
        goal.save(update_fields=["title", "target"])
        audit_record(
            actor=performer,
            action=codes.AUDIT_GOAL_UPDATED,
            target=goal,
            ip=ip,
            data={"before": before, "after": {"title": goal.title, "target": goal.target}},
        )
        _panel_changed(performer.pk)
    if goal.status == TipGoal.Status.ACTIVE and new_target is not None and new_target < before_target:
        tip_goal_progress_check(performer_id=performer.pk)
        goal.refresh_from_db()
    return goal


def tip_goal_move(*, performer: User, goal_id: str, direction: str, ip: str = "") -> TipGoal:
    """Move a queued goal one place up or down the queue (a no-op at either end). The active goal stays
    where it is: cancel it to start the next one. Audited."""
    step = _direction(direction)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=performer.pk).first()
        goal = _open_goal(performer, goal_id)
        if goal.status == TipGoal.Status.ACTIVE:
            raise ValidationFailed.of_field("goal", "The active goal stays first; cancel it to start the next one.")
        queue = list(
            TipGoal.objects.filter(performer=performer, status=TipGoal.Status.QUEUED).order_by("position", "created_at")
        )
        index = next(i for i, g in enumerate(queue) if g.pk == goal.pk)
        if 0 <= index + step < len(queue):
            queue[index], queue[index + step] = queue[index + step], queue[index]
        first = min(g.position for g in queue)
        for offset, queued in enumerate(queue):  # consecutive positions, in the new order
            if queued.position != first + offset:
                queued.position = first + offset
                queued.save(update_fields=["position"])
        goal = next(g for g in queue if g.pk == goal.pk)
        audit_record(
            actor=performer,
            action=codes.AUDIT_GOAL_MOVED,
            target=goal,
            ip=ip,
            data={"direction": direction, "position": goal.position},
        )
        _panel_changed(performer.pk)
    return goal


def tip_goal_progress_check(*, performer_id: Any) -> list[TipGoal]:
    """After tips: mark the active goal reached when tips since it started cover it; start the next one.

    Progress is derived from tips (never a counter row every tip would lock). Goals reached are returned.
    """
    reached: list[TipGoal] = []
    if not TipGoal.objects.filter(performer_id=performer_id, status=TipGoal.Status.ACTIVE).exists():
        return reached  # most performers have no goal running: no lock, no sum
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=performer_id).first()
        for _ in range(MAX_QUEUED_GOALS):
            goal = TipGoal.objects.filter(performer_id=performer_id, status=TipGoal.Status.ACTIVE).first()
            if goal is None or goal.started_at is None:
                break
            progress = (
                Tip.objects.filter(performer_id=performer_id, created_at__gte=goal.started_at).aggregate(
                    s=Sum("amount")
                )["s"]
                or 0
            )
            if progress < goal.target:
                break
            now = timezone.now()
            goal.status = TipGoal.Status.REACHED
            goal.reached_at = now
            goal.save(update_fields=["status", "reached_at"])
            nxt = _activate_next(performer_id, at=now)
            outbox_publish(
                topic=events.TIP_GOAL_REACHED,
                payload={
                    "performer_id": performer_id,
                    "goal_id": goal.pk,
                    "title": goal.title,
                    "target": goal.target,
                    "next_goal": {"goal_id": nxt.pk, "title": nxt.title, "target": nxt.target} if nxt else None,
                },
            )
            reached.append(goal)
            if nxt is None:
                break
    return reached
