from functools import partial

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from ninja.openapi.views import openapi_view

from stagedoor.api import api
from stagedoor.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("api/docs", partial(openapi_view, api=api), name="api-docs"),
    path("api/v1/", api.urls),
    # Staff sign in through the site's login (password + two-factor), never a second form.
    path("admin/login/", RedirectView.as_view(url="/login?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    path("", include("stagedoor.streaming.urls")),
    path("", include("stagedoor.rooms.urls")),
    path("", include("stagedoor.wallet.urls")),
    path("", include("stagedoor.payments.urls")),
    path("", include("stagedoor.moderation.urls")),
    path("", include("stagedoor.verification.urls")),
    path("", include("stagedoor.shows.urls")),
    path("", include("stagedoor.fans.urls")),
    path("", include("stagedoor.payouts.urls")),
    path("", include("stagedoor.analytics.urls")),
    path("", include("stagedoor.affiliates.urls")),
    path("", include("stagedoor.support.urls")),
    path("", include("stagedoor.ads.urls")),
    path("", include("stagedoor.notifications.urls")),
    path("", include("stagedoor.privacy.urls")),
    path("", include("stagedoor.community.urls")),
    path("", include("stagedoor.webhooks.urls")),
    path("", include("stagedoor.accounts.urls")),
    path("", include("stagedoor.web.urls")),
]

# Error pages in the site's design, each with a way back (500 renders without touching the database).
handler403 = "stagedoor.web.views.permission_denied"
handler404 = "stagedoor.web.views.page_not_found"
handler500 = "stagedoor.web.views.server_error"
