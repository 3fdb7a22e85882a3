"""Pages for everyone signed in: report a message, a room or a person; see what became of your reports; the
decisions about you with their statements of reasons and an appeal form; performers also see the decisions about
their room."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.models import User
from stagedoor.chat import selectors as chat_selectors
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.core.middleware import client_ip
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors, services
from stagedoor.moderation.text.policy import CATEGORIES as TEXT_CATEGORIES
from stagedoor.rooms.models import Room

REPORT_MESSAGES_SHOWN = 20


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


class ReportForm(forms.Form):
    target = forms.CharField(max_length=80)  # "message:<id>", "room:<id>" or "user:<id>"
    reason = forms.ChoiceField(choices=[(c, P.CATEGORIES[c].title) for c in P.REPORT_REASONS])
    text = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    room = forms.CharField(max_length=30, required=False)  # the room the form was opened from


def _report_targets(room: Room | None, user_login: str, viewer: User) -> list[dict[str, str]]:
    """What the form offers: the room, its performer, its recent messages; or one person."""
    targets: list[dict[str, str]] = []
    if room is not None:
        targets.append({"value": f"room:{room.pk}", "label": f"The room {room.slug} (its broadcast or its page)"})
        if room.performer_id != viewer.pk:
            targets.append(
                {"value": f"user:{room.performer_id}", "label": f"The performer, {room.performer.shown_name}"}
            )
        for m in reversed(chat_selectors.chat_recent_messages(room, limit=REPORT_MESSAGES_SHOWN)):
            if m.user_id != viewer.pk:
                targets.append({"value": f"message:{m.pk}", "label": f"{m.login}: {m.text}", "kind": "message"})
    elif user_login:
        person = User.objects.filter(login=user_login.lower(), is_active=True).first()
        if person is not None and person.pk != viewer.pk:
            targets.append({"value": f"user:{person.pk}", "label": f"{person.login}"})
    return targets


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    viewer = _me(request)
    slug = (request.POST.get("room") or request.GET.get("room", "")).strip()[:30]
    room = Room.objects.select_related("performer").filter(slug=slug.lower()).first() if slug else None
    user_login = request.GET.get("user", "").strip()[:30]
    chosen = request.GET.get("message", "")[:26]
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind, _, target_id = form.cleaned_data["target"].partition(":")
        try:
            filed = services.report_file(
                reporter=viewer,
                target_kind=kind,
                target_id=target_id,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, "Thank you. Your report reached our trust & safety team; see below what becomes of it."
            )
            return HttpResponseRedirect(f"/reports#report-{filed.pk}")
    elif request.method == "POST":
        messages.error(request, "Choose what you report and why.")
    context = {
        "form": form,
        "room": room,
        "targets": _report_targets(room, user_login, viewer),
        "chosen": f"message:{chosen}" if chosen else request.POST.get("target", ""),
        "reasons": [(c, P.CATEGORIES[c].title) for c in P.REPORT_REASONS],
    }
    return render(request, "moderation/report.html", context)


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/reports.html", {"reports": selectors.reports_of(_me(request))})


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    context: dict[str, Any] = {
        "views": selectors.decisions_about(me),
        "room_decisions": selectors.decisions_about_room_of(me) if hasattr(me, "room") else [],
        "action_titles": P.ACTION_TITLES,
        "appeal_days": P.cases_config().appeal_days,
    }
    return render(request, "moderation/decisions.html", context)


@login_required
@require_POST
def appeal(request: HttpRequest, decision_id: str) -> HttpResponse:
    try:
        services.appeal_file(appellant=_me(request), decision_id=decision_id[:26], text=request.POST.get("text", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your appeal is filed. A moderator who did not take the decision will review it.")
    return HttpResponseRedirect(f"/decisions#decision-{decision_id[:26]}")


@login_required
@require_POST
def studio_content_policy(request: HttpRequest) -> HttpResponse:
    """The studio's content-policy card posts here (the performer's own room)."""
    me = _me(request)
    room = Room.objects.filter(performer=me).first()
    if room is None:
        messages.error(request, "Only performers have a room to set.")
        return HttpResponseRedirect("/")
    try:
        services.room_content_policy_set(
            actor=me,
            room=room,
            non_nude=request.POST.get("non_nude") == "1",
            restricted_regions=request.POST.get("restricted_regions", "")[:400].replace(",", " ").split(),
            ip=client_ip(request),
        )
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, "Your room's content settings are saved.")
    return HttpResponseRedirect("/studio")


@login_required
@require_POST
def studio_chat_policy(request: HttpRequest) -> HttpResponse:
    """The studio card's chat-classifier table posts here: one `action_<category>` per category ("" follows the
    platform)."""
    me = _me(request)
    room = Room.objects.filter(performer=me).first()
    if room is None:
        messages.error(request, "Only performers have a room to set.")
        return HttpResponseRedirect("/")
    actions = {c: request.POST.get(f"action_{c}", "")[:16] for c in TEXT_CATEGORIES}
    try:
        services.room_chat_policy_set(actor=me, room=room, actions=actions, ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your room's chat settings are saved.")
    return HttpResponseRedirect("/studio")


def report_url(**params: str) -> str:
    return "/report?" + urlencode(params)
