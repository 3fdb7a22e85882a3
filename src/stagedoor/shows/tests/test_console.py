"""The staff console's shows section: recent shows and any show's statement for SHOWS_READ_ANY only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.shows import services
from stagedoor.web.tests.console_helpers import staff

pytestmark = pytest.mark.django_db


def test_finance_reads_any_show_statement(performer: Any, viewer_with: Callable[[int], Any], make_user: Any) -> None:
    viewer = viewer_with(200)
    show = services.private_request(viewer=viewer, performer=performer)
    services.private_accept(performer=performer, show_id=show.pk)
    _, finance = staff(make_user, "finance")
    listing = finance.get("/staff/shows/?status=live")
    assert listing.status_code == 200 and f"/staff/shows/{show.pk}/".encode() in listing.content
    detail = finance.get(f"/staff/shows/{show.pk}/")
    assert detail.status_code == 200
    assert b'data-testid="console-show-total">60 tokens<' in detail.content
    assert viewer.login.encode() in detail.content
    assert finance.get("/staff/shows/01AAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    _, moderator = staff(make_user, "moderator")
    assert moderator.get("/staff/shows/").status_code == 403
