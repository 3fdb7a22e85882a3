"""Staff console sections of shows: recent shows and any show's statement (SHOWS_READ_ANY: support tier 2,
finance, admins) — to answer "I was charged for a minute I did not watch"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from stagedoor.accounts.roles import Perm
from stagedoor.core.console import console_section
from stagedoor.shows import errors, selectors
from stagedoor.shows.models import ShowStatus


def shows(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ShowStatus.values:
        status = ""
    return render(
        request,
        "shows/console/shows.html",
        {"shows": selectors.shows_recent(status=status), "status": status, "statuses": ShowStatus.choices},
    )


def show_detail(request: HttpRequest, show_id: str) -> HttpResponse:
    try:
        statement = selectors.show_statement(request.user, show_id)
    except errors.ShowNotFound:
        return render(request, "shows/console/show.html", {"missing": True}, status=404)
    return render(
        request,
        "shows/console/show.html",
        {"statement": statement, "show": statement.show, "seats": list(selectors.seats_of(statement.show))},
    )


console_section(
    slug="shows",
    title="Shows",
    perm=Perm.SHOWS_READ_ANY,
    order=70,
    description="Private, group, ticket and spy shows: who was in them and every minute billed.",
    view=shows,
    template="shows/console/shows.html",
    routes=(path("<str:show_id>/", show_detail, name="detail"),),
    blurb=lambda actor: f"{selectors.shows_live_count()} live",
)
