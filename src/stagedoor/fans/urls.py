from django.urls import URLPattern, URLResolver

app_name = "fans"

urlpatterns: list[URLPattern | URLResolver] = []
