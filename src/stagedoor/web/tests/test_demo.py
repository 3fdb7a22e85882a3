"""`stagedoor demo`: accounts of every role and the data that lets a new user walk the loop (buy tokens, tip,
see a goal complete), idempotent because `make run` runs it at every start."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from stagedoor.accounts.models import User
from stagedoor.chat.models import ChatMessage
from stagedoor.core.ids import new_id
from stagedoor.moderation.models import Case, Report
from stagedoor.rooms.models import Follow, Room, ScheduledShow
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet_services
from stagedoor.wallet.models import TipGoal, TipMenuItem, TokenPackage

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "packages": TokenPackage.objects.count(),
        "menu items": TipMenuItem.objects.count(),
        "goals": TipGoal.objects.count(),
        "rooms": Room.objects.count(),
        "shows": ScheduledShow.objects.count(),
        "follows": Follow.objects.count(),
        "chat messages": ChatMessage.objects.count(),
        "held messages": ChatMessage.objects.filter(status=ChatMessage.Status.HELD).count(),
        "review cases": Case.objects.filter(status=Case.Status.OPEN).count(),
        "reports": Report.objects.count(),
    }


def run_demo(*args: str) -> str:
    out = io.StringIO()
    # run what its commits dispatch (the outbox: a held line's case opens there), as after `make run`'s demo
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_demo_twice_creates_everything_once_and_keeps_the_credentials(var_dir: Path) -> None:
    first = run_demo()
    after_first = counts()
    creds = json.loads((var_dir / "demo_credentials.json").read_text())
    second = run_demo()
    assert counts() == after_first
    assert json.loads((var_dir / "demo_credentials.json").read_text()) == creds
    assert after_first == {
        "users": 14,  # 10 demo logins of every role (two performers) + 4 invented followers
        "packages": 3,
        "menu items": 6,
        "goals": 4,
        "rooms": 2,
        "shows": 3,
        "follows": 9,  # 4 fans x 2 rooms + the demo viewer
        "chat messages": 8,  # 6 lines of history, a line the classifier held and a spam line a viewer reported
        "held messages": 1,
        "review cases": 2,
        "reports": 1,
    }
    for out in (first, second):
        assert "demo_performer2" in out and creds["demo_viewer"]["password"] in out
        assert "3 token packages" in out and "4 followers" in out


def test_demo_data_lets_a_new_viewer_buy_tip_and_complete_the_first_goal() -> None:
    run_demo()
    assert [(p.name, p.tokens, p.price_minor, p.currency) for p in wallet_selectors.packages_on_sale()] == [
        ("Starter", 100, 999, "USD"),
        ("Popular", 500, 3999, "USD"),
        ("Big night", 1000, 6999, "USD"),
    ]
    nova = User.objects.get(login="demo_performer")
    panel = wallet_selectors.tip_panel(nova)
    assert [(i["label"], i["price"]) for i in panel["menu"]] == [
        ("Say my name", 10),
        ("Song request", 25),
        ("Dance", 50),
        ("Spin the wheel", 100),
    ]
    assert (panel["goal"]["title"], panel["goal"]["target"], panel["goal"]["progress"]) == ("Warm-up dance", 50, 0)
    assert [g["title"] for g in panel["next_goals"]] == ["Karaoke hour", "Costume change"]

    # a new viewer buys the smallest package and tips half of it: the first goal is reached
    newcomer = User.objects.create_user("newcomer", "newcomer@example.test", "lantern-orchard-42", role="viewer")
    smallest = wallet_selectors.packages_on_sale().first()
    assert smallest is not None
    wallet_services.purchase_credit(
        buyer=newcomer,
        tokens=smallest.tokens,
        purchase_id=new_id(),
        price_minor=smallest.price_minor,
        currency=smallest.currency,
        provider="test",
    )
    wallet_services.tip_send(sender=newcomer, performer=nova, amount=50, idempotency_key="demo-loop-tip-1")
    wallet_services.tip_goal_progress_check(performer_id=nova.pk)
    assert TipGoal.objects.get(performer=nova, title="Warm-up dance").status == "reached"
    assert wallet_selectors.tip_panel(nova)["goal"]["title"] == "Karaoke hour"


def test_the_second_performer_is_offline_with_a_schedule_and_followers() -> None:
    run_demo()
    luna = Room.objects.get(performer__login="demo_performer2")
    assert luna.status == "offline" and luna.title == "Sunday sketching and chat" and luna.tags == ["art", "chill"]
    shows = list(ScheduledShow.objects.filter(room=luna).order_by("starts_at"))
    assert [(s.duration_minutes, s.title) for s in shows] == [
        (120, "Sketch night"),
        (90, "Portraits of chat"),
        (120, "Q&A"),
    ]
    assert Follow.objects.filter(room=luna).count() == 4
    nova_room = Room.objects.get(performer__login="demo_performer")
    history = list(ChatMessage.objects.filter(room=nova_room).order_by("created_at"))
    assert [m.status for m in history] == ["visible"] * 6 + ["held", "visible"]
    assert history[0].text == "hi Nova! 👋"
    # the review queue's sample: the held line (off-platform contact) and the reported spam line, one case each
    cases = {c.source: (c.category, c.message_id, c.hits) for c in Case.objects.all()}
    assert cases == {"chat_hold": ("off_platform", history[6].pk, 1), "user_report": ("spam", history[7].pk, 1)}


def test_a_performer_who_changed_their_room_keeps_it() -> None:
    run_demo()
    nova = User.objects.get(login="demo_performer")
    TipMenuItem.objects.filter(performer=nova).delete()
    wallet_services.tip_menu_item_create(performer=nova, label="Only this", price=3)
    Room.objects.filter(performer=nova).update(title="My own title", tags=["mine"])
    run_demo()
    assert [i.label for i in TipMenuItem.objects.filter(performer=nova)] == ["Only this"]
    assert Room.objects.get(performer=nova).title == "My own title"


def test_code_prints_a_two_factor_code_for_demo_accounts_that_have_one() -> None:
    run_demo()
    code = run_demo("--code", "demo_performer").strip()
    assert len(code) == 6 and code.isdigit()
    with pytest.raises(CommandError, match="not a demo account with two-factor"):
        run_demo("--code", "demo_viewer")
