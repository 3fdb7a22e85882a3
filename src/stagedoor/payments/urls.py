from django.urls import path

from stagedoor.payments import views

urlpatterns = [
    path("pay/sandbox/<str:purchase_id>", views.sandbox_checkout, name="sandbox-checkout"),
]
