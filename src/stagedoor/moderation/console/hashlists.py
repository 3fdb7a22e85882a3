"""Hash lists (compliance, admin): create a list, upload a file of `hash_hex[,ref]` lines into it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.roles import Perm
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.errors import ApplicationError
from stagedoor.core.middleware import client_ip
from stagedoor.moderation import selectors, services
from stagedoor.moderation.console.common import actor_of
from stagedoor.moderation.models import HashList

BASE = "/staff/hash-lists/"
UPLOAD_MAX_BYTES = 8 * 1024 * 1024


class HashListForm(forms.Form):
    name = forms.CharField(max_length=60)
    kind = forms.ChoiceField(choices=HashList.Kind.choices)
    owner = forms.CharField(max_length=30, required=False)
    description = forms.CharField(max_length=200, required=False)


@require_http_methods(["GET", "POST"])
def hash_lists(request: HttpRequest) -> HttpResponse:
    form = HashListForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            created = staff_action(
                request,
                lambda: services.hashlist_create(
                    actor=actor_of(request),
                    name=data["name"],
                    kind=data["kind"],
                    owner_login=data["owner"],
                    description=data["description"],
                    ip=client_ip(request),
                ),
            )
            if created is not None:
                messages.success(request, f"List {created.name} created; upload its hashes.")
                return HttpResponseRedirect(f"{BASE}{created.pk}/")
        else:
            messages.error(request, "Give the list a name and a kind.")
    context = {"rows": selectors.hash_lists(), "form": form, "kinds": HashList.Kind.choices}
    return render(request, "moderation/console/hashlists.html", context)


def hash_list_detail(request: HttpRequest, list_id: str) -> HttpResponse:
    hash_list = selectors.hash_list_get(list_id)
    context = {"hash_list": hash_list, "entries": selectors.hash_entries(hash_list), "count": hash_list.entries.count()}
    return render(request, "moderation/console/hashlist.html", context)


@require_POST
def hash_list_upload(request: HttpRequest, list_id: str) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > UPLOAD_MAX_BYTES:
        messages.error(request, "Choose a text file of at most 8 MiB, one `hash_hex[,ref]` per line.")
        return HttpResponseRedirect(f"{BASE}{list_id}/")
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text.")
        return HttpResponseRedirect(f"{BASE}{list_id}/")
    try:
        loaded = services.hashlist_entries_load(
            actor=actor_of(request), list_id=list_id, text=text, ip=client_ip(request)
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return HttpResponseRedirect(f"{BASE}{list_id}/")
    messages.success(request, f"Loaded {loaded.added} new hash(es); {loaded.already} were in the list already.")
    return HttpResponseRedirect(f"{BASE}{list_id}/")


def _blurb(actor: Any) -> str:
    rows = selectors.hash_lists()
    return f"{len(rows)} lists, {sum(r.entries for r in rows)} hashes"


console_section(
    slug="hash-lists",
    title="Hash lists",
    perm=Perm.MODERATION_HASHLISTS,
    order=25,
    description="Perceptual-hash lists every video frame is matched against: prohibited, removed, leaked.",
    view=hash_lists,
    template="moderation/console/hashlists.html",
    routes=[
        path("<str:list_id>/", hash_list_detail, name="detail"),
        path("<str:list_id>/upload", hash_list_upload, name="upload"),
    ],
    blurb=_blurb,
)
