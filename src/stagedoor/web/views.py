"""Pages: home, entry interstitial, sign-up, login with two-factor, account, password reset."""

from __future__ import annotations

from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts import selectors, services
from stagedoor.accounts.models import User
from stagedoor.accounts.sessions import (
    CONSENT_KEY,
    PENDING_MFA_KEY,
    pending_mfa_user,
    session_login,
    session_logout,
)
from stagedoor.community import selectors as community_selectors
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.rooms import selectors as room_selectors
from stagedoor.rooms.presenters import room_card
from stagedoor.verification import selectors as verification_selectors
from stagedoor.web import forms
from stagedoor.web.favicon import favicon_ico

PENDING_SETUP_KEY = "mfa_setup_uri"
SHOW_CODES_KEY = "show_recovery_codes"


def _user(request: HttpRequest) -> User:
    """The signed-in user (views using this are behind @login_required)."""
    return cast(User, request.user)


def _safe_next(request: HttpRequest, target: str | None, default: str = "/") -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _way_back(request: HttpRequest) -> str | None:
    """The page the visitor came from (the Referer), if it is one of ours and not this page."""
    referer = request.headers.get("Referer", "")
    if not referer or referer == request.build_absolute_uri():
        return None
    return _safe_next(request, referer, default="") or None


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"back_url": _way_back(request), "path": request.path}
    return render(request, "404.html", context, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"back_url": _way_back(request)}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered with no request context: no context processor (session, user, wallet) touches the
    database, so the page shows even when the database is what failed."""
    return HttpResponseServerError(loader.get_template("500.html").render({"site_name": "Stagedoor"}))


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(favicon_ico(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


DIRECTORY_LIVE_MAX = 60
DIRECTORY_OFFLINE_MAX = 48


def home(request: HttpRequest) -> HttpResponse:
    """The directory: live rooms, then offline performers to follow; tag chips and a search box."""
    location = location_for_request(request)
    q = room_selectors.clean_search(request.GET.get("q", ""))
    tag = request.GET.get("tag", "").strip().lower().lstrip("#")[:24]
    event_slug = request.GET.get("event", "").strip().lower()[:40]
    event = community_selectors.event_by_slug_or_none(event_slug) if event_slug else None
    rooms = room_selectors.directory(
        location=location,
        tag=tag,
        q=q,
        limit=DIRECTORY_LIVE_MAX + DIRECTORY_OFFLINE_MAX,
        performer_ids=community_selectors.event_performer_ids(event_slug) if event_slug else None,
    )
    live = [r for r in rooms if r.is_live][:DIRECTORY_LIVE_MAX]
    offline = [r for r in rooms if not r.is_live][:DIRECTORY_OFFLINE_MAX]
    ids = [r.id for r in offline]
    counts = room_selectors.follower_counts(ids)
    viewer_id = request.user.pk if request.user.is_authenticated else None
    followed = room_selectors.followed_room_ids(user_id=viewer_id, room_ids=ids)
    tags = room_selectors.directory_tags(location=location)
    if tag and tag not in tags:
        tags = [tag, *tags]
    context = {
        "live_rooms": [room_card(r) for r in live],
        "offline_performers": [
            {
                **room_card(r),
                "performer_id": r.performer_id,
                "followers": counts.get(r.id, 0),
                "following": r.id in followed,
            }
            for r in offline
        ],
        "tags": tags,
        "q": q,
        "tag": tag,
        "event": event,
        "event_slug": event_slug,
        "events": community_selectors.events_for_directory(),
        "filtered": bool(q or tag or event_slug),
    }
    return render(request, "web/home.html", context)


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    form = forms.EnterForm(request.POST or None, initial={"next": request.GET.get("next", "/")})
    if request.method == "POST" and form.is_valid():
        if not request.session.session_key:
            request.session.save()
        try:
            record = services.entry_consent_record(
                user=request.user if request.user.is_authenticated else None,
                session_key=request.session.session_key or "",
                age_confirmed=form.cleaned_data["age_confirmed"],
                terms_accepted=form.cleaned_data["terms_accepted"],
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            request.session[CONSENT_KEY] = record.terms_version
            return HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next")))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/enter.html", {"form": form}, status=status)


def legal_terms(request: HttpRequest) -> HttpResponse:
    return render(request, "web/terms.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = forms.SignupForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), default="/account")
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(ip=client_ip(request), **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            session_login(request, user, method="signup")
            messages.success(request, f"Welcome to Stagedoor, {user.shown_name}.")
            return HttpResponseRedirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/signup.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = forms.LoginForm(request.POST or None)
    # where to go afterwards (through the two-factor step too): only a page of this site
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(
                login=form.cleaned_data["login"], password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            if user.mfa_enabled:
                request.session[PENDING_MFA_KEY] = user.pk
                request.session["pending_next"] = next_url
                return HttpResponseRedirect("/login/2fa")
            session_login(request, user, method="password")
            return HttpResponseRedirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/login.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def login_2fa(request: HttpRequest) -> HttpResponse:
    user = pending_mfa_user(request)
    if user is None:
        return HttpResponseRedirect("/login")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.mfa_verify(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            target = request.session.pop("pending_next", "/")
            session_login(request, user, method=method)
            if method == "recovery_code":
                messages.warning(request, "You used a recovery code. Make new ones on your account page.")
            return HttpResponseRedirect(_safe_next(request, target))
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "passkey": user.passkeys.exists(),  # sign in with a passkey instead (accounts/static/accounts/passkeys.js)
        "next": _safe_next(request, request.session.get("pending_next")),
    }
    return render(request, "web/login_2fa.html", context, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session_logout(request)  # ends this session's record; keeps the entry consent
    return HttpResponseRedirect("/")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.mfa_enabled:
        return HttpResponseRedirect("/account")
    form = forms.CodeForm(request.POST or None)
    uri = request.session.get(PENDING_SETUP_KEY)
    if request.method == "GET" or not uri:
        setup = services.mfa_setup_begin(user=user)
        uri = setup.uri
        request.session[PENDING_SETUP_KEY] = uri
        form = forms.CodeForm()
    elif form.is_valid():
        try:
            codes = services.mfa_setup_confirm(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            request.session.pop(PENDING_SETUP_KEY, None)
            request.session[SHOW_CODES_KEY] = codes
            messages.success(request, "Two-factor authentication is on.")
            return HttpResponseRedirect("/account")
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#f4f1ff", light="#16131f", border=2)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/mfa_setup.html", {"form": form, "qr": qr, "secret": secret}, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    context = {
        "tokens": selectors.api_tokens_of(_user(request)),
        "token_form": forms.TokenForm(),
        "code_form": forms.CodeForm(),
        "new_token": request.session.pop("new_token", None),
        "recovery_codes": request.session.pop(SHOW_CODES_KEY, None),
        "application": verification_selectors.performer_application_of(_user(request)),
    }
    return render(request, "web/account.html", context)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = forms.TokenForm(request.POST)
    if form.is_valid():
        try:
            _, plaintext = services.api_token_create(
                user=_user(request), name=form.cleaned_data["name"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            request.session["new_token"] = plaintext
    else:
        messages.error(request, "Give the token a name of 1–80 characters.")
    return HttpResponseRedirect("/account")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    try:
        services.api_token_revoke(user=_user(request), token_id=token_id, ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Token revoked.")
    return HttpResponseRedirect("/account")


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    form = forms.CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(
                user=_user(request), code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            request.session[SHOW_CODES_KEY] = codes
    else:
        messages.error(request, "Enter a code from your authenticator app.")
    return HttpResponseRedirect("/account")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(request))
        return render(request, "web/password_reset_sent.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/password_reset.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    try:
        services.password_reset_user(uid=uid, token=token)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "Link expired", "message": exc.message}, status=400)
    form = forms.PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                uid=uid, token=token, new_password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, "Password changed. Sign in with your new password.")
            return HttpResponseRedirect("/login")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/password_reset_confirm.html", {"form": form}, status=status)
