"""The surveys banner every page shows a signed-in person with open surveys to answer
(`{% optional_include "analytics/_survey_banner.html" %}` in web/base.html)."""

from __future__ import annotations

from typing import Any

from django import template

from stagedoor.analytics.selectors import surveys as survey_selectors

register = template.Library()


@register.inclusion_tag("analytics/_survey_banner_inner.html", takes_context=True)
def survey_banner(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    on_surveys = request is not None and request.path.startswith("/surveys")
    count = survey_selectors.unanswered_count(user) if user is not None and not on_surveys else 0
    return {"count": count}
