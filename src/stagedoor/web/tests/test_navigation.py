"""The header (balance, "Buy tokens", the account menu, Studio/Staff links) and the directory
(live rooms, offline performers to follow, tag chips, search)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stagedoor.rooms import services as rooms
from stagedoor.rooms.models import Follow, Room
from stagedoor.wallet.tests.conftest import fund_wallet
from stagedoor.web.tests.pages import consented, parse

pytestmark = pytest.mark.django_db


# --- header ------------------------------------------------------------------------------


def test_viewer_header_shows_balance_buy_tokens_and_a_closed_account_menu(make_user: Any) -> None:
    viewer = make_user("viewer", login="mira", display_name="Mira Dale")
    fund_wallet(viewer, 120)
    page = parse(consented(user=viewer).get("/"))
    assert page.one("header-balance").text == "◎120"
    assert page.one("header-balance").attrs["href"] == "/wallet"
    assert page.one("header-balance").attrs["aria-label"] == "Wallet: 120 tokens"
    buy = page.one("buy-tokens")
    assert (buy.tag, buy.attrs["href"], buy.text) == ("a", "/wallet", "Buy tokens")
    button = page.one("account-link")
    assert button.tag == "button" and button.attrs["aria-expanded"] == "false"
    assert button.attrs["aria-controls"] == "user-menu" and "Mira Dale" in button.text
    menu = page.one("user-menu")
    assert menu.attrs["id"] == "user-menu" and "hidden" in menu.attrs
    assert [a.attrs["href"] for a in menu.all() if a.tag == "a"] == [
        "/",
        "/schedule",
        "/wallet",
        "/u/mira",
        "/account",
        "/affiliates",
        "/reports",
        "/surveys",
        "/decisions",
    ]
    assert menu.one("menu-wallet").text == "Wallet · 120 tokens"
    assert menu.one("logout").text == "Log out"
    assert not page.has("studio-link") and not page.has("staff-link") and not page.has("login-link")


def test_performer_header_has_studio_and_earnings(make_user: Any) -> None:
    performer = make_user("performer", login="nova")
    page = parse(consented(user=performer).get("/"))
    assert page.one("studio-link").attrs["href"] == "/studio"
    assert page.one("header-balance").text == "◎0"
    assert [a.attrs["href"] for a in page.one("user-menu").all() if a.tag == "a"] == [
        "/",
        "/schedule",
        "/studio",
        "/wallet",
        "/earnings",
        "/u/nova",
        "/account",
        "/affiliates",
        "/reports",
        "/surveys",
        "/decisions",
    ]
    assert not page.has("staff-link")


def test_staff_see_the_staff_link_and_roles_that_cannot_buy_see_no_balance(make_user: Any) -> None:
    admin = make_user("admin")
    page = parse(consented(user=admin).get("/"))
    assert page.one("staff-link").attrs["href"] == "/staff/"
    assert page.has("header-balance") and page.has("buy-tokens")  # administrators can buy
    finance = make_user("finance")
    page = parse(consented(user=finance).get("/"))
    assert page.one("staff-link").attrs["href"] == "/staff/"
    assert not page.has("header-balance") and not page.has("buy-tokens") and not page.has("menu-wallet")


def test_anonymous_header_log_in_returns_to_the_page(make_user: Any) -> None:
    room = rooms.room_for_performer(performer=make_user("performer", login="star_one"))
    page = parse(consented().get(room.url))
    assert page.one("login-link").attrs["href"] == "/login?next=%2Fr%2Fstar-one"
    assert page.one("follow-login").attrs["href"] == "/login?next=%2Fr%2Fstar-one"
    assert page.one("signup-link").attrs["href"] == "/signup?next=%2Fr%2Fstar-one"
    assert not page.has("header-balance") and not page.has("account-link")
    assert parse(consented().get("/")).one("login-link").attrs["href"] == "/login"
    # the login page's own link does not send you back to the login page
    assert parse(consented().get("/login?next=/wallet")).one("login-link").attrs["href"] == "/login"


# --- directory ---------------------------------------------------------------------------


@pytest.fixture
def directory(make_user: Any) -> dict[str, Any]:
    """Two live rooms (nova 50 watching, orion 5) and two offline performers (luna, zed)."""
    spec = [
        ("nova", "Nova", "Late jazz", ["music", "dance"], 50),
        ("orion", "Orion", "Talk night", ["talk"], 5),
        ("luna", "Luna", "Piano", ["music"], 0),
        ("zed", "Zed Quill", "", ["art"], 0),
    ]
    made = {}
    for login, name, title, tags, viewers in spec:
        room = rooms.room_for_performer(performer=make_user("performer", login=login, display_name=name))
        rooms.room_update(room=room, title=title, tags=tags)
        if viewers:
            rooms.room_set_status(room=room, status=Room.Status.LIVE)
            rooms.room_set_viewer_count(room_id=room.id, count=viewers)
        made[login] = room
    viewer = make_user("viewer", login="fan")
    rooms.room_follow(user=viewer, room=made["luna"])
    rooms.room_follow(user=make_user("viewer"), room=made["luna"])
    return {"rooms": made, "viewer": viewer}


def listing(client: Client, query: str = "") -> tuple[list[str], list[str]]:
    page = parse(client.get("/" + query))
    live = [card.attrs["data-slug"] for card in page.all("room-card")]
    offline = [card.attrs["data-slug"] for card in page.all("performer-card")]
    return live, offline


def test_directory_lists_live_rooms_then_offline_performers_with_follow(directory: dict[str, Any]) -> None:
    client = consented(user=directory["viewer"])
    assert listing(client) == (["nova", "orion"], ["luna", "zed"])
    page = parse(client.get("/"))
    luna, zed = page.all("performer-card")
    assert luna.all(None, data_followers="")[0].text == "2 followers"
    assert zed.all(None, data_followers="")[0].text == "0 followers"
    assert luna.one("follow-luna").attrs["data-following"] == "true" and "Following" in luna.one("follow-luna").text
    assert zed.one("follow-zed").attrs["data-following"] == "false" and zed.one("follow-zed").text == "Follow Zed Quill"
    assert zed.one("follow-zed").attrs["data-follow-room"] == "zed"


def test_following_shows_on_the_directory_and_own_card_has_no_follow(directory: dict[str, Any]) -> None:
    client = consented(user=directory["viewer"])
    assert client.post("/api/v1/rooms/zed/follow").json() == {"following": True, "followers": 1}
    assert Follow.objects.filter(user=directory["viewer"], room=directory["rooms"]["zed"]).count() == 1
    page = parse(client.get("/"))
    assert page.one("follow-zed").attrs["data-following"] == "true"
    own = parse(consented(user=directory["rooms"]["zed"].performer).get("/"))
    assert not own.has("follow-zed") and own.has("follow-luna")
    anonymous = parse(consented().get("/")).all("performer-card")[0]
    assert [a.attrs["href"] for a in anonymous.all() if a.tag == "a"] == ["/r/luna", "/login"]


def test_tag_chips_filter_the_directory(directory: dict[str, Any]) -> None:
    client = consented()
    chips = parse(client.get("/")).one("tag-chips")
    assert [a.attrs.get("data-tag") for a in chips.all() if a.tag == "a"] == [None, "music", "art", "dance", "talk"]
    assert listing(client, "?tag=music") == (["nova"], ["luna"])
    assert listing(client, "?tag=talk") == (["orion"], [])
    assert listing(client, "?tag=art") == ([], ["zed"])
    assert listing(client, "?tag=MUSIC") == (["nova"], ["luna"])
    page = parse(client.get("/?tag=music"))
    active = [a for a in page.one("tag-chips").all() if a.attrs.get("aria-current") == "page"]
    assert [a.attrs["data-tag"] for a in active] == ["music"]
    assert page.one("filter-line").text == "Showing #music · Show everyone"
    # a tag nobody uses is still shown as the active chip, with nothing found
    assert listing(client, "?tag=jazz") == ([], [])
    assert parse(client.get("/?tag=jazz")).all("tag-chip")[0].attrs["data-tag"] == "jazz"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=jazz", (["nova"], [])),  # title
        ("?q=quill", ([], ["zed"])),  # display name
        ("?q=ORION", (["orion"], [])),  # login / name, any case
        ("?q=%23music", (["nova"], ["luna"])),  # a #tag
        ("?q=mus", (["nova"], ["luna"])),  # part of a tag
        ("?q=a&tag=music", (["nova"], ["luna"])),  # search within a tag
        ("?q=piano&tag=talk", ([], [])),
        ("?q=nothing-like-this", ([], [])),
        ("?q=%20%20", (["nova", "orion"], ["luna", "zed"])),  # blank: everyone
    ],
)
def test_search_by_name_title_and_tag(directory: dict[str, Any], query: str, expected: Any) -> None:
    assert listing(consented(), query) == expected


def test_search_form_keeps_the_query_and_says_when_nothing_is_live(directory: dict[str, Any]) -> None:
    page = parse(consented().get("/?q=quill"))
    assert page.one("search-input").attrs["value"] == "quill"
    assert page.one("no-live-rooms").text == "No live room matches right now."
    assert page.one("filter-line").text == "Showing results for “quill” · Show everyone"
    assert page.one("search-form").attrs["role"] == "search"
