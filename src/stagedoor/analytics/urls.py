from django.urls import URLPattern, URLResolver, path

from stagedoor.analytics import views

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("studio/dashboard", views.studio_dashboard, name="studio-dashboard"),
    path("studio/dashboard.csv", views.studio_dashboard_csv, name="studio-dashboard-csv"),
    path("surveys", views.surveys, name="surveys"),
    path("surveys/<str:survey_id>", views.survey, name="survey"),
]
