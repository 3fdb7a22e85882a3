from django.urls import include, path

from stagedoor.web import console, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("enter", views.enter, name="enter"),
    path("legal/terms", views.legal_terms, name="terms"),
    path("signup", views.signup, name="signup"),
    path("login", views.login, name="login"),
    path("login/2fa", views.login_2fa, name="login-2fa"),
    path("logout", views.logout, name="logout"),
    path("account", views.account, name="account"),
    path("account/2fa/setup", views.mfa_setup, name="mfa-setup"),
    path("account/recovery-codes", views.recovery_codes, name="recovery-codes"),
    path("account/tokens", views.token_create, name="token-create"),
    path("account/tokens/<str:token_id>/revoke", views.token_revoke, name="token-revoke"),
    path("password/reset", views.password_reset, name="password-reset"),
    path("password/reset/<str:uid>/<str:token>", views.password_reset_confirm, name="password-reset-confirm"),
    path("staff/", include((console.urlpatterns(), "console"))),
]
