"""For tests and benchmarks only: give performers an approved identity without going through a vendor or a
reviewer (the way `make_user` gives accounts a password). Production code never imports this."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from stagedoor.verification.models import Method, PerformerStanding, Verification


def give_approved_identity(users: Any | Iterable[Any], *, document_expires_on: date | None = None) -> None:
    """An approved verification and a standing for each user (two bulk inserts for many)."""
    people = list(users) if isinstance(users, Iterable) and not hasattr(users, "pk") else [users]
    now = timezone.now()
    verifications = [
        Verification(
            user_id=u.pk,
            purpose=Verification.Purpose.ONBOARDING,
            method=Method.MANUAL,
            status=Verification.Status.APPROVED,
            legal_name=f"Test Person {u.login}",
            date_of_birth="1990-01-01",
            country="NL",
            decided_at=now,
            decided_by_label="test fixture",
            document_expires_on=document_expires_on,
        )
        for u in people
    ]
    Verification.objects.bulk_create(verifications)
    PerformerStanding.objects.bulk_create(
        [
            PerformerStanding(user_id=u.pk, verification=v, verified_at=now, document_expires_on=document_expires_on)
            for u, v in zip(people, verifications, strict=True)
        ]
    )
