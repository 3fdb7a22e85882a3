from django.urls import URLPattern, URLResolver

app_name = "shows"

urlpatterns: list[URLPattern | URLResolver] = []
