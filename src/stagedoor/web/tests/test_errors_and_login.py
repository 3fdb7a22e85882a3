"""Error pages in the site's design with a way back, /favicon.ico, and logging in returns to the
page you came from (through two-factor too), never to another site."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from django.test import Client, RequestFactory

from stagedoor.conftest import TEST_PASSWORD, totp_now
from stagedoor.rooms.services import room_for_performer
from stagedoor.web import views
from stagedoor.web.tests.pages import consented, parse

pytestmark = pytest.mark.django_db


# --- error pages ---------------------------------------------------------------------------


def test_unknown_url_gets_the_styled_404_with_a_way_back() -> None:
    client = consented()
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = parse(response)
    assert page.one("error-page").attrs["data-status"] == "404"
    assert page.one("way-back-home").attrs["href"] == "/"
    assert not page.has("way-back")  # no Referer: nowhere else to go back to
    assert page.has("topbar")  # the site's header, not Django's plain page
    came_from = client.get("/no/such/page", HTTP_REFERER="http://testserver/r/somewhere")
    assert parse(came_from).one("way-back").attrs["href"] == "http://testserver/r/somewhere"
    off_site = client.get("/no/such/page", HTTP_REFERER="https://elsewhere.example/page")
    assert not parse(off_site).has("way-back")


def test_unknown_room_is_a_404_with_a_way_back() -> None:
    response = consented().get("/r/nobody-here")
    assert response.status_code == 404
    page = parse(response)
    assert "No such room" in page.one("error-page").text
    assert page.one("way-back-home").attrs["href"] == "/"


@pytest.mark.urls("stagedoor.web.tests.urls_errors")
def test_403_page_in_the_site_design(make_user: Any) -> None:
    response = consented().get("/test/forbidden")
    assert response.status_code == 403
    page = parse(response)
    assert page.one("error-page").attrs["data-status"] == "403"
    assert page.one("way-back-home").attrs["href"] == "/"
    assert "Log in" in page.one("error-page").text  # signed out: signing in may help
    signed_in = parse(consented(user=make_user()).get("/test/forbidden", HTTP_REFERER="http://testserver/wallet"))
    assert signed_in.one("way-back").attrs["href"] == "http://testserver/wallet"


@pytest.mark.urls("stagedoor.web.tests.urls_errors")
def test_500_page_in_the_site_design() -> None:
    client = consented(Client(raise_request_exception=False))
    response = client.get("/test/broken")
    assert response.status_code == 500
    page = parse(response)
    assert page.one("error-page").attrs["data-status"] == "500"
    assert page.one("way-back-home").attrs["href"] == "/"
    assert "Something went wrong" in page.one("error-page").text


def test_500_page_renders_without_the_database(django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/anything")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500 and b'data-status="500"' in response.content


# --- favicon -------------------------------------------------------------------------------


def test_favicon_ico_is_served_to_anyone() -> None:
    response = Client().get("/favicon.ico")  # no consent needed: browsers ask before any page
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    data = response.content
    assert struct.unpack("<HHH", data[:6]) == (0, 1, 1)  # an icon file with one image
    width, height, _, _, planes, bits, size, offset = struct.unpack("<BBBBHHII", data[6:22])
    assert (width, height, planes, bits, offset, size) == (32, 32, 1, 32, 22, len(data) - 22)
    # the corner is transparent and the centre is the accent colour (BGRA rows, bottom-up)
    pixels = data[22 + 40 : 22 + 40 + 32 * 32 * 4]
    assert pixels[3] == 0
    centre = (16 * 32 + 16) * 4
    assert tuple(pixels[centre : centre + 4]) == (0x7F, 0x3D, 0xFF, 0xFF)
    assert "max-age" in response["Cache-Control"]


# --- login returns to the page you came from -----------------------------------------------


def login_post(client: Client, login: str, next_url: str | None, password: str = TEST_PASSWORD) -> Any:
    data = {"login": login, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data)


def test_login_returns_to_the_page_in_next(make_user: Any) -> None:
    viewer = make_user(login="walker")
    room = room_for_performer(performer=make_user("performer", login="stage_a"))
    client = consented()
    page = parse(client.get(f"/login?next={room.url}"))
    hidden = [i for i in page.one("login-form").all() if i.tag == "input" and i.attrs.get("name") == "next"]
    assert hidden[0].attrs["value"] == "/r/stage-a"
    response = login_post(client, viewer.login, room.url)
    assert (response.status_code, response["Location"]) == (302, "/r/stage-a")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/path", "http://testserver.evil.example/", "javascript:alert(1)"]
)
def test_login_refuses_an_off_site_next(make_user: Any, target: str) -> None:
    viewer = make_user(login="walker")
    client = consented()
    page = parse(client.get("/login", {"next": target}))
    hidden = [i for i in page.one("login-form").all() if i.tag == "input" and i.attrs.get("name") == "next"]
    assert hidden[0].attrs["value"] == "/"  # never echoed back into the form
    response = login_post(client, viewer.login, target)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_login_next_survives_two_factor(make_user: Any) -> None:
    performer = make_user("performer", login="two_step")  # performers have two-factor on
    client = consented()
    response = login_post(client, performer.login, "/earnings?period=month")
    assert (response.status_code, response["Location"]) == (302, "/login/2fa")
    response = client.post("/login/2fa", {"code": totp_now(performer)})
    assert (response.status_code, response["Location"]) == (302, "/earnings?period=month")


def test_login_off_site_next_is_refused_through_two_factor(make_user: Any) -> None:
    performer = make_user("performer", login="two_step")
    client = consented()
    assert login_post(client, performer.login, "https://evil.example/")["Location"] == "/login/2fa"
    response = client.post("/login/2fa", {"code": totp_now(performer)})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_failed_login_keeps_next_and_signup_passes_it_on(make_user: Any) -> None:
    viewer = make_user(login="walker")
    client = consented()
    response = login_post(client, viewer.login, "/wallet", password="wrong-password")
    assert response.status_code == 400
    page = parse(response)
    hidden = [i for i in page.one("login-form").all() if i.tag == "input" and i.attrs.get("name") == "next"]
    assert hidden[0].attrs["value"] == "/wallet"
    signup_links = [
        a.attrs["href"] for a in page.all() if a.tag == "a" and a.attrs.get("href", "").startswith("/signup")
    ]
    assert "/signup?next=/wallet" in signup_links
    response = client.post(
        "/signup",
        {"email": "new@example.test", "login": "newbie", "password": "lantern-orchard-42", "next": "/wallet"},
    )
    assert (response.status_code, response["Location"]) == (302, "/wallet")
