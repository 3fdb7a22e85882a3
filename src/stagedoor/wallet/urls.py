from django.urls import path

from stagedoor.wallet import views

urlpatterns = [
    path("earnings", views.earnings, name="earnings"),
    path("earnings.csv", views.earnings_csv, name="earnings-csv"),
    path("tip/<str:login>", views.tip_page, name="tip-page"),
]
