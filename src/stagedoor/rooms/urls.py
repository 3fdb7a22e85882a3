from django.urls import path

from stagedoor.rooms import views

urlpatterns = [
    path("r/<slug:slug>", views.room_page, name="room"),
    path("studio", views.studio, name="studio"),
]
