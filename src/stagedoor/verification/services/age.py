"""Viewer age assurance: the operator's policy table, and age checks at a vendor (estimation or ID).

Only the outcome of a check is kept (passed or failed, when, which method): no image, document or date of birth.
A pass is remembered per account (`AgeAssurance`) or, for a guest, in a signed cookie the page sets on return.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.verification import conf, errors
from stagedoor.verification.models import AgeAssurance, AgeCheck, AgeMethod, AgePolicy
from stagedoor.verification.services.verifications import invalid
from stagedoor.verification.vendors import AGE_ESTIMATION, base, vendor_get

REGION_RE = re.compile(r"^(\*|[A-Z]{2}|[A-Z]{2}-[A-Z0-9]{1,3})$")


def age_policy_set(*, actor: User, region: str, method: str, reason: str = "", ip: str = "") -> AgePolicy:
    region = (region or "").strip().upper()
    reason = " ".join((reason or "").split())
    fields: dict[str, list[str]] = {}
    if not REGION_RE.fullmatch(region):
        fields["region"] = ["Use * (everywhere else), a country (GB) or a subdivision (US-TX)."]
    if method not in AgeMethod.values:
        fields["method"] = [f"One of {', '.join(AgeMethod.values)}."]
    if len(reason) > 300:
        fields["reason"] = ["Use at most 300 characters."]
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    with transaction.atomic():
        before = AgePolicy.objects.select_for_update().filter(region=region).first()
        policy, _ = AgePolicy.objects.update_or_create(
            region=region, defaults={"method": method, "reason": reason, "updated_by": actor}
        )
        audit_record(
            actor=actor,
            action="verification.age_policy_set",
            target_type="verification.agepolicy",
            target_id=region,
            ip=ip,
            data={"region": region, "from": before.method if before else None, "to": method, "reason": reason},
        )
    return policy


def age_policy_remove(*, actor: User, region: str, ip: str = "") -> None:
    region = (region or "").strip().upper()
    if region == "*":
        raise invalid("region", "The default row (*) stays; change its method instead.")
    with transaction.atomic():
        deleted, _ = AgePolicy.objects.filter(region=region).delete()
        if not deleted:
            raise errors.AgeCheckNotFound("No policy row for that region.")
        audit_record(
            actor=actor,
            action="verification.age_policy_removed",
            target_type="verification.agepolicy",
            target_id=region,
            ip=ip,
            data={"region": region},
        )


def _vendor_for(method: str) -> str:
    if method == AgeMethod.AGE_ESTIMATION:
        return AGE_ESTIMATION if conf.age_vendor() is not None else ""
    if method == AgeMethod.ID_CHECK:
        return conf.id_check_vendor()
    return ""


def age_check_start(*, user: User | None, device_id: str, method: str) -> AgeCheck:
    """Open a check at the vendor for `method`; the viewer goes to `check.vendor_url`."""
    if method not in (AgeMethod.AGE_ESTIMATION, AgeMethod.ID_CHECK):
        raise invalid("method", "Age estimation or an ID check.")
    vendor = _vendor_for(method)
    adapter = vendor_get(vendor) if vendor else None
    if adapter is None:
        raise errors.AgeCheckUnavailable(extra={"method": method})
    check = AgeCheck.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        device_id="" if user is not None and user.is_authenticated else device_id[:40],
        method=method,
        vendor=vendor,
    )
    request = base.SessionRequest(reference=check.pk, return_url=f"{conf.base_url()}/age/return?check={check.pk}")
    try:
        session = adapter.session_create(request)
    except base.VendorError as exc:
        AgeCheck.objects.filter(pk=check.pk).update(vendor_error=str(exc)[:300])
        raise errors.VendorUnavailable(extra={"check_id": check.pk}) from None
    AgeCheck.objects.filter(pk=check.pk).update(vendor_session_id=session.session_id[:100], vendor_url=session.url)
    check.vendor_session_id, check.vendor_url = session.session_id[:100], session.url
    return check


def age_check_decided(*, check_id: str, passed: bool) -> AgeCheck:
    with transaction.atomic():
        check = AgeCheck.objects.select_for_update().get(pk=check_id)
        if check.status != AgeCheck.Status.STARTED:
            return check
        now = timezone.now()
        check.status = AgeCheck.Status.PASSED if passed else AgeCheck.Status.FAILED
        check.decided_at = now
        check.save(update_fields=["status", "decided_at"])
        if passed and check.user_id is not None:
            AgeAssurance.objects.create(
                user_id=check.user_id,
                method=check.method,
                passed_at=now,
                expires_at=now + timedelta(days=conf.age_remember_days()),
            )
    return check


def remember_until(now: Any) -> Any:
    return now + timedelta(days=conf.age_remember_days())
