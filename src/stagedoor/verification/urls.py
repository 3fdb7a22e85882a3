from django.urls import URLPattern, URLResolver, path

from stagedoor.verification import views

app_name = "verification"

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify", views.verify_page, name="verify"),
    path("verify/apply", views.verify_apply, name="apply"),
    path("verify/start", views.verify_start, name="start"),
    path("verify/restart", views.verify_restart, name="restart"),
    path("verify/<str:verification_id>/retry", views.verify_retry, name="retry"),
    path("verify/<str:verification_id>/documents", views.verify_documents, name="documents"),
    path("verify/recovery/<str:recovery_id>/cancel", views.recovery_cancel, name="recovery-cancel"),
    path("account/apply", views.account_apply_moved, name="apply-moved"),
    path("age", views.age_page, name="age"),
    path("age/check", views.age_check, name="age-check"),
    path("age/return", views.age_return, name="age-return"),
    path("studio/coperformers", views.coperformers_page, name="coperformers"),
    path("recover", views.recover_start, name="recover"),
    path("recover/return", views.recover_return, name="recover-return"),
    path("recover/<str:token>", views.recover_status, name="recover-status"),
]
