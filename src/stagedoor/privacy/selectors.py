"""Reads of privacy: a person's requests, the staff queue (nearest deadline first), holds."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.privacy import errors
from stagedoor.privacy.models import OPEN_STATUSES, LegalHold, PrivacyRequest, holds_in_force


def requests_of(user: User) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(user=user).order_by("-received_at")


def open_request_of(user: User, kind: str) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(user=user, kind=kind, status__in=OPEN_STATUSES).first()


def access_request(actor: User, request_id: str) -> PrivacyRequest:
    """A request its person or privacy staff may see (anyone else: not found)."""
    req = PrivacyRequest.objects.select_related("user").filter(pk=request_id).first()
    if req is None:
        raise errors.RequestNotFound()
    if req.user_id != actor.pk:
        require_perm(actor, Perm.PRIVACY_REQUESTS_MANAGE)
    return req


def request_queue(*, status: str = "open", limit: int = 200) -> list[PrivacyRequest]:
    """Staff queue: open requests with the nearest deadline first (closed ones: latest first)."""
    qs = PrivacyRequest.objects.select_related("user")
    if status == "open":
        return list(qs.filter(status__in=OPEN_STATUSES).order_by("due_at")[:limit])
    return list(qs.exclude(status__in=OPEN_STATUSES).order_by("-completed_at")[:limit])


def overdue_count() -> int:
    return PrivacyRequest.objects.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now()).count()


def open_count() -> int:
    return PrivacyRequest.objects.filter(status__in=OPEN_STATUSES).count()


def holds(*, active: bool = True, limit: int = 200) -> list[LegalHold]:
    qs = LegalHold.objects.select_related("user", "placed_by")
    qs = qs.filter(holds_in_force()) if active else qs.exclude(holds_in_force())
    return list(qs.order_by("-placed_at")[:limit])


def holds_of(user: User) -> list[LegalHold]:
    return list(LegalHold.objects.filter(user=user).filter(holds_in_force()).order_by("-placed_at"))
