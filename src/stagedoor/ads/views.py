"""Pages of ads: the click redirect, the banners themselves (an image, or an HTML5 banner's sandboxed document)
and the advertiser's report page."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from stagedoor.ads import errors, selectors, services
from stagedoor.ads.creatives import FRAME_CSP, frame_document
from stagedoor.ads.models import Creative
from stagedoor.core.middleware import client_ip

REPORT_DAYS = 90


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/message.html", {"title": "Ad not found", "message": message}, status=404)


@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Count the click (or refuse it: a bot, a prefetch, a flood from one address) and go to the advertiser."""
    try:
        result = services.click_record(
            raw_token=token,
            method=request.method or "GET",
            user_agent=request.headers.get("User-Agent", ""),
            ip=client_ip(request),
        )
    except errors.BadToken:
        return _not_found(request, "This ad link is not valid or has expired.")
    response = HttpResponseRedirect(result.url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _creative(creative_id: str, kind: str) -> Creative | None:
    try:
        creative = selectors.creative_by_id(creative_id)
    except errors.CreativeNotFound:
        return None
    return creative if creative.kind == kind else None


def image(request: HttpRequest, creative_id: str) -> HttpResponse:
    creative = _creative(creative_id, Creative.Kind.IMAGE)
    if creative is None:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    response = HttpResponse(bytes(creative.image), content_type=creative.image_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@xframe_options_sameorigin
def frame(request: HttpRequest, creative_id: str) -> HttpResponse:
    """An HTML5 banner alone, for a sandboxed iframe: its CSP loads nothing and runs nothing."""
    creative = _creative(creative_id, Creative.Kind.HTML5)
    if creative is None:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    response = HttpResponse(frame_document(creative.html, title=creative.alt_text), content_type="text/html")
    response["Content-Security-Policy"] = FRAME_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The advertiser's page: each campaign's status and budget, and the last 90 days by day and slot."""
    since = timezone.now().date() - dt.timedelta(days=REPORT_DAYS)
    try:
        mine = selectors.advertiser_report(request.user, since=since)
    except errors.NotAnAdvertiser as exc:
        return render(request, "ads/report.html", {"refusal": exc.message}, status=404)
    sections = []
    for advertiser, campaigns, rows in mine:
        ids = [c.pk for c in campaigns]
        sections.append(
            {
                "advertiser": advertiser,
                "campaigns": campaigns,
                "rows": rows,
                "totals": selectors.totals(ids, since=since),
            }
        )
    return render(request, "ads/report.html", {"sections": sections, "days": REPORT_DAYS})
