"""Staff console section "Payout runs" (finance): the runs, newest period first; make the run of the last period;
a run's page with its lines (held for review, blocked and failed first), approve (two different people above the
four-eyes total), send, cancel, release or keep a held line, record outcomes, read the bank's reports, download the
files. Every button goes through the payouts services, which audit it."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.middleware import client_ip
from stagedoor.payouts import conf, selectors, services
from stagedoor.payouts.models import PayoutItem

BASE = "/staff/payouts/"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def runs_index(request: HttpRequest) -> HttpResponse:
    return render(request, "payouts/console/runs.html", {"runs": selectors.runs_recent()})


@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    made = staff_action(request, lambda: services.payout_run_create(actor=actor, ip=client_ip(request)))
    if made is None:
        return HttpResponseRedirect(BASE)
    run, created = made
    messages.success(request, "Run made." if created else "This period's run was already made: here it is.")
    return HttpResponseRedirect(f"{BASE}runs/{run.pk}/")


def run_page(request: HttpRequest, run_id: str) -> HttpResponse:
    run = selectors.access_run(_actor(request), run_id)
    status = request.GET.get("status", "")
    if status not in PayoutItem.Status.values:
        status = ""
    return render(
        request,
        "payouts/console/run.html",
        {
            "run": run,
            "items": selectors.run_items(run, status=status),
            "counts": selectors.run_counts(run),
            "approvers": selectors.run_approvers(run),
            "files": list(run.files.order_by("kind")),
            "status": status,
            "statuses": PayoutItem.Status.choices,
        },
    )


def _back(run_id: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{BASE}runs/{run_id}/")


@require_POST
def run_approve(request: HttpRequest, run_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    run = staff_action(request, lambda: services.payout_run_approve(actor=actor, run_id=run_id, ip=client_ip(request)))
    if run is not None:
        messages.success(request, f"Approved ({run.get_status_display()}).")
    return _back(run_id)


@require_POST
def run_send(request: HttpRequest, run_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    run = staff_action(request, lambda: services.payout_run_send(actor=actor, run_id=run_id, ip=client_ip(request)))
    if run is not None:
        messages.success(request, f"Sent: {run.get_status_display()}.")
    return _back(run_id)


@require_POST
def run_cancel(request: HttpRequest, run_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    reason = request.POST.get("reason", "")[:2000]
    run = staff_action(
        request, lambda: services.payout_run_cancel(actor=actor, run_id=run_id, reason=reason, ip=client_ip(request))
    )
    if run is not None:
        messages.success(request, "Cancelled: every line went back to earnings.")
    return _back(run_id)


@require_POST
def item_review(request: HttpRequest, run_id: str, item_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    release = request.POST.get("decision") == "release"
    reason = request.POST.get("reason", "")[:2000]
    item = staff_action(
        request,
        lambda: services.payout_item_review(
            actor=actor, item_id=item_id, release=release, reason=reason, ip=client_ip(request)
        ),
    )
    if item is not None:
        messages.success(request, "Released into this run." if release else "Kept held: its tokens stay in earnings.")
    return _back(run_id)


@require_POST
def items_mark(request: HttpRequest, run_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    ids = request.POST.getlist("item")[:5000]
    if not ids:
        messages.error(request, "Tick the lines first.")
        return _back(run_id)
    result = staff_action(
        request,
        lambda: services.payout_items_mark(
            actor=actor,
            run_id=run_id,
            item_ids=ids,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", "")[:200],
            ip=client_ip(request),
        ),
    )
    if result is not None:
        messages.success(
            request, f"Recorded: {result.applied or 'nothing changed'}; unchanged {len(result.unchanged)}."
        )
    return _back(run_id)


@require_POST
def report_upload(request: HttpRequest) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PAYOUTS_MANAGE)
    upload = request.FILES.get("report")
    kind = "return" if request.POST.get("kind") == "return" else "status"
    if upload is None or upload.size is None or upload.size > conf.MAX_REPORT_BYTES:
        messages.error(request, "Choose the bank's XML file (at most 20 MB).")
        return HttpResponseRedirect(BASE)
    content = upload.read()
    result = staff_action(
        request, lambda: services.payout_report_apply(actor=actor, content=content, kind=kind, ip=client_ip(request))
    )
    if result is not None:
        messages.success(
            request, f"Report read: {result.applied or 'nothing new'}; already recorded {len(result.unchanged)}."
        )
    return HttpResponseRedirect(BASE)


def file_download(request: HttpRequest, run_id: str, file_id: str) -> HttpResponse:
    found = selectors.run_file(_actor(request), run_id, file_id)
    kind = "application/xml" if found.filename.endswith(".xml") else "text/csv"
    response = HttpResponse(found.content.encode("utf-8"), content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    audit_record(
        actor=_actor(request),
        action="payouts.file_downloaded",
        target_type="payouts.file",
        target_id=found.pk,
        ip=client_ip(request),
        data={"run": run_id, "filename": found.filename, "sha256": found.sha256},
    )
    return response


def _blurb(actor: object) -> str:
    runs = selectors.runs_recent(limit=5)
    waiting = sum(1 for r in runs if r.status == "awaiting_approval")
    return f"{waiting} awaiting approval" if waiting else "none waiting"


console_section(
    slug="payouts",
    title="Payout runs",
    perm=Perm.PAYOUTS_MANAGE,
    order=62,
    description="Make the week's payout run, review held payouts, approve (four-eyes), send files, reconcile.",
    view=runs_index,
    template="payouts/console/runs.html",
    routes=[
        path("runs/new", run_create, name="run-create"),
        path("runs/<str:run_id>/", run_page, name="run"),
        path("runs/<str:run_id>/approve", run_approve, name="run-approve"),
        path("runs/<str:run_id>/send", run_send, name="run-send"),
        path("runs/<str:run_id>/cancel", run_cancel, name="run-cancel"),
        path("runs/<str:run_id>/items/<str:item_id>/review", item_review, name="item-review"),
        path("runs/<str:run_id>/outcomes", items_mark, name="items-mark"),
        path("runs/<str:run_id>/files/<str:file_id>", file_download, name="file"),
        path("reports", report_upload, name="report"),
    ],
    blurb=_blurb,
)
