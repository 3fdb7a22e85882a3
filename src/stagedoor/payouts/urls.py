from django.urls import URLPattern, URLResolver, path

from stagedoor.payouts import views

app_name = "payouts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("studio/payout-method", views.payout_method_page, name="payout-method"),
    path("studio/payouts", views.payouts_page, name="payouts"),
]
