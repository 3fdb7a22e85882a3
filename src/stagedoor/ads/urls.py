from django.urls import URLPattern, URLResolver, path

from stagedoor.ads import views

app_name = "ads"

urlpatterns: list[URLPattern | URLResolver] = [
    path("ads/click/<str:token>", views.click, name="click"),
    path("ads/creative/<str:creative_id>.img", views.image, name="image"),
    path("ads/creative/<str:creative_id>/frame", views.frame, name="frame"),
    path("ads/report", views.report, name="report"),
]
