"""A performer sets their payout method: details checked (IBAN checksum, Bitcoin address, e-mail), the account
holder matched against the verified legal name, a new version written (the old one kept, `superseded_at`),
audited, announced on the outbox (the performer is mailed) and both names screened against the sanctions list."""

from __future__ import annotations

import json
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.payouts import conf, errors, events, selectors
from stagedoor.payouts.details import KINDS, DetailsProblem, clean_details
from stagedoor.payouts.models import PayoutMethod
from stagedoor.payouts.names import name_score
from stagedoor.payouts.services.sanctions import performer_screen

HOLDER_NAME_MAX = 120


def _field_error(field: str, message: str, cls: type[errors.PayoutDetailsInvalid] = errors.PayoutDetailsInvalid) -> Any:
    return cls(extra={"fields": {field: [message]}})


def payout_method_set(
    *, performer: User, kind: str, holder_name: str, fields: dict[str, str], ip: str = ""
) -> PayoutMethod:
    """Make `kind` with these details the performer's payout method. Unchanged details return the current version."""
    require_perm(performer, Perm.PAYOUT_DETAILS_MANAGE)
    if kind not in KINDS:
        raise _field_error("kind", "Choose bank transfer, e-wallet or crypto.")
    holder = " ".join((holder_name or "").split())
    if not holder:
        raise _field_error("holder_name", "Enter the account holder's name, as your bank or wallet shows it.")
    if len(holder) > HOLDER_NAME_MAX:
        raise _field_error("holder_name", f"The account holder's name has at most {HOLDER_NAME_MAX} characters.")
    try:
        cleaned = clean_details(kind, fields)
    except DetailsProblem as problem:
        raise _field_error(problem.field, problem.message) from None
    legal_name = selectors.verified_legal_name(performer)
    if not legal_name:
        raise errors.IdentityRequired()
    score = name_score(holder, legal_name)
    if score < conf.HOLDER_NAME_MIN_SCORE:
        # recorded (in its own transaction) before refusing, so staff can see why a change did not go through
        audit_record(
            actor=performer,
            action="payouts.method_refused",
            target=performer,
            ip=ip,
            data={"reason": "holder_name_mismatch", "kind": kind, "score": score, "needed": conf.HOLDER_NAME_MIN_SCORE},
        )
        raise errors.HolderNameMismatch(
            extra={
                "fields": {"holder_name": [errors.HolderNameMismatch.default_message]},
                "score": score,
                "needed": conf.HOLDER_NAME_MIN_SCORE,
            }
        )
    details_json = json.dumps(cleaned, sort_keys=True)
    with transaction.atomic():
        # lock the performer's row: two changes at once get consecutive versions, never two current ones
        User.objects.select_for_update().filter(pk=performer.pk).first()
        current = selectors.current_payout_method(performer)
        if (
            current is not None
            and current.kind == kind
            and current.holder_name == holder
            and current.details_dict == cleaned
        ):
            return current
        now = timezone.now()
        version = 1
        if current is not None:
            PayoutMethod.objects.filter(pk=current.pk).update(superseded_at=now)
            version = current.version + 1
        method = PayoutMethod.objects.create(
            performer=performer,
            version=version,
            kind=kind,
            holder_name=holder,
            details=details_json,
            name_score=score,
        )
        audit_record(
            actor=performer,
            action="payouts.method_changed",
            target=method,
            ip=ip,
            data={"version": version, "kind": kind, "masked": method.masked, "previous": current.pk if current else ""},
        )
        outbox_publish(
            topic=events.PAYOUT_METHOD_CHANGED,
            payload={
                "performer_id": str(performer.pk),
                "method_id": method.pk,
                "version": version,
                "kind": kind,
                "masked": method.masked,
            },
        )
        performer_screen(performer)
    return method


def payout_method_notify(*, method_id: str) -> bool:
    """Mail the performer that their payout details changed (the outbox handler calls it once per change)."""
    method = PayoutMethod.objects.select_related("performer").filter(pk=method_id).first()
    if method is None or not method.performer.email:
        return False
    performer = method.performer
    send_mail(
        "Stagedoor: your payout details changed",
        f"Hello {performer.shown_name},\n\nYour payout method was changed to {method.get_kind_display()} "
        f"({method.masked}) on {method.created_at:%Y-%m-%d %H:%M} UTC. Payouts already under way use the details "
        "that were current when they started.\n\nIf this was not you, sign in, change your password and contact "
        "support at once.\n",
        None,
        [performer.email],
    )
    return True
