"""Staff console sections of verification (registered from apps.ready): performer applications and identity
reviews with the document viewer, the custodian of records, past broadcasts, the viewer age policy, account
recoveries, and a verification box on the person page.

Documents are never at a URL anyone could keep: the review page links to a viewer page, which signs a view link
for this member of staff that expires after `STAGEDOOR_VERIFICATION_VIEW_LINK_S`; the link serves the decrypted
file with `no-store`, and every serve is audited (`verification.document_viewed`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import access_user, require_perm
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.errors import ApplicationError, NotFound
from stagedoor.core.middleware import client_ip
from stagedoor.verification import conf, errors, forms, selectors, services
from stagedoor.verification.models import Document, PerformerApplication, Verification

APPLICATION_FILTERS = {"pending": "Pending", "approved": "Approved", "rejected": "Rejected", "all": "All"}
VIEW_SALT = "stagedoor.verification.document-view"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


# --- applications and reviews ------------------------------------------------------------------------------


def applications_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    if status not in APPLICATION_FILTERS:
        status = "pending"
    applications = selectors.performer_applications(status="" if status == "all" else status, limit=100)
    others = (
        Verification.objects.filter(status=Verification.Status.SUBMITTED)
        .exclude(purpose=Verification.Purpose.ONBOARDING, applications__isnull=False)
        .select_related("user", "coperformer")
        .order_by("created_at")[:100]
    )
    context = {
        "applications": applications,
        "status": status,
        "filters": APPLICATION_FILTERS,
        "others": others,
        "decision_form": forms.DecisionForm(),
    }
    return render(request, "verification/console/applications.html", context)


def _decision(request: HttpRequest) -> forms.DecisionForm | None:
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, reject or more information; a reason has at most 2,000 characters.")
        return None
    return form


@require_POST
def application_decide(request: HttpRequest, application_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PERFORMER_REVIEW)
    form = _decision(request)
    if form is None:
        return HttpResponseRedirect("/staff/applications/")
    data = form.cleaned_data
    application = staff_action(
        request,
        lambda: services.performer_application_decide(
            actor=actor,
            application_id=application_id,
            decision=data["decision"],
            reason=data["reason"],
            document_expires_on=data["document_expires_on"],
            ip=client_ip(request),
        ),
    )
    if application is not None:
        verdict = {
            "approve": "approved: they are a performer now",
            "reject": "rejected",
            "more_info": "asked for more information",
        }[data["decision"]]
        messages.success(request, f"{application.stage_name} ({application.user.login}) {verdict}.")
    return HttpResponseRedirect("/staff/applications/")


def review(request: HttpRequest, verification_id: str) -> HttpResponse:
    actor = _actor(request)
    verification = (
        Verification.objects.select_related("user", "coperformer", "decided_by").filter(pk=verification_id).first()
    )
    if verification is None:
        raise NotFound()
    can_documents = role_has(actor.role, Perm.VERIFICATION_DOCUMENTS_VIEW)
    context = {
        "v": verification,
        "application": PerformerApplication.objects.filter(verification=verification).first(),
        "documents": selectors.documents_of(verification),
        "can_documents": can_documents,
        "decision_form": forms.DecisionForm(),
        "decidable": verification.status == Verification.Status.SUBMITTED,
    }
    return render(request, "verification/console/review.html", context)


@require_POST
def review_decide(request: HttpRequest, verification_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PERFORMER_REVIEW)
    form = _decision(request)
    back = HttpResponseRedirect(f"/staff/applications/review/{verification_id}/")
    if form is None:
        return back
    data = form.cleaned_data
    application = PerformerApplication.objects.filter(verification_id=verification_id, status="pending").first()

    def decide() -> Any:
        if application is not None:
            return services.performer_application_decide(
                actor=actor,
                application_id=application.pk,
                decision=data["decision"],
                reason=data["reason"],
                document_expires_on=data["document_expires_on"],
                ip=client_ip(request),
            )
        return services.verification_review_decide(
            actor=actor,
            verification_id=verification_id,
            decision=data["decision"],
            reason=data["reason"],
            document_expires_on=data["document_expires_on"],
            ip=client_ip(request),
        )

    if staff_action(request, decide) is not None:
        messages.success(request, "Decision recorded.")
    return back


def document_viewer(request: HttpRequest, document_id: str) -> HttpResponse:
    """A page showing one document through a link signed for this person that expires shortly."""
    actor = require_perm(_actor(request), Perm.VERIFICATION_DOCUMENTS_VIEW)
    document = Document.objects.select_related("verification").filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    token = signing.dumps({"d": document.pk, "a": actor.pk}, salt=VIEW_SALT)
    context = {
        "document": document,
        "src": f"/staff/applications/file/{token}",
        "expires_s": conf.view_link_s(),
        "expires_at": timezone.now() + timedelta(seconds=conf.view_link_s()),
    }
    response = render(request, "verification/console/document.html", context)
    response["Cache-Control"] = "no-store"
    return response


def document_file(request: HttpRequest, token: str) -> HttpResponse:
    """The decrypted file, for the member of staff the link was signed for, while it lasts. Audited every time."""
    actor = require_perm(_actor(request), Perm.VERIFICATION_DOCUMENTS_VIEW)
    try:
        claims = signing.loads(token, salt=VIEW_SALT, max_age=conf.view_link_s())
    except signing.BadSignature:
        claims = None
    if not isinstance(claims, dict) or claims.get("a") != actor.pk:
        return HttpResponse(errors.LinkExpired.default_message, status=403, content_type="text/plain; charset=utf-8")
    document, content = services.document_open(actor=actor, document_id=str(claims.get("d")), ip=client_ip(request))
    response = HttpResponse(content, content_type=document.content_type)
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = f'inline; filename="{document.kind}"'
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _applications_blurb(actor: Any) -> str:
    pending = selectors.performer_application_count(status=PerformerApplication.Status.PENDING)
    return f"{pending} pending"


# --- custodian of records ----------------------------------------------------------------------------------


def records_index(request: HttpRequest) -> HttpResponse:
    rows = services.records_view(actor=_actor(request), ip=client_ip(request))
    return render(
        request,
        "verification/console/records.html",
        {"rows": rows, "legal_basis": conf.LEGAL_BASIS, "years": conf.records_years()},
    )


def records_export(request: HttpRequest) -> HttpResponse:
    text = services.records_export_csv(actor=_actor(request), ip=client_ip(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="records-{timezone.now():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


console_section(
    slug="custodian",
    title="Records for inspection",
    perm=Perm.RECORDS_EXPORT,
    order=60,
    description="The custodian of records: who appeared on camera, their verification, documents and dates on air.",
    view=records_index,
    template="verification/console/records.html",
    routes=[path("export.csv", records_export, name="export")],
)


# --- broadcasts -------------------------------------------------------------------------------------------


def broadcasts_index(request: HttpRequest) -> HttpResponse:
    login = request.GET.get("performer", "").strip()[:30]
    performer = User.objects.filter(login=login.lower()).first() if login else None
    rows = selectors.broadcasts(performer=performer, limit=200) if performer or not login else []
    return render(request, "verification/console/broadcasts.html", {"broadcasts": rows, "performer": login})


console_section(
    slug="broadcasts",
    title="Broadcasts and co-performers",
    perm=Perm.VERIFICATION_STATUS_READ,
    order=66,
    description="Past broadcasts and who each performer declared on camera.",
    view=broadcasts_index,
    template="verification/console/broadcasts.html",
)


# --- the viewer age policy --------------------------------------------------------------------------------


def age_policy_index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.AgePolicyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            saved = staff_action(
                request,
                lambda: services.age_policy_set(
                    actor=actor,
                    region=data["region"],
                    method=data["method"],
                    reason=data["reason"],
                    ip=client_ip(request),
                ),
            )
            if saved is not None:
                messages.success(request, f"{saved.region}: {saved.get_method_display()}.")
                return HttpResponseRedirect("/staff/age-policy/")
        else:
            messages.error(request, "Give a region, a method and at most 300 characters of reason.")
    context = {"policies": selectors.age_policies(), "form": form}
    return render(request, "verification/console/age_policy.html", context, status=400 if form.errors else 200)


@require_POST
def age_policy_remove(request: HttpRequest, region: str) -> HttpResponse:
    actor = _actor(request)
    try:
        services.age_policy_remove(actor=actor, region=region, ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{region.upper()} removed: the country or default row applies there now.")
    return HttpResponseRedirect("/staff/age-policy/")


console_section(
    slug="age-policy",
    title="Viewer age policy",
    perm=Perm.AGE_POLICY_MANAGE,
    order=70,
    description="What viewers must pass before adult content, by country and region.",
    view=age_policy_index,
    template="verification/console/age_policy.html",
    routes=[path("<str:region>/remove", age_policy_remove, name="remove")],
)


# --- account recovery -------------------------------------------------------------------------------------


def recoveries_index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.StaffRecoveryForm(request.POST or None)
    started = None
    if request.method == "POST" and form.is_valid():
        started = staff_action(
            request,
            lambda: services.recovery_start(login=form.cleaned_data["login"], actor=actor, ip=client_ip(request)),
        )
        if started is not None:
            messages.success(request, f"Recovery started for {started.recovery.user.login}.")
    context = {"form": form, "started": started, "recoveries": selectors.recoveries(open_only=False, limit=50)}
    return render(request, "verification/console/recoveries.html", context)


@require_POST
def recovery_cancel(request: HttpRequest, recovery_id: str) -> HttpResponse:
    actor = _actor(request)
    if staff_action(request, lambda: services.recovery_cancel(actor=actor, recovery_id=recovery_id)) is not None:
        messages.success(request, "Recovery cancelled.")
    return HttpResponseRedirect("/staff/recoveries/")


console_section(
    slug="recoveries",
    title="Account recovery",
    perm=Perm.RECOVERY_START,
    order=75,
    description="Start an identity-checked recovery for a performer who lost password and two-factor.",
    view=recoveries_index,
    template="verification/console/recoveries.html",
    routes=[path("<str:recovery_id>/cancel", recovery_cancel, name="cancel")],
)


# --- the person page --------------------------------------------------------------------------------------


def _panel(subject: User, actor: User) -> dict[str, Any] | None:
    latest = selectors.latest_verification_of(subject)
    application = selectors.performer_application_of(subject)
    if latest is None and application is None and subject.role != "performer":
        return None
    return {
        "subject": subject,
        "standing": selectors.standing_of(subject.pk, now=timezone.now()),
        "latest": latest,
        "application": application,
        "can_review": role_has(actor.role, Perm.PERFORMER_REVIEW),
        "form": forms.ReverificationForm(),
    }


@require_POST
def reverification_request(request: HttpRequest, user_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PERFORMER_REVIEW)
    subject = access_user(actor, user_id, perm=Perm.PERFORMER_REVIEW)
    form = forms.ReverificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason and 1–365 days.")
    else:
        days = form.cleaned_data["days"]
        made = staff_action(
            request,
            lambda: services.reverification_request(
                user_id=subject.pk,
                source="staff",
                reason=form.cleaned_data["reason"],
                deadline=timezone.now() + timedelta(days=days),
                actor=actor,
                ip=client_ip(request),
            ),
        )
        if made is not None:
            messages.success(request, f"{subject.login} must verify again by {made.deadline:%Y-%m-%d}.")
    return HttpResponseRedirect(f"/staff/users/{subject.pk}/")


user_panel(
    key="verification",
    title="Identity verification",
    perm=Perm.VERIFICATION_STATUS_READ,
    template="verification/console/_panel.html",
    context=_panel,
    order=40,
)


console_section(
    slug="applications",
    title="Performer applications",
    perm=Perm.PERFORMER_REVIEW,
    order=20,
    description="Approve or reject people who applied to perform, and review identity documents.",
    view=applications_index,
    template="verification/console/applications.html",
    routes=[
        path("<str:application_id>/decide", application_decide, name="decide"),
        path("review/<str:verification_id>/", review, name="review"),
        path("review/<str:verification_id>/decide", review_decide, name="review-decide"),
        path("document/<str:document_id>/", document_viewer, name="document"),
        path("file/<str:token>", document_file, name="file"),
        path("reverify/<str:user_id>", reverification_request, name="reverify"),
    ],
    blurb=_applications_blurb,
)
