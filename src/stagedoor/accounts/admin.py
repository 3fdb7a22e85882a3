from django.contrib import admin

from stagedoor.accounts.models import User
from stagedoor.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("login", "email", "display_name", "role", "mfa_enabled", "is_active", "date_joined")
    list_filter = ("role", "mfa_enabled", "is_active")
    search_fields = ("login", "email", "display_name")
    exclude = ("password", "totp_secret")
