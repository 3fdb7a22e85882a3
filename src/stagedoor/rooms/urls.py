from django.urls import path

from stagedoor.rooms import views

urlpatterns = [
    path("r/<slug:slug>", views.room_page, name="room"),
    path("studio", views.studio, name="studio"),
    path("studio/schedule", views.studio_schedule_add, name="studio-schedule-add"),
    path("studio/schedule/<str:show_id>/remove", views.studio_schedule_remove, name="studio-schedule-remove"),
]
