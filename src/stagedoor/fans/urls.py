from django.urls import URLPattern, URLResolver, path

from stagedoor.fans import views

app_name = "fans"

urlpatterns: list[URLPattern | URLResolver] = [
    path("studio/fan-club", views.studio_club, name="studio-club"),
    path("studio/fan-club/posts", views.studio_post, name="studio-post"),
    path("fans/<str:performer_id>/join", views.club_join, name="join"),
    path("fans/<str:performer_id>/feed", views.feed, name="feed"),
    path("fans/<str:performer_id>/message", views.message_start, name="message-start"),
    path("fans/media/<str:media_id>", views.media, name="media"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<str:thread_id>", views.thread, name="thread"),
]
