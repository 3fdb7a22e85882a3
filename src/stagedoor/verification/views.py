"""Pages of verification: applying to perform and proving who you are (/verify), a viewer's age check (/age),
co-performers (/studio/coperformers) and identity-checked account recovery (/recover)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error
from stagedoor.core.gates import ADULT_CONTENT, GateContext, gate_refusal
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.verification import assurance, conf, forms, selectors, services
from stagedoor.verification.models import AgeCheck, AgeMethod, Document, PerformerApplication, Verification
from stagedoor.verification.uploads_http import LimitedUploadHandler, declared_too_large

DOCUMENT_FIELDS = (Document.Kind.ID_FRONT, Document.Kind.ID_BACK, Document.Kind.SELFIE)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- /verify ------------------------------------------------------------------------------------------------


def _verify_context(request: HttpRequest, **forms_given: Any) -> dict[str, Any]:
    user = _user(request)
    now = timezone.now()
    application = selectors.performer_application_of(user)
    is_performer = user.role == Role.PERFORMER
    current = (
        selectors.latest_verification_of(
            user, purposes=(Verification.Purpose.ONBOARDING, Verification.Purpose.REVERIFICATION)
        )
        if is_performer
        else (application.verification if application is not None else None)
    )
    shown_application = application if not is_performer else None
    step = services.application_next_step(shown_application, current)
    standing = selectors.standing_of(user.pk, now=now)
    can_apply = role_has(user.role, Perm.PERFORMER_APPLY) and (
        application is None or application.status == PerformerApplication.Status.REJECTED
    )
    needs_identity = is_performer and (
        standing.state in (selectors.UNVERIFIED, selectors.LAPSED, selectors.DUE)
        and (current is None or current.status not in (Verification.Status.STARTED, Verification.Status.SUBMITTED))
    )
    return {
        "application": shown_application,
        "verification": current,
        "documents": selectors.documents_of(current) if current is not None else [],
        "step": step,
        "standing": standing,
        "is_performer": is_performer,
        "can_apply": can_apply,
        "needs_identity": needs_identity,
        "apply_form": forms_given.get("apply_form") or forms.ApplyForm(),
        "identity_form": forms_given.get("identity_form") or forms.IdentityForm(),
        "method_form": forms.MethodForm(),
        "documents_form": forms.DocumentsForm(),
        "upload_max_mb": conf.upload_max_bytes() // (1024 * 1024),
        "recoveries": [r for r in selectors.recoveries(open_only=True) if r.user_id == user.pk],
    }


@login_required
def verify_page(request: HttpRequest) -> HttpResponse:
    return render(request, "verification/verify.html", _verify_context(request))


def _after_start(request: HttpRequest, verification: Verification | None) -> HttpResponse:
    if verification is not None and verification.is_vendor:
        if verification.vendor_error:
            messages.error(request, "The verification service could not be reached. Your details are kept: try again.")
        else:
            messages.success(request, "Continue to the identity check with the button below.")
    elif verification is not None:
        messages.success(request, "Saved. Now upload your documents.")
    return HttpResponseRedirect("/verify")


@login_required
@require_POST
def verify_apply(request: HttpRequest) -> HttpResponse:
    form = forms.ApplyForm(request.POST)
    if form.is_valid():
        try:
            application = services.performer_apply(user=_user(request), ip=client_ip(request), **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _after_start(request, application.verification)
    return render(request, "verification/verify.html", _verify_context(request, apply_form=form), status=400)


@login_required
@require_POST
def verify_start(request: HttpRequest) -> HttpResponse:
    form = forms.IdentityForm(request.POST)
    if form.is_valid():
        try:
            verification = services.identity_verify_start(user=_user(request), **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _after_start(request, verification)
    return render(request, "verification/verify.html", _verify_context(request, identity_form=form), status=400)


@login_required
@require_POST
def verify_restart(request: HttpRequest) -> HttpResponse:
    form = forms.MethodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to verify.")
        return HttpResponseRedirect("/verify")
    try:
        application = services.performer_application_restart(user=_user(request), method=form.cleaned_data["method"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect("/verify")
    return _after_start(request, application.verification)


@login_required
@require_POST
def verify_retry(request: HttpRequest, verification_id: str) -> HttpResponse:
    try:
        verification = services.verification_retry(user=_user(request), verification_id=verification_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect("/verify")
    return _after_start(request, verification)


@csrf_exempt  # the CSRF check runs in `_documents` once the upload limit is in place (it reads the body)
@login_required
@require_POST
def verify_documents(request: HttpRequest, verification_id: str) -> HttpResponse:
    limit = conf.upload_max_bytes()
    back = _safe_next(request, request.GET.get("next"), "/verify")
    if declared_too_large(request, files=len(DOCUMENT_FIELDS), limit=limit):
        # refused on the declared length: the body is never read
        return render(
            request,
            "web/message.html",
            {"title": "File too large", "message": f"Each file may be at most {limit // (1024 * 1024)} MB."},
            status=413,
        )
    handler = LimitedUploadHandler(limit, request)
    request.upload_handlers.insert(0, handler)
    return _documents(request, verification_id, handler, back)


@csrf_protect
def _documents(request: HttpRequest, verification_id: str, handler: LimitedUploadHandler, back: str) -> HttpResponse:
    files = request.FILES
    if handler.exceeded:
        messages.error(
            request, f"A file is larger than {conf.upload_max_bytes() // (1024 * 1024)} MB; nothing was kept."
        )
        return HttpResponseRedirect(back)
    user = _user(request)
    stored: list[str] = []
    for kind in DOCUMENT_FIELDS:
        upload = files.get(kind)
        if upload is None:
            continue
        try:
            services.document_add(
                user=user, verification_id=verification_id, kind=kind, data=upload.read(), ip=client_ip(request)
            )
        except ApplicationError as exc:
            messages.error(request, f"{Document.Kind(kind).label}: {exc.message}")
            return HttpResponseRedirect(back)
        stored.append(Document.Kind(kind).label)
    try:
        services.verification_submit(user=user, verification_id=verification_id, ip=client_ip(request))
    except ApplicationError as exc:
        if stored:
            messages.success(request, f"Saved: {', '.join(stored)}.")
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    messages.success(request, "Sent for review. We will tell you here when it is decided.")
    return HttpResponseRedirect(back)


@login_required
@require_POST
def recovery_cancel(request: HttpRequest, recovery_id: str) -> HttpResponse:
    """The account's owner, still signed in, stops a recovery someone else started."""
    try:
        services.recovery_cancel(actor=_user(request), recovery_id=recovery_id, ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Recovery cancelled. If you did not start it, change your password now.")
    return HttpResponseRedirect("/verify")


def account_apply_moved(request: HttpRequest) -> HttpResponse:
    """The old account-page form: applying lives on /verify now."""
    return HttpResponseRedirect("/verify")


# --- /age -------------------------------------------------------------------------------------------------


def age_page(request: HttpRequest) -> HttpResponse:
    location = location_for_request(request)
    requirement = selectors.age_requirement(location)
    user = request.user if request.user.is_authenticated else None
    refusal = gate_refusal(ADULT_CONTENT, GateContext(user=user, request=request))
    context = {
        "requirement": requirement,
        "method_label": AgeMethod(requirement.method).label,
        "satisfied": refusal is None,
        "refusal": refusal,
        "next": _safe_next(request, request.GET.get("next"), "/"),
        "remember_days": conf.age_remember_days(),
        "can_check": requirement.method in (AgeMethod.AGE_ESTIMATION, AgeMethod.ID_CHECK),
    }
    return render(request, "verification/age.html", context)


@require_POST
def age_check(request: HttpRequest) -> HttpResponse:
    location = location_for_request(request)
    requirement = selectors.age_requirement(location)
    device = assurance.read(request) or assurance.new_device()
    user = _user(request) if request.user.is_authenticated else None
    try:
        check = services.age_check_start(user=user, device_id=device.device_id, method=requirement.method)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        response: HttpResponse = HttpResponseRedirect("/age")
    else:
        request.session["age_next"] = _safe_next(request, request.POST.get("next"), "/")
        response = render(request, "verification/age_continue.html", {"check": check})
    assurance.set_cookie(response, device, secure=bool(settings.STAGEDOOR.tls))
    return response


def age_return(request: HttpRequest) -> HttpResponse:
    """Back from the vendor: a guest's pass goes into their signed device cookie (the account remembers it itself)."""
    device = assurance.read(request)
    user = _user(request) if request.user.is_authenticated else None
    target = request.session.pop("age_next", "/")
    try:
        check = selectors.age_check_for(
            request.GET.get("check", "")[:26], user=user, device_id=device.device_id if device else ""
        )
    except ApplicationError:
        messages.error(request, "We could not find that age check. Start it again.")
        return HttpResponseRedirect("/age")
    if check.status == AgeCheck.Status.STARTED:
        messages.info(request, "Your age check is still being processed; reload this page in a moment.")
        return HttpResponseRedirect(f"/age?next={target}")
    if check.status == AgeCheck.Status.FAILED:
        messages.error(request, "The age check did not confirm that you are 18 or older.")
        return HttpResponseRedirect("/age")
    messages.success(request, "Thank you: your age is confirmed.")
    response = HttpResponseRedirect(target)
    if user is None and device is not None:
        expires = int(services.remember_until(timezone.now()).timestamp())
        passed = assurance.DeviceAssurance(device_id=device.device_id, method=check.method, expires=expires)
        assurance.set_cookie(response, passed, secure=bool(settings.STAGEDOOR.tls))
    return response


# --- /studio/coperformers ---------------------------------------------------------------------------------


def _coperformers_context(user: User, **given: Any) -> dict[str, Any]:
    now = timezone.now()
    rows = []
    for c in selectors.coperformers_of(user):
        verification = selectors.coperformer_verification(c) if c.account_id is None else None
        rows.append(
            {
                "c": c,
                "verified": selectors.coperformer_is_verified(c, now=now),
                "verification": verification,
                "documents": selectors.documents_of(verification),
            }
        )
    return {
        "rows": rows,
        "account_form": given.get("account_form") or forms.CoPerformerAccountForm(),
        "record_form": given.get("record_form") or forms.CoPerformerRecordForm(),
        "documents_form": forms.DocumentsForm(),
        "release_text": services.RELEASE_TEXT,
        "broadcasts": selectors.broadcasts(performer=user, limit=10),
    }


@login_required
@require_http_methods(["GET", "POST"])
def coperformers_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not role_has(user.role, Perm.COPERFORMERS_MANAGE):
        return render(
            request,
            "web/message.html",
            {"title": "Co-performers", "message": "This page is for performers."},
            status=403,
        )
    if request.method == "GET":
        return render(request, "verification/coperformers.html", _coperformers_context(user))
    action = request.POST.get("action", "")
    ip = client_ip(request)
    try:
        if action == "add_account":
            account_form = forms.CoPerformerAccountForm(request.POST)
            if not account_form.is_valid():
                return render(
                    request,
                    "verification/coperformers.html",
                    _coperformers_context(user, account_form=account_form),
                    status=400,
                )
            services.coperformer_add_account(owner=user, login=account_form.cleaned_data["login"], ip=ip)
            messages.success(request, "Added.")
        elif action == "add_record":
            record_form = forms.CoPerformerRecordForm(request.POST)
            if not record_form.is_valid():
                return render(
                    request,
                    "verification/coperformers.html",
                    _coperformers_context(user, record_form=record_form),
                    status=400,
                )
            try:
                services.coperformer_add_record(owner=user, ip=ip, **record_form.cleaned_data)
            except ApplicationError as exc:
                apply_error(record_form, exc)
                return render(
                    request,
                    "verification/coperformers.html",
                    _coperformers_context(user, record_form=record_form),
                    status=400,
                )
            messages.success(request, "Added: now verify them (documents below, or the online check).")
        elif action in ("declare", "undeclare"):
            services.coperformer_declare(
                owner=user, coperformer_id=request.POST.get("id", "")[:26], declared=action == "declare", ip=ip
            )
            messages.success(request, "On the list for your next broadcast." if action == "declare" else "Taken off.")
        elif action == "remove":
            services.coperformer_remove(owner=user, coperformer_id=request.POST.get("id", "")[:26], ip=ip)
            messages.success(request, "Removed.")
        else:
            messages.error(request, "Unknown action.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect("/studio/coperformers")


# --- /recover ---------------------------------------------------------------------------------------------

RECOVERY_SESSION = "recovery_token"


@require_http_methods(["GET", "POST"])
def recover_start(request: HttpRequest) -> HttpResponse:
    form = forms.RecoveryStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            started = services.recovery_start(login=form.cleaned_data["login"], ip=client_ip(request))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            request.session[RECOVERY_SESSION] = started.token
            return HttpResponseRedirect(f"/recover/{started.token}")
    status = 400 if request.method == "POST" else 200
    return render(request, "verification/recover.html", {"form": form}, status=status)


def recover_return(request: HttpRequest) -> HttpResponse:
    token = request.session.get(RECOVERY_SESSION)
    return HttpResponseRedirect(f"/recover/{token}" if token else "/recover")


@require_http_methods(["GET", "POST"])
def recover_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        recovery = services.recovery_by_token(token)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "Account recovery", "message": exc.message}, status=404)
    request.session[RECOVERY_SESSION] = token
    form = forms.NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recovery_complete(token=token, new_password=form.cleaned_data["password"], ip=client_ip(request))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            request.session.pop(RECOVERY_SESSION, None)
            messages.success(request, "Your password is set. Sign in, then set up two-factor again.")
            return HttpResponseRedirect("/login")
    ready = recovery.status == "cooling_off" and recovery.cooling_off_until is not None
    context = {
        "recovery": recovery,
        "verification": recovery.verification,
        "form": form,
        "can_set_password": ready
        and recovery.cooling_off_until is not None
        and timezone.now() >= recovery.cooling_off_until,
    }
    return render(request, "verification/recover_status.html", context, status=400 if request.method == "POST" else 200)
