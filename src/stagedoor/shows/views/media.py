"""WHIP/WHEP signalling: SDP in, SDP out; Stagedoor talks to the SFU on the browser's behalf."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
