"""Include from the root URLconf: ``path("", include("stagedoor.streaming.urls"))``."""

from django.urls import path, re_path

from . import views
from .playback import ROOM_RE, TOKEN_RE

urlpatterns = [
    re_path(
        rf"^live/(?P<token>{TOKEN_RE})/(?P<room>{ROOM_RE})/(?P<file>[A-Za-z0-9_./-]+)$",
        views.media_file,
        name="streaming-media",
    ),
    path("_media_auth", views.media_auth, name="streaming-media-auth"),
    re_path(rf"^thumbs/(?P<room>{ROOM_RE})\.jpg$", views.thumbnail, name="streaming-thumbnail"),
]
