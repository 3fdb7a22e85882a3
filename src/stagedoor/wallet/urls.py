from django.urls import include, path

from stagedoor.wallet import views

urlpatterns = [
    path("wallet", views.wallet, name="wallet"),
    path("wallet/buy", views.wallet_buy, name="wallet-buy"),
    path("earnings", views.earnings, name="earnings"),
    path("earnings.csv", views.earnings_csv, name="earnings-csv"),
    path("tip/<str:login>", views.tip_page, name="tip-page"),
    path("", include("stagedoor.payments.urls")),
]
