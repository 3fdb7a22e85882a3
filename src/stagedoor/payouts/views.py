"""Performer pages of payouts: /studio/payout-method (the method in force, masked; change it; its history) and
/studio/payouts (payout history, statements)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error
from stagedoor.core.middleware import client_ip
from stagedoor.payouts import forms, selectors, services
from stagedoor.payouts.files.ewallet import spreadsheet_safe


def _context(user: User, form: forms.PayoutMethodForm) -> dict[str, Any]:
    return {
        "form": form,
        "current": selectors.current_payout_method(user),
        "history": selectors.payout_method_history(user),
        "legal_name_known": bool(selectors.verified_legal_name(user)),
        "blockers": selectors.payout_blockers(user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def payout_method_page(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not role_has(user.role, Perm.PAYOUT_DETAILS_MANAGE):
        return render(
            request,
            "web/message.html",
            {"title": "Payout method", "message": "This page is for performers."},
            status=403,
        )
    if request.method == "GET":
        current = selectors.current_payout_method(user)
        initial = {"kind": current.kind, "holder_name": current.holder_name} if current else {}
        return render(request, "payouts/payout_method.html", _context(user, forms.PayoutMethodForm(initial=initial)))
    form = forms.PayoutMethodForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            method = services.payout_method_set(
                performer=user,
                kind=data["kind"],
                holder_name=data["holder_name"],
                fields={k: data[k] for k in ("iban", "bic", "email", "address")},
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"Payout method saved: {method.get_kind_display()} {method.masked}.")
            return HttpResponseRedirect("/studio/payout-method")
    return render(request, "payouts/payout_method.html", _context(user, form), status=422)


def _statement_range(request: HttpRequest) -> tuple[datetime, datetime]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (to exclusive); default: the last 30 days up to now."""
    now = timezone.now()

    def day(name: str) -> datetime | None:
        raw = request.GET.get(name, "")
        try:
            return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=UTC) if raw else None
        except ValueError:
            return None

    start = day("from") or (now - timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)
    end = day("to") or now
    if end <= start or end - start > timedelta(days=400):
        end = min(start + timedelta(days=30), now) if end <= start else start + timedelta(days=400)
    return start, end


@login_required
def payouts_page(request: HttpRequest) -> HttpResponse:
    """/studio/payouts: payout history and a statement for a period (earned → matured → reserved → paid), CSV too."""
    user = cast(User, request.user)
    if not role_has(user.role, Perm.PAYOUT_DETAILS_MANAGE):
        return render(
            request, "web/message.html", {"title": "Payouts", "message": "This page is for performers."}, status=403
        )
    start, end = _statement_range(request)
    statement = selectors.statement_of(user, start=start, end=end)
    if request.GET.get("format") == "csv":
        return _statement_csv(statement)
    return render(
        request,
        "payouts/payouts.html",
        {
            "statement": statement,
            "from": start.date().isoformat(),
            "to": end.date().isoformat(),
            "payouts": selectors.payouts_of(user),
            "current": selectors.current_payout_method(user),
            "blockers": selectors.payout_blockers(user),
        },
    )


def _statement_csv(statement: selectors.Statement) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["time_utc", "transfer_id", "kind", "account", "tokens", "run", "memo"])
    for line in statement.lines:
        writer.writerow(
            [
                line.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                line.transfer_id,
                line.kind,
                line.account,
                line.amount,
                line.run,
                spreadsheet_safe(line.memo),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"stagedoor-statement-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
