from django.urls import URLPattern, URLResolver, path

from stagedoor.privacy import views

app_name = "privacy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("account/privacy", views.privacy_page, name="page"),
    path("account/privacy/export", views.export_ask, name="export"),
    path("account/privacy/erasure", views.erasure_ask, name="erasure"),
    path("account/privacy/requests/<str:request_id>/cancel", views.request_cancel, name="cancel"),
    path("account/privacy/export/<str:token>", views.export_download, name="download"),
]
