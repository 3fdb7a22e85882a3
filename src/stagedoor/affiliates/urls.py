from django.urls import URLPattern, URLResolver, path

from stagedoor.affiliates import views

app_name = "affiliates"

urlpatterns: list[URLPattern | URLResolver] = [
    path("ref/<str:code>", views.referral_redirect, name="redirect"),
    path("affiliates", views.dashboard, name="dashboard"),
    path("affiliates/open", views.open_account, name="open"),
    path("affiliates/links", views.link_add, name="link-add"),
    path("affiliates/postback", views.postback_settings, name="postback"),
]
