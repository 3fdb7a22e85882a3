"""Read-only Django admin views of verification (changes go through the services, which audit them). Identity
data and documents are not shown here: they are compliance's, in the staff console."""

from django.contrib import admin

from stagedoor.core.admin import ReadOnlyAdmin
from stagedoor.verification.models import AgePolicy, Broadcast, PerformerApplication, Verification, WebhookEvent

PERSONAL = ("legal_name", "date_of_birth", "country", "vendor_legal_name", "vendor_date_of_birth")


@admin.register(PerformerApplication)
class PerformerApplicationAdmin(ReadOnlyAdmin):
    list_display = ("stage_name", "user", "status", "created_at", "decided_at")
    list_filter = ("status",)
    exclude = ("legal_name", "date_of_birth", "country")


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "purpose", "method", "status", "created_at", "decided_at")
    list_filter = ("purpose", "method", "status")
    exclude = PERSONAL


@admin.register(AgePolicy)
class AgePolicyAdmin(ReadOnlyAdmin):
    list_display = ("region", "method", "updated_at")


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = ("stage_name", "performer", "started_at", "ended_at")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("vendor", "outcome", "session_id", "received_at")
    list_filter = ("vendor", "outcome")
