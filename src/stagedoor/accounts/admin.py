from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from stagedoor.accounts.models import User
from stagedoor.core.admin import ReadOnlyAdmin
from stagedoor.core.hashing import email_hash


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("login", "email", "display_name", "role", "mfa_enabled", "is_active", "date_joined")
    list_filter = ("role", "mfa_enabled", "is_active")
    search_fields = ("login", "display_name")  # and a whole e-mail address, by its keyed hash (below)
    exclude = ("password", "totp_secret", "email_hash")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:  # e-mail addresses are encrypted at rest: matched whole, by their keyed hash
            found = found | queryset.filter(email_hash=email_hash(search_term))
        return found, may_have_duplicates
