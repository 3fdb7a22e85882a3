from django.urls import URLPattern, URLResolver, path

from stagedoor.webhooks import views

app_name = "webhooks"

urlpatterns: list[URLPattern | URLResolver] = [
    path("studio/webhooks", views.studio_endpoints, name="studio"),
    path("studio/webhooks/deliveries/<str:delivery_id>", views.studio_delivery, name="studio-delivery"),
    path("studio/webhooks/<str:endpoint_id>", views.studio_endpoint, name="studio-endpoint"),
    path("studio/webhooks/<str:endpoint_id>/<str:action>", views.studio_endpoint_action, name="studio-endpoint-action"),
]
