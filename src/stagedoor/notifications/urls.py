from django.urls import URLPattern, URLResolver, path

from stagedoor.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("schedule", views.schedule, name="schedule"),
    path("account/notifications", views.preferences, name="preferences"),
    path("account/notifications/devices/<str:device_id>/remove", views.device_remove, name="device-remove"),
    path("notifications/sw.js", views.service_worker, name="service-worker"),
]
