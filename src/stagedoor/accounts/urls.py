from django.urls import URLPattern, URLResolver, path

from stagedoor.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("account/security", views.security, name="security"),
    path("account/sessions/<str:session_id>/revoke", views.session_revoke, name="session-revoke"),
    path("account/sessions/revoke-others", views.sessions_end_others, name="sessions-revoke-others"),
    path("account/password", views.password_change, name="password-change"),
    path("account/passkeys/<str:passkey_id>/delete", views.passkey_delete, name="passkey-delete"),
]
