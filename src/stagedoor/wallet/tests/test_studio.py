"""The studio's tip menu and goal editors (forms posted to wallet views, with and without htmx), and what the
room page's tip panel shows to each kind of visitor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.rooms.services import room_for_performer
from stagedoor.wallet import selectors, services
from stagedoor.wallet.models import TipGoal, TipMenuItem
from stagedoor.wallet.tests.conftest import consent, fund_wallet

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def star(make_user: Any) -> Any:
    return consent(make_user("performer", login="studio_star", display_name="Studio Star"))


@pytest.fixture
def studio(star: Any, api_client: Any) -> Client:
    client: Client = api_client(star)
    return client


def menu_of(performer: Any) -> list[tuple[str, int, bool]]:
    return [
        (i.label, i.price, i.active)
        for i in TipMenuItem.objects.filter(performer=performer).order_by("position", "price", "created_at")
    ]


def goals_of(performer: Any) -> list[tuple[str, int, str]]:
    return [(g.title, g.target, g.status) for g in selectors.goals_of(performer)]


def test_studio_shows_the_editors_the_schedule_and_links_to_earnings(star: Any, studio: Client) -> None:
    services.tip_menu_item_create(performer=star, label="Wave", price=5)
    services.tip_goal_create(performer=star, title="Dance", target=50)
    page = studio.get("/studio").content.decode()
    for testid in ("studio-tip-menu", "studio-goals", "studio-earnings", "studio-schedule", "goal-active"):
        assert f'data-testid="{testid}"' in page, testid
    assert 'href="/earnings"' in page and 'href="/earnings.csv"' in page
    assert 'value="Wave"' in page and 'value="Dance"' in page


# --- tip menu -----------------------------------------------------------------------------


def test_menu_add_edit_reorder_hide_and_delete(star: Any, studio: Client) -> None:
    added = studio.post("/studio/tip-menu", {"label": "Wave", "price": "5"})
    assert added.status_code == 302 and added["Location"] == "/studio#studio-tip-menu"
    card = studio.post("/studio/tip-menu", {"label": "Song request", "price": "25"}, **HTMX)
    assert card.status_code == 200
    html = card.content.decode()
    assert 'id="studio-tip-menu"' in html and "Added “Song request”." in html and "<html" not in html
    assert menu_of(star) == [("Wave", 5, True), ("Song request", 25, True)]
    wave, song = TipMenuItem.objects.filter(performer=star).order_by("position")

    assert (
        studio.post(f"/studio/tip-menu/{wave.pk}", {"action": "save", "label": "Big wave", "price": "7"}).status_code
        == 302
    )
    assert menu_of(star) == [("Big wave", 7, True), ("Song request", 25, True)]

    studio.post(f"/studio/tip-menu/{song.pk}", {"action": "up"}, **HTMX)
    assert menu_of(star) == [("Song request", 25, True), ("Big wave", 7, True)]
    studio.post(f"/studio/tip-menu/{song.pk}", {"action": "up"}, **HTMX)  # already first: nothing moves
    assert menu_of(star) == [("Song request", 25, True), ("Big wave", 7, True)]
    studio.post(f"/studio/tip-menu/{song.pk}", {"action": "down"}, **HTMX)
    assert menu_of(star) == [("Big wave", 7, True), ("Song request", 25, True)]
    moved = AuditEntry.objects.filter(action="wallet.tip_menu_item_moved", target_id=song.pk)
    assert [e.data["direction"] for e in moved.order_by("seq")] == ["up", "up", "down"]

    hidden = studio.post(f"/studio/tip-menu/{wave.pk}", {"action": "hide"}, **HTMX).content.decode()
    assert 'data-testid="menu-hidden"' in hidden
    assert menu_of(star) == [("Big wave", 7, False), ("Song request", 25, True)]
    assert [i["label"] for i in selectors.tip_panel(star)["menu"]] == ["Song request"]  # viewers no longer see it
    studio.post(f"/studio/tip-menu/{wave.pk}", {"action": "show"}, **HTMX)
    assert menu_of(star) == [("Big wave", 7, True), ("Song request", 25, True)]

    studio.post(f"/studio/tip-menu/{wave.pk}", {"action": "delete"}, **HTMX)
    assert menu_of(star) == [("Song request", 25, True)]
    # every change tells room pages to refresh their panel
    assert OutboxEvent.objects.filter(topic="tip_panel.changed").count() == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "save", "label": "Wave", "price": "0"}, "Price: Use a whole number from 1 to 1000000."),
        ({"action": "save", "label": "Wave", "price": "five"}, "Price: Use a whole number from 1 to 1000000."),
        ({"action": "save", "label": "  ", "price": "5"}, "Label: Use 1–80 characters."),
        ({"action": "explode"}, "Action: Use one of delete, down, hide, save, show, up."),
    ],
)
def test_menu_refusals_change_nothing(star: Any, studio: Client, data: dict[str, str], message: str) -> None:
    item = services.tip_menu_item_create(performer=star, label="Wave", price=5)
    before = OutboxEvent.objects.count()
    card = studio.post(f"/studio/tip-menu/{item.pk}", data, **HTMX)
    assert card.status_code == 200 and card["X-Stagedoor-Refused"] == "validation_error"
    assert message in card.content.decode()
    plain = studio.post(f"/studio/tip-menu/{item.pk}", data)
    assert plain.status_code == 302 and plain["Location"] == "/studio#studio-tip-menu"
    assert menu_of(star) == [("Wave", 5, True)] and OutboxEvent.objects.count() == before


def test_menu_add_refused_and_others_items_untouchable(star: Any, studio: Client, make_user: Any) -> None:
    refused = studio.post("/studio/tip-menu", {"label": "", "price": "5"}, **HTMX).content.decode()
    assert "Label: Use 1–80 characters." in refused and menu_of(star) == []
    rival = make_user("performer", login="rival_star")
    theirs = services.tip_menu_item_create(performer=rival, label="Theirs", price=9)
    for action in ("save", "up", "hide", "delete"):
        card = studio.post(f"/studio/tip-menu/{theirs.pk}", {"action": action, "label": "Mine", "price": "1"}, **HTMX)
        assert card["X-Stagedoor-Refused"] == "wallet.menu_item_not_found", action
    assert menu_of(rival) == [("Theirs", 9, True)]


def test_only_performers_with_the_permission_and_a_session_may_post(star: Any, make_user: Any, api_client: Any) -> None:
    item = services.tip_menu_item_create(performer=star, label="Wave", price=5)
    viewer = consent(make_user("viewer"))
    assert api_client(viewer).post("/studio/tip-menu", {"label": "X", "price": "1"}).status_code == 403
    assert api_client(viewer).post(f"/studio/goals/{item.pk}", {"action": "cancel"}).status_code == 403
    anonymous = api_client().post("/studio/tip-menu", {"label": "X", "price": "1"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login")
    assert api_client(star).get("/studio/tip-menu").status_code == 405
    assert menu_of(star) == [("Wave", 5, True)] and TipMenuItem.objects.count() == 1


def test_studio_forms_need_the_csrf_token(star: Any, api_client: Any) -> None:
    item = services.tip_menu_item_create(performer=star, label="Wave", price=5)
    goal = services.tip_goal_create(performer=star, title="Dance", target=50)
    client = api_client(star, csrf=True)
    posts = [
        ("/studio/tip-menu", {"label": "Sneaky", "price": "1"}),
        (f"/studio/tip-menu/{item.pk}", {"action": "delete"}),
        ("/studio/goals", {"title": "Sneaky", "target": "1"}),
        (f"/studio/goals/{goal.pk}", {"action": "cancel"}),
    ]
    for url, data in posts:
        assert client.post(url, data, **HTMX).status_code == 403, url
    assert menu_of(star) == [("Wave", 5, True)] and goals_of(star) == [("Dance", 50, "active")]
    # with the token the page carries, the same form works
    page = client.get("/studio").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert (
        client.post("/studio/tip-menu", {"label": "Fair", "price": "3", "csrfmiddlewaretoken": token}).status_code
        == 302
    )
    assert menu_of(star)[-1] == ("Fair", 3, True)


# --- goals --------------------------------------------------------------------------------


def test_goals_create_queue_edit_reorder_and_cancel(star: Any, studio: Client) -> None:
    card = studio.post("/studio/goals", {"title": "Dance", "target": "50"}, **HTMX).content.decode()
    assert "Goal “Dance” started." in card and 'data-testid="goal-active"' in card
    studio.post("/studio/goals", {"title": "Karaoke", "target": "300"}, **HTMX)
    studio.post("/studio/goals", {"title": "Costume", "target": "1000"})
    assert goals_of(star) == [("Dance", 50, "active"), ("Karaoke", 300, "queued"), ("Costume", 1000, "queued")]
    dance, karaoke, costume = selectors.goals_of(star)

    saved = studio.post(f"/studio/goals/{dance.pk}", {"action": "save", "title": "First dance", "target": "60"}, **HTMX)
    assert "Goal saved." in saved.content.decode()
    entry = AuditEntry.objects.get(action="wallet.tip_goal_updated", target_id=dance.pk)
    assert entry.data == {"before": {"title": "Dance", "target": 50}, "after": {"title": "First dance", "target": 60}}

    studio.post(f"/studio/goals/{costume.pk}", {"action": "up"}, **HTMX)
    assert [t for t, _, s in goals_of(star) if s == "queued"] == ["Costume", "Karaoke"]
    refused = studio.post(f"/studio/goals/{dance.pk}", {"action": "down"}, **HTMX).content.decode()
    assert "The active goal stays first" in refused
    assert [t for t, _, s in goals_of(star) if s == "queued"] == ["Costume", "Karaoke"]

    studio.post(f"/studio/goals/{dance.pk}", {"action": "cancel"}, **HTMX)
    assert [(t, s) for t, _, s in goals_of(star)] == [
        ("First dance", "cancelled"),
        ("Costume", "active"),
        ("Karaoke", "queued"),
    ]
    studio.post(f"/studio/goals/{karaoke.pk}", {"action": "cancel"})
    assert TipGoal.objects.get(pk=karaoke.pk).status == "cancelled"
    assert selectors.tip_panel(star)["goal"]["title"] == "Costume"


def test_lowering_the_running_goal_to_its_progress_reaches_it(star: Any, studio: Client, make_user: Any) -> None:
    fan = make_user("viewer")
    fund_wallet(fan, 100)
    dance = services.tip_goal_create(performer=star, title="Dance", target=50)
    services.tip_goal_create(performer=star, title="Karaoke", target=300)
    services.tip_send(sender=fan, performer=star, amount=30, idempotency_key="studio-tip-0001")
    card = studio.post(f"/studio/goals/{dance.pk}", {"action": "save", "title": "Dance", "target": "30"}, **HTMX)
    assert "Goal “Dance” reached!" in card.content.decode()
    assert goals_of(star) == [("Dance", 30, "reached"), ("Karaoke", 300, "active")]
    reached = OutboxEvent.objects.get(topic="tip_goal.reached")
    assert reached.payload["goal_id"] == dance.pk and reached.payload["next_goal"]["title"] == "Karaoke"
    assert 'data-testid="goal-reached"' in studio.get("/studio").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "save", "title": "Dance", "target": "0"}, "Target: Use a whole number from 1 to 10000000."),
        ({"action": "save", "title": "", "target": "50"}, "Title: Use 1–120 characters."),
        ({"action": "save", "title": "Dance", "target": "-5"}, "Target: Use a whole number from 1 to 10000000."),
        ({"action": "fly"}, "Action: Use one of cancel, down, save, up."),
    ],
)
def test_goal_refusals_change_nothing(star: Any, studio: Client, data: dict[str, str], message: str) -> None:
    goal = services.tip_goal_create(performer=star, title="Dance", target=50)
    audits, events = AuditEntry.objects.count(), OutboxEvent.objects.count()
    card = studio.post(f"/studio/goals/{goal.pk}", data, **HTMX)
    assert card["X-Stagedoor-Refused"] == "validation_error" and message in card.content.decode()
    assert goals_of(star) == [("Dance", 50, "active")]
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == (audits, events)


def test_goal_add_refused_and_closed_goals_untouchable(star: Any, studio: Client) -> None:
    refused = studio.post("/studio/goals", {"title": "Dance", "target": "lots"}, **HTMX).content.decode()
    assert "Target: Use a whole number" in refused and goals_of(star) == []
    goal = services.tip_goal_create(performer=star, title="Dance", target=50)
    services.tip_goal_cancel(performer=star, goal_id=goal.pk)
    card = studio.post(f"/studio/goals/{goal.pk}", {"action": "save", "title": "Again", "target": "5"}, **HTMX)
    assert card["X-Stagedoor-Refused"] == "wallet.goal_not_found"
    assert goals_of(star) == [("Dance", 50, "cancelled")]


# --- the room page's tip panel, per visitor ----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("anonymous", ["tip-login"], ["tip-send", "tip-panel-self", "tip-panel-staff"]),
        ("viewer", ["tip-send", "tip-balance"], ["tip-login", "tip-panel-self", "tip-panel-staff"]),
        ("self", ["tip-panel-self", "edit-in-studio"], ["tip-login", "tip-send", "tip-panel-staff"]),
        ("moderator", ["tip-panel-staff"], ["tip-login", "tip-send", "tip-panel-self"]),
        ("admin", ["tip-send"], ["tip-login", "tip-panel-self", "tip-panel-staff"]),
    ],
)
def test_tip_panel_shows_each_visitor_what_they_can_do(
    who: str, shown: list[str], hidden: list[str], star: Any, make_user: Any, api_client: Any
) -> None:
    services.tip_menu_item_create(performer=star, label="Wave", price=5)
    services.tip_goal_create(performer=star, title="Dance", target=50)
    room = room_for_performer(performer=star)
    if who == "anonymous":
        client = api_client()
        client.post("/api/v1/consent", {"age_confirmed": True, "terms_accepted": True}, content_type="application/json")
    else:
        client = api_client(star if who == "self" else consent(make_user(who)))
    page = client.get(room.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Goal: <span data-goal-title>Dance</span>" in html and "Wave" in html  # everyone sees menu and goal
    for testid in shown:
        assert f'data-testid="{testid}"' in html, testid
    for testid in hidden:
        assert f'data-testid="{testid}"' not in html, testid
    # a one-click menu button only for those who may tip
    assert ('data-menu-item="' in html) == (who in {"viewer", "admin"})
