from django.urls import path

from stagedoor.payments import views

urlpatterns = [
    path("wallet", views.wallet, name="wallet"),
    path("wallet/buy", views.wallet_buy, name="wallet-buy"),
    path("wallet/purchases/<str:purchase_id>/status", views.wallet_purchase_status, name="wallet-purchase-status"),
    path("pay/sandbox/<str:purchase_id>", views.sandbox_checkout, name="sandbox-checkout"),
]
