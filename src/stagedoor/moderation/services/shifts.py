"""Moderators' shifts and exposure: a shift starts with the first case a moderator takes or opens; opening a graphic
case and revealing one of its media items are counted (once per item per shift); breaks and the end of a shift
are recorded."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.moderation import selectors
from stagedoor.moderation.errors import CaseNotFound, ExposureCapReached
from stagedoor.moderation.models import Case, Exposure, ModeratorShift


def shift_current(*, moderator: Any) -> ModeratorShift:
    """The moderator's shift under way, or a new one (an expired one is closed at its full length first)."""
    shift = selectors.shift_open(moderator)
    if shift is not None:
        return shift
    now = timezone.now()
    with transaction.atomic():
        stale = ModeratorShift.objects.select_for_update().filter(moderator=moderator, ended_at__isnull=True)
        for old in stale:
            old.ended_at = now
            old.save(update_fields=["ended_at"])
        try:
            with transaction.atomic():
                return ModeratorShift.objects.create(moderator=moderator, started_at=now)
        except IntegrityError:  # a second tab started it at the same moment
            found = selectors.shift_open(moderator)
            if found is None:
                raise
            return found


def exposure_view_record(*, moderator: Any, case: Case) -> None:
    """Opening a graphic case's page counts as viewed (blurred), once per case per shift."""
    if not case.graphic:
        return
    shift = shift_current(moderator=moderator)
    Exposure.objects.get_or_create(shift=shift, case=case, kind=Exposure.Kind.VIEWED, item="")


def exposure_reveal_record(*, moderator: Any, case_id: str, item: str, ip: str = "") -> bool:
    """Reveal one media item of a case on purpose: counted against a graphic case's cap and audited. Returns
    True when this reveal is new this shift. Past the cap, a graphic item stays blurred (ExposureCapReached)."""
    require_perm(moderator, Perm.MODERATION_REVIEW)
    case = Case.objects.filter(pk=case_id).first()
    if case is None or selectors.evidence_frame_path(case, item) is None:
        raise CaseNotFound("No such media item in this case.")
    if selectors.has_revealed(moderator, case, item):
        return False
    if case.graphic and selectors.exposure_cap_reached(moderator):
        raise ExposureCapReached()
    shift = shift_current(moderator=moderator)
    with transaction.atomic():
        _, created = Exposure.objects.get_or_create(shift=shift, case=case, kind=Exposure.Kind.REVEALED, item=item)
        if created:
            audit_record(actor=moderator, action="moderation.media_revealed", target=case, ip=ip, data={"item": item})
    return created


def shift_break_record(*, moderator: Any, ip: str = "") -> ModeratorShift:
    """The moderator took a break: the break prompt starts counting again."""
    shift = shift_current(moderator=moderator)
    shift.last_break_at = timezone.now()
    shift.save(update_fields=["last_break_at"])
    audit_record(actor=moderator, action="moderation.shift_break", target=shift, ip=ip)
    return shift


def shift_end(*, moderator: Any, ip: str = "") -> ModeratorShift | None:
    """End the shift under way (the exposure count starts again with the next one)."""
    shift = selectors.shift_open(moderator)
    if shift is None:
        return None
    shift.ended_at = timezone.now()
    shift.save(update_fields=["ended_at"])
    audit_record(actor=moderator, action="moderation.shift_ended", target=shift, ip=ip)
    return shift
