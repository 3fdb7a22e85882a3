from django.urls import URLPattern, URLResolver, path

from stagedoor.support import views

app_name = "support"

urlpatterns: list[URLPattern | URLResolver] = [
    path("help", views.help_centre, name="help"),
    path("help/<slug:slug>", views.help_article, name="article"),
    path("support/new", views.ticket_new, name="new"),
    path("support/tickets", views.my_tickets, name="tickets"),
    path("support/tickets/<str:ticket_id>", views.ticket_page, name="ticket"),
    path("support/t/<str:token>", views.ticket_guest_page, name="guest-ticket"),
    path("support/survey/<str:token>", views.survey_page, name="survey"),
    path("support/attachments/<str:attachment_id>", views.attachment, name="attachment"),
]
