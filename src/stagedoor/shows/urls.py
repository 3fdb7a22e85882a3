from django.urls import URLPattern, URLResolver

from stagedoor.shows.views import media, pages

app_name = "shows"

urlpatterns: list[URLPattern | URLResolver] = [*pages.urlpatterns, *media.urlpatterns]
