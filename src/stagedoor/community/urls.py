from django.urls import URLPattern, URLResolver, path

from stagedoor.community import views

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    path("events", views.events, name="events"),
    path("events/<slug:slug>", views.event, name="event"),
    path("contests/<slug:slug>", views.contest, name="contest"),
    path("u/<str:login>", views.profile, name="profile"),
    path("studio/community/event", views.studio_event, name="studio-event"),
    path("studio/community/contest", views.studio_contest, name="studio-contest"),
]
