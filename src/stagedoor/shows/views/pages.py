"""Show pages: request, join, watch, the studio's show controls, statements."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
