from django.urls import path

from stagedoor.wallet import views

urlpatterns = [
    path("earnings", views.earnings, name="earnings"),
    path("earnings.csv", views.earnings_csv, name="earnings-csv"),
    path("tip/<str:login>", views.tip_page, name="tip-page"),
    path("studio/tip-menu", views.studio_menu_add, name="studio-menu-add"),
    path("studio/tip-menu/<str:item_id>", views.studio_menu_item, name="studio-menu-item"),
    path("studio/goals", views.studio_goal_add, name="studio-goal-add"),
    path("studio/goals/<str:goal_id>", views.studio_goal_item, name="studio-goal-item"),
]
