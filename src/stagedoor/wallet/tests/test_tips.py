"""Tips: split, idempotency, bad input changes nothing, the tip.sent event, menus, goals, refunds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.core.errors import IdempotencyConflict, ValidationFailed
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.wallet import errors, selectors, services
from stagedoor.wallet.models import LedgerTransfer, Tip, TipGoal
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_user: Callable[..., Any], fund: Callable[[Any, int], str]) -> tuple[Any, Any]:
    performer = make_user("performer", display_name="Star")
    viewer = make_user("viewer", display_name="Fan")
    fund(viewer, 1000)
    return viewer, performer


def test_tip_splits_by_default_rate_and_emits_event(
    pair: tuple[Any, Any], balance: Callable[[Any], int], earnings_balance: Callable[[Any], int], settings: Any
) -> None:
    settings.STAGEDOOR_WALLET_PERFORMER_SHARE_BP = 6000
    viewer, performer = pair
    tip = services.tip_send(
        sender=viewer, performer=performer, amount=101, message=" hi! ", idempotency_key="tip-abc-0001"
    )
    assert (tip.performer_amount, tip.platform_amount) == (61, 40)  # 60.6 rounds up: in the performer's favour
    assert balance(viewer) == 899
    assert earnings_balance(performer) == 61
    revenue = dict((a.kind, b) for a, b in selectors.system_balances())
    assert revenue["platform_revenue"] == 40
    event = OutboxEvent.objects.get(topic="tip.sent")
    assert event.payload == {
        "tip_id": tip.id,
        "transfer_id": tip.transfer_id,
        "room_id": None,
        "performer_id": performer.pk,
        "performer_login": performer.login,
        "sender_id": viewer.pk,
        "sender_name": "Fan",
        "anonymous": False,
        "amount": 101,
        "message": "hi!",
        "menu_item_id": None,
        "menu_label": None,
        "created_at": tip.created_at.isoformat(),
    }
    assert ledger_problems() == []


def test_performer_terms_override_default(pair: tuple[Any, Any], make_user: Callable[..., Any]) -> None:
    viewer, performer = pair
    finance = make_user("finance")
    services.performer_terms_set(actor=finance, performer=performer, share_bp=8000)
    tip = services.tip_send(sender=viewer, performer=performer, amount=10, idempotency_key="tip-terms-01")
    assert (tip.performer_amount, tip.platform_amount) == (8, 2)
    assert AuditEntry.objects.filter(action="wallet.performer_terms_set").count() == 1


def test_anonymous_tip_hides_the_name(pair: tuple[Any, Any]) -> None:
    viewer, performer = pair
    services.tip_send(sender=viewer, performer=performer, amount=5, anonymous=True, idempotency_key="anon-tip-01")
    assert OutboxEvent.objects.get(topic="tip.sent").payload["sender_name"] == "Anonymous"
    assert selectors.tip_panel(performer)["recent_tips"][0]["sender_name"] == "Anonymous"


def test_same_key_same_request_returns_the_same_tip(pair: tuple[Any, Any], balance: Callable[[Any], int]) -> None:
    viewer, performer = pair
    first = services.tip_send(sender=viewer, performer=performer, amount=50, idempotency_key="retry-key-001")
    again = services.tip_send(sender=viewer, performer=performer, amount=50, idempotency_key="retry-key-001")
    assert again.pk == first.pk
    assert balance(viewer) == 950
    assert Tip.objects.count() == 1
    assert OutboxEvent.objects.filter(topic="tip.sent").count() == 1


def test_reused_key_for_another_request_is_refused_and_changes_nothing(
    pair: tuple[Any, Any], balance: Callable[[Any], int], earnings_balance: Callable[[Any], int]
) -> None:
    viewer, performer = pair
    services.tip_send(sender=viewer, performer=performer, amount=50, idempotency_key="stale-key-001")
    with pytest.raises(IdempotencyConflict):
        services.tip_send(sender=viewer, performer=performer, amount=60, idempotency_key="stale-key-001")
    with pytest.raises(IdempotencyConflict):
        services.tip_send(sender=viewer, performer=performer, amount=50, message="x", idempotency_key="stale-key-001")
    assert balance(viewer) == 950
    assert earnings_balance(performer) == 25
    assert Tip.objects.count() == 1


def test_keys_are_scoped_per_sender(
    pair: tuple[Any, Any], make_user: Callable[..., Any], fund: Callable[[Any, int], str]
) -> None:
    viewer, performer = pair
    other = make_user("viewer")
    fund(other, 100)
    a = services.tip_send(sender=viewer, performer=performer, amount=5, idempotency_key="shared-key-01")
    b = services.tip_send(sender=other, performer=performer, amount=5, idempotency_key="shared-key-01")
    assert a.pk != b.pk


@pytest.mark.parametrize(
    ("amount", "key", "error"),
    [
        (0, "bad-input-001", errors.InvalidAmount),
        (-5, "bad-input-002", errors.InvalidAmount),
        (10**30, "bad-input-003", errors.InvalidAmount),
        (100_001, "bad-input-004", errors.InvalidAmount),
        (2.5, "bad-input-005", errors.InvalidAmount),
        ("10", "bad-input-006", errors.InvalidAmount),
        (True, "bad-input-007", errors.InvalidAmount),
        (1001, "bad-input-008", errors.InsufficientBalance),
        (10, "short", errors.InvalidIdempotencyKey),
        (10, "has spaces in it", errors.InvalidIdempotencyKey),
        (10, "x" * 101, errors.InvalidIdempotencyKey),
    ],
)
def test_bad_input_changes_nothing(
    pair: tuple[Any, Any],
    balance: Callable[[Any], int],
    earnings_balance: Callable[[Any], int],
    amount: Any,
    key: str,
    error: type[Exception],
) -> None:
    viewer, performer = pair
    with pytest.raises(error):
        services.tip_send(sender=viewer, performer=performer, amount=amount, idempotency_key=key)
    assert balance(viewer) == 1000
    assert earnings_balance(performer) == 0
    assert Tip.objects.count() == 0
    assert LedgerTransfer.objects.count() == 1  # the funding purchase only
    assert not OutboxEvent.objects.filter(topic="tip.sent").exists()


def test_insufficient_balance_leaves_the_key_usable(pair: tuple[Any, Any], balance: Callable[[Any], int]) -> None:
    viewer, performer = pair
    with pytest.raises(errors.InsufficientBalance):
        services.tip_send(sender=viewer, performer=performer, amount=5000, idempotency_key="later-ok-001")
    tip = services.tip_send(sender=viewer, performer=performer, amount=5, idempotency_key="later-ok-002")
    assert tip.amount == 5 and balance(viewer) == 995


def test_cannot_tip_self_or_non_performers(
    pair: tuple[Any, Any], make_user: Callable[..., Any], fund: Callable[[Any, int], str], balance: Callable[[Any], int]
) -> None:
    viewer, performer = pair
    fund(performer, 100)
    with pytest.raises(errors.TipToSelf):
        services.tip_send(sender=performer, performer=performer, amount=5, idempotency_key="self-tip-001")
    with pytest.raises(errors.NotAPerformer):
        services.tip_send(sender=viewer, performer=make_user("viewer"), amount=5, idempotency_key="not-perf-001")
    with pytest.raises(ValidationFailed):
        services.tip_send(
            sender=viewer, performer=performer, amount=5, message="x" * 301, idempotency_key="long-msg-001"
        )
    assert balance(viewer) == 1000 and balance(performer) == 100


def test_menu_tip_costs_the_item_price(pair: tuple[Any, Any], balance: Callable[[Any], int]) -> None:
    viewer, performer = pair
    item = services.tip_menu_item_create(performer=performer, label="Dance", price=77)
    tip = services.tip_send(
        sender=viewer, performer=performer, amount=None, menu_item_id=item.pk, idempotency_key="menu-tip-001"
    )
    assert (tip.amount, tip.menu_label) == (77, "Dance")
    with pytest.raises(errors.InvalidAmount):
        services.tip_send(
            sender=viewer, performer=performer, amount=5, menu_item_id=item.pk, idempotency_key="menu-tip-002"
        )
    other = services.tip_menu_item_create(performer=performer, label="Song", price=5)
    services.tip_menu_item_update(performer=performer, item_id=other.pk, active=False)
    with pytest.raises(errors.MenuItemNotFound):
        services.tip_send(
            sender=viewer, performer=performer, amount=None, menu_item_id=other.pk, idempotency_key="menu-tip-003"
        )
    assert balance(viewer) == 923


def test_goals_progress_reach_and_advance(pair: tuple[Any, Any], django_capture_on_commit_callbacks: Any) -> None:
    viewer, performer = pair
    first = services.tip_goal_create(performer=performer, title="Spin", target=100)
    second = services.tip_goal_create(performer=performer, title="Sing", target=50)
    assert (first.status, second.status) == ("active", "queued")
    services.tip_send(sender=viewer, performer=performer, amount=60, idempotency_key="goal-tip-001")
    panel = selectors.tip_panel(performer)
    assert panel["goal"] == {"id": first.pk, "title": "Spin", "target": 100, "progress": 60, "percent": 60}
    assert panel["next_goals"] == [{"id": second.pk, "title": "Sing", "target": 50}]
    # after commit, the tip.sent consumer marks the goal reached and starts the next one
    with django_capture_on_commit_callbacks(execute=True):
        services.tip_send(sender=viewer, performer=performer, amount=40, idempotency_key="goal-tip-002")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("reached", "active")
    assert OutboxEvent.objects.filter(topic="tip_goal.reached").get().payload["next_goal"]["goal_id"] == second.pk
    assert selectors.tip_panel(performer)["goal"]["progress"] == 0
    services.tip_goal_cancel(performer=performer, goal_id=second.pk)
    assert selectors.tip_panel(performer)["goal"] is None
    assert TipGoal.objects.filter(status="active").count() == 0


def test_staff_tip_refund_reverses_exactly_once(
    pair: tuple[Any, Any],
    make_user: Callable[..., Any],
    balance: Callable[[Any], int],
    earnings_balance: Callable[[Any], int],
) -> None:
    viewer, performer = pair
    finance = make_user("finance")
    tip = services.tip_send(sender=viewer, performer=performer, amount=40, idempotency_key="refund-me-001")
    services.tip_refund(actor=finance, tip_id=tip.pk, reason="double click")
    services.tip_refund(actor=finance, tip_id=tip.pk, reason="double click")  # idempotent
    assert balance(viewer) == 1000
    assert earnings_balance(performer) == 0
    refund = LedgerTransfer.objects.get(kind="tip_refund")
    assert refund.reverses_id == tip.transfer_id
    assert AuditEntry.objects.filter(action="wallet.tip_refunded").count() == 1
    assert ledger_problems() == []
