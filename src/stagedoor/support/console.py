"""The agent side, in the staff console: the support queue (with SLA countdowns), a ticket (soft lock, reply,
macros, suggestions, escalate, resolve), a person's timeline (with notes), satisfaction results and the inbound
mail log; and a "Support" panel on the console's person page (onboarding progress, recent tickets).

Every agent action goes through the services, which audit it (`support.*`)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.errors import ApplicationError
from stagedoor.core.timeline import timeline_for
from stagedoor.support import onboarding, selectors, services, sla
from stagedoor.support.forms import ArticleForm, EscalateForm, MacroForm, NoteForm, ReplyForm
from stagedoor.support.models import Category, HelpArticle, Macro, Queue, Ticket

SECTION = "/staff/support/"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _ticket_url(ticket_id: str) -> str:
    return f"{SECTION}tickets/{ticket_id}/"


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    chosen = request.GET.get("queue", "")
    status = "resolved" if request.GET.get("status") == "resolved" else "open"
    result = selectors.queue_page(
        actor,
        queue=chosen,
        status=status,
        language=request.GET.get("language", "")[:8],
        mine=request.GET.get("mine") == "1",
        page=page,
    )
    now = timezone.now()
    rows = [
        {
            "ticket": t,
            "due": t.first_response_due if t.first_responded_at is None else t.resolution_due,
            "due_label": "first response" if t.first_responded_at is None else "resolution",
            "countdown": sla.countdown(t.first_response_due if t.first_responded_at is None else t.resolution_due, now),
            "late": (t.first_response_due if t.first_responded_at is None else t.resolution_due) < now,
            "holder": selectors.lock_holder(t, now=now),
        }
        for t in result.tickets
    ]
    queues = [(q, Queue(q).label) for q in selectors.queues_of(actor)]
    return render(
        request,
        "support/console/queue.html",
        {
            "rows": rows,
            "result": result,
            "queues": queues,
            "chosen": chosen,
            "status": status,
            "mine": request.GET.get("mine") == "1",
        },
    )


def ticket(request: HttpRequest, ticket_id: str) -> HttpResponse:
    actor = _actor(request)
    try:
        item = selectors.access_ticket(actor, ticket_id)
    except ApplicationError as exc:
        if exc.status == 403:
            return render(request, "support/console/refused.html", {"message": exc.message}, status=403)
        raise Http404 from None
    _, other = services.ticket_lock(actor=actor, ticket_id=item.pk)
    item.refresh_from_db()
    found = selectors.suggestions_for(item)
    now = timezone.now()
    context = {
        "ticket": item,
        "thread": selectors.ticket_messages(item, include_internal=True),
        "other": other,
        "reply_form": ReplyForm(),
        "escalate_form": EscalateForm(),
        "macros": list(selectors.macros_active()),
        "suggested_macros": found.macros,
        "suggested_articles": found.articles,
        "advice": services.stream_advice(item.requester),
        "first_countdown": sla.countdown(item.first_response_due, now),
        "resolution_countdown": sla.countdown(item.resolution_due, now),
        "first_late": item.first_responded_at is None and item.first_response_due < now,
        "resolution_late": item.is_open and item.resolution_due < now,
        "categories": Category.choices,
    }
    return render(request, "support/console/ticket.html", context)


@require_POST
def reply(request: HttpRequest, ticket_id: str) -> HttpResponse:
    actor = _actor(request)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a reply of 1–20,000 characters.")
        return HttpResponseRedirect(_ticket_url(ticket_id))
    data = form.cleaned_data
    done = staff_action(
        request,
        lambda: services.ticket_reply(
            actor=actor,
            ticket_id=ticket_id,
            body=data["body"],
            internal=data["internal"],
            force=data["force"],
            ip=_ip(request),
        ),
    )
    if done is not None:
        messages.success(request, "Note added." if data["internal"] else "Reply sent.")
    return HttpResponseRedirect(_ticket_url(ticket_id))


@require_POST
def escalate(request: HttpRequest, ticket_id: str) -> HttpResponse:
    actor = _actor(request)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a queue and write a note for the next agent.")
        return HttpResponseRedirect(_ticket_url(ticket_id))
    done = staff_action(
        request,
        lambda: services.ticket_escalate(
            actor=actor,
            ticket_id=ticket_id,
            to_queue=form.cleaned_data["queue"],
            note=form.cleaned_data["note"],
            ip=_ip(request),
        ),
    )
    if done is not None:
        messages.success(request, f"Escalated to {Queue(done.queue).label}.")
        if not selectors.may_work(actor, done):
            return HttpResponseRedirect(SECTION)
    return HttpResponseRedirect(_ticket_url(ticket_id))


@require_POST
def resolve(request: HttpRequest, ticket_id: str) -> HttpResponse:
    actor = _actor(request)
    if staff_action(request, lambda: services.ticket_resolve(actor=actor, ticket_id=ticket_id, ip=_ip(request))):
        messages.success(request, "Resolved; the requester got the closing mail with the survey.")
    return HttpResponseRedirect(_ticket_url(ticket_id))


@require_POST
def categorise(request: HttpRequest, ticket_id: str) -> HttpResponse:
    actor = _actor(request)
    category = str(request.POST.get("category", ""))[:12]
    if staff_action(
        request,
        lambda: services.ticket_categorise(actor=actor, ticket_id=ticket_id, category=category, ip=_ip(request)),
    ):
        messages.success(request, "Category changed.")
    return HttpResponseRedirect(_ticket_url(ticket_id))


@require_POST
def macro(request: HttpRequest, ticket_id: str) -> HttpResponse:
    actor = _actor(request)
    macro_id = str(request.POST.get("macro_id", ""))[:26]
    force = request.POST.get("force") == "on"
    done = staff_action(
        request,
        lambda: services.macro_apply(actor=actor, ticket_id=ticket_id, macro_id=macro_id, force=force, ip=_ip(request)),
    )
    if done is not None:
        messages.success(request, "Macro applied.")
    return HttpResponseRedirect(_ticket_url(ticket_id))


@require_POST
def release(request: HttpRequest, ticket_id: str) -> HttpResponse:
    services.ticket_unlock(actor=_actor(request), ticket_id=ticket_id)
    return HttpResponseRedirect(SECTION)


def person(request: HttpRequest, user_id: str) -> HttpResponse:
    """The customer timeline: everything the agent's role may see about one person, newest first."""
    actor = _actor(request)
    subject = User.objects.filter(pk=user_id).first()
    if subject is None:
        raise Http404
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        note = staff_action(
            request, lambda: services.note_add(actor=actor, subject_id=subject.pk, body=body, ip=_ip(request))
        )
        if note is not None:
            messages.success(request, "Note added.")
            return HttpResponseRedirect(f"{SECTION}people/{subject.pk}/")
    result = timeline_for(subject.pk, can=lambda perm: role_has(actor.role, perm), limit=100)
    return render(request, "support/console/person.html", {"subject": subject, "timeline": result, "form": form})


def results(request: HttpRequest) -> HttpResponse:
    per_agent, per_category = selectors.csat_results(days=90)
    return render(
        request,
        "support/console/results.html",
        {"per_agent": per_agent, "per_category": per_category, "inbound": selectors.inbound_recent(limit=50)},
    )


LIBRARY = "/staff/support-library/"


def library(request: HttpRequest) -> HttpResponse:
    """Macros and help articles: the lists, and a form for a new one of each."""
    return render(
        request,
        "support/console/library.html",
        {
            "macros": list(Macro.objects.order_by("title")),
            "articles": list(HelpArticle.objects.order_by("title")),
        },
    )


def _edit(request: HttpRequest, *, form_class: Any, instance: Any, save: Any, kind: str, title: str) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        done = staff_action(request, lambda: save(values))
        if done is not None:
            messages.success(request, f"Saved “{done.title}”.")
            return HttpResponseRedirect(LIBRARY)
    return render(request, "support/console/edit.html", {"form": form, "kind": kind, "title": title})


def macro_edit(request: HttpRequest, macro_id: str = "") -> HttpResponse:
    actor = _actor(request)
    instance = Macro.objects.filter(pk=macro_id).first() if macro_id else None
    if macro_id and instance is None:
        raise Http404
    return _edit(
        request,
        form_class=MacroForm,
        instance=instance,
        save=lambda values: services.macro_save(actor=actor, macro_id=macro_id or None, values=values, ip=_ip(request)),
        kind="macro",
        title=instance.title if instance else "New macro",
    )


def article_edit(request: HttpRequest, article_id: str = "") -> HttpResponse:
    actor = _actor(request)
    instance = HelpArticle.objects.filter(pk=article_id).first() if article_id else None
    if article_id and instance is None:
        raise Http404
    return _edit(
        request,
        form_class=ArticleForm,
        instance=instance,
        save=lambda values: services.article_save(
            actor=actor, article_id=article_id or None, values=values, ip=_ip(request)
        ),
        kind="article",
        title=instance.title if instance else "New help article",
    )


def _queue_blurb(actor: Any) -> str:
    page = selectors.queue_page(actor)
    return f"{page.total} open"


def support_panel(subject: Any, actor: Any) -> dict[str, Any] | None:
    tickets = list(Ticket.objects.filter(requester=subject).order_by("-created_at")[:5])
    checklist = onboarding.checklist_for(subject) if subject.role == Role.PERFORMER else None
    return {"subject": subject, "tickets": tickets, "checklist": checklist}


console_section(
    slug="support",
    title="Support queue",
    perm=Perm.SUPPORT_AGENT,
    order=15,
    description="Tickets of your queues with SLA countdowns; reply, escalate, resolve; a person's whole timeline.",
    view=queue,
    template="support/console/queue.html",
    routes=[
        path("tickets/<str:ticket_id>/", ticket, name="ticket"),
        path("tickets/<str:ticket_id>/reply", reply, name="reply"),
        path("tickets/<str:ticket_id>/escalate", escalate, name="escalate"),
        path("tickets/<str:ticket_id>/resolve", resolve, name="resolve"),
        path("tickets/<str:ticket_id>/category", categorise, name="category"),
        path("tickets/<str:ticket_id>/macro", macro, name="macro"),
        path("tickets/<str:ticket_id>/release", release, name="release"),
        path("people/<str:user_id>/", person, name="person"),
    ],
    blurb=_queue_blurb,
)

console_section(
    slug="support-results",
    title="Support results",
    perm=Perm.SUPPORT_MANAGE,
    order=16,
    description="Satisfaction per agent and per category; the inbound mail log.",
    view=results,
    template="support/console/results.html",
)

console_section(
    slug="support-library",
    title="Macros and help",
    perm=Perm.SUPPORT_MANAGE,
    order=17,
    description="Write and change macros and help centre articles (every change audited).",
    view=library,
    template="support/console/library.html",
    routes=[
        path("macros/new", macro_edit, name="macro-new"),
        path("macros/<str:macro_id>/", macro_edit, name="macro"),
        path("articles/new", article_edit, name="article-new"),
        path("articles/<str:article_id>/", article_edit, name="article"),
    ],
)

user_panel(
    key="support",
    title="Support",
    perm=Perm.SUPPORT_AGENT,
    order=12,
    template="support/console/_user_support.html",
    context=support_panel,
)
