"""The requester's pages: the help centre and its articles, the help form, their tickets, the survey; and the
attachment download (requester or agent)."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from stagedoor.accounts.auth import optional_user
from stagedoor.core.errors import ApplicationError
from stagedoor.support import errors, selectors, services, tokens
from stagedoor.support.forms import ReplyForm, SurveyForm, TicketForm
from stagedoor.support.models import Channel, Ticket


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def help_centre(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found = selectors.articles_search(query, limit=20)
    return render(request, "support/help.html", {"query": query, "articles": found})


def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        article = selectors.article_get(slug)
    except errors.ArticleNotFound:
        return render(request, "support/help_missing.html", status=404)
    paragraphs = [p.strip() for p in article.body.split("\n\n") if p.strip()]
    return render(request, "support/article.html", {"article": article, "paragraphs": paragraphs})


@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    """The help form. `?purchase=<id>` (from the wallet) or `?room=<slug>` (from the studio) attach the context."""
    user = _user(request)
    initial = {"purchase_id": request.GET.get("purchase", "")[:26], "room": request.GET.get("room", "")[:30]}
    if initial["purchase_id"]:
        initial["category"] = "billing"
    elif initial["room"]:
        initial["category"] = "technical"
    form = TicketForm(request.POST or None, initial=initial)
    if user is not None:
        del form.fields["email"]  # answered at the account's address
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel = Channel.WALLET if data["purchase_id"] else Channel.STUDIO if data["room"] else Channel.WEB
        try:
            ticket = services.ticket_open(
                requester=user,
                request=services.OpenRequest(
                    subject=data["subject"],
                    body=data["body"],
                    category=data["category"],
                    email=data.get("email") or "",
                    channel=channel,
                    purchase_id=data["purchase_id"] or "",
                    context={"room": data["room"]} if data["room"] else {},
                    language=data["language"],
                ),
            )
        except ApplicationError as exc:
            for field, problems in exc.extra.get("fields", {}).items():
                form.add_error(field if field in form.fields else None, problems[0])
            if not exc.extra.get("fields"):
                form.add_error(None, exc.message)
        else:
            if user is not None:
                messages.success(request, "Thanks — we got your request and will answer by e-mail and here.")
                return HttpResponseRedirect(f"/support/tickets/{ticket.pk}")
            return render(request, "support/sent.html", {"ticket": ticket})
    return render(request, "support/new.html", {"form": form, "signed_in": user is not None})


def my_tickets(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user is None:
        return HttpResponseRedirect("/login?next=/support/tickets")
    return render(request, "support/tickets.html", {"tickets": list(selectors.tickets_of(user))})


@require_http_methods(["GET", "POST"])
def ticket_page(request: HttpRequest, ticket_id: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        return HttpResponseRedirect(f"/login?next=/support/tickets/{ticket_id}")
    try:
        ticket = selectors.access_ticket(user, ticket_id)
    except ApplicationError:
        return render(request, "support/help_missing.html", status=404)
    if ticket.requester_id != user.pk:  # agents work tickets in the console
        return HttpResponseRedirect(f"/staff/support/tickets/{ticket.pk}/")
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_reply(actor=user, ticket_id=ticket.pk, body=form.cleaned_data["body"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your reply was added.")
            return HttpResponseRedirect(f"/support/tickets/{ticket.pk}")
    return render(
        request,
        "support/ticket.html",
        {"ticket": ticket, "thread": selectors.ticket_messages(ticket, include_internal=False), "form": form},
    )


@require_http_methods(["GET", "POST"])
def ticket_guest_page(request: HttpRequest, token: str) -> HttpResponse:
    """A guest's ticket, by the signed link in our mails: the conversation and a reply form."""
    ticket_id = tokens.view_ticket_id(token)
    ticket = Ticket.objects.filter(pk=ticket_id, requester__isnull=True).first() if ticket_id else None
    if ticket is None:
        return render(request, "support/help_missing.html", status=404)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guest_reply(ticket_id=ticket.pk, body=form.cleaned_data["body"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your reply was added.")
            return HttpResponseRedirect(f"/support/t/{token}")
    return render(
        request,
        "support/ticket.html",
        {
            "ticket": ticket,
            "thread": selectors.ticket_messages(ticket, include_internal=False),
            "form": form,
            "guest": True,
        },
    )


@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    ticket_id = tokens.survey_ticket_id(token)
    ticket = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
    if ticket is None:
        return render(request, "support/survey.html", {"invalid": True}, status=400)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "support/survey.html", {"thanks": True, "ticket": ticket})
    return render(
        request, "support/survey.html", {"form": form, "ticket": ticket, "answered": ticket.csat_score is not None}
    )


def attachment(request: HttpRequest, attachment_id: str) -> HttpResponse:
    """A cleaned attachment, for the ticket's requester or an agent of its queue; always a download."""
    user = optional_user(request)
    try:
        item = selectors.attachment_for(user, attachment_id)
    except ApplicationError:
        return render(request, "support/help_missing.html", status=404)
    response = HttpResponse(base64.b64decode(item.content), content_type=item.content_type)
    safe = "".join(c for c in item.filename if c.isalnum() or c in "._-")[:100] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
