"""The site's URLs plus two that fail on purpose, for the 403 and 500 page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from stagedoor.urls import handler403, handler404, handler500
from stagedoor.urls import urlpatterns as site_urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, on purpose")


urlpatterns = [path("test/forbidden", forbidden), path("test/broken", broken), *site_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
