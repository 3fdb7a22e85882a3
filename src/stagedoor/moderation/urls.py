from django.urls import URLPattern, URLResolver, path

from stagedoor.moderation import views

app_name = "moderation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("report", views.report, name="report"),
    path("reports", views.my_reports, name="reports"),
    path("decisions", views.decisions, name="decisions"),
    path("decisions/<str:decision_id>/appeal", views.appeal, name="appeal"),
    path("studio/content-policy", views.studio_content_policy, name="studio-content-policy"),
    path("studio/chat-policy", views.studio_chat_policy, name="studio-chat-policy"),
]
