"""Broadcasts: each time on air, who was declared on it, and the record holds that follow an appearance."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from stagedoor.accounts.models import User
from stagedoor.verification import conf
from stagedoor.verification.models import Broadcast, CoPerformer, RecordsHold
from stagedoor.verification.selectors import add_years


def broadcast_open(*, room_id: str, performer_id: str, at: datetime) -> Broadcast:
    """The room went on air: a broadcast with the co-performers declared now. Idempotent per open broadcast."""
    with transaction.atomic():
        existing = Broadcast.objects.select_for_update().filter(room_id=room_id, ended_at__isnull=True).first()
        if existing is not None:
            return existing
        performer = User.objects.get(pk=performer_id)
        declared = list(
            CoPerformer.objects.filter(owner_id=performer_id, declared=True, removed_at__isnull=True).order_by(
                "stage_name"
            )
        )
        broadcast = Broadcast.objects.create(
            room_id=room_id,
            performer=performer,
            stage_name=performer.shown_name[:60],
            started_at=at,
            declared=[{"id": c.pk, "stage_name": c.stage_name, "account": c.account_id} for c in declared],
        )
        broadcast.coperformers.set(declared)
    return broadcast


def _hold(*, at: datetime, user_id: str | None = None, coperformer_id: str | None = None) -> None:
    retain = add_years(at, conf.records_years())
    lookup = {"user_id": user_id} if user_id else {"coperformer_id": coperformer_id}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                hold = RecordsHold.objects.select_for_update().filter(**lookup).first()
                if hold is None:
                    RecordsHold.objects.create(
                        **lookup, legal_basis=conf.LEGAL_BASIS, last_appearance_at=at, retain_until=retain
                    )
                elif hold.last_appearance_at < at:
                    hold.last_appearance_at, hold.retain_until = at, retain
                    hold.legal_basis = conf.LEGAL_BASIS
                    hold.save(update_fields=["last_appearance_at", "retain_until", "legal_basis", "updated_at"])
            return
        except IntegrityError:  # created concurrently: update it instead
            continue


def broadcast_close(*, room_id: str, at: datetime) -> Broadcast | None:
    """The room went offline: the broadcast ends, and everyone on it is held for inspection from now."""
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().filter(room_id=room_id, ended_at__isnull=True).first()
        if broadcast is None:
            return None
        broadcast.ended_at = at
        broadcast.save(update_fields=["ended_at"])
        _hold(at=at, user_id=broadcast.performer_id)
        for coperformer in broadcast.coperformers.all():
            if coperformer.account_id:
                _hold(at=at, user_id=coperformer.account_id)
            _hold(at=at, coperformer_id=coperformer.pk)
    return broadcast
