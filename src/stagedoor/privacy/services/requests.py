"""Data-subject requests: export (access and portability) and erasure, from the person or entered by staff.

Export: a job collects every app's data (`core.privacy_registry` exporters) into a ZIP, stores it encrypted
and e-mails a single-use link that expires (`export_link_hours`). Erasure: waits out a grace period the person
may cancel in, then runs every app's eraser once (one `ErasureStep` per app, so a crashed run resumes and a
second run changes nothing); an account under a legal hold is not erased until the hold ends.
"""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core import jobs
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.core.privacy_registry import EraseContext, ExportData, erasers, exporters
from stagedoor.privacy import errors, events
from stagedoor.privacy.models import (
    OPEN_STATUSES,
    ErasureStep,
    ExportFile,
    PrivacyRequest,
    RequestKind,
    RequestSource,
    RequestStatus,
    StepStatus,
)
from stagedoor.privacy.services.archive import build_archive
from stagedoor.privacy.services.common import conf, current_holds, sha256_hex

log = logging.getLogger("stagedoor.privacy")

EXPORT_SALT = "stagedoor.privacy.export"
ACCOUNTS_LAST = "accounts"  # the account row is pseudonymised after every other app had the real one to match


def _payload(req: PrivacyRequest) -> events.RequestPayload:
    return {"request_id": req.pk, "user_id": str(req.user_id), "kind": req.kind}


def tombstone_of(user_id: str) -> str:
    return f"erased_{user_id[-12:].lower()}"


def _open_request(user: User, kind: str) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(user=user, kind=kind, status__in=OPEN_STATUSES).first()


def _create(
    *, user: User, kind: str, source: str, actor: Any, verification_note: str = "", ip: str = ""
) -> PrivacyRequest:
    now = timezone.now()
    cfg = conf()
    existing = _open_request(user, kind)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            req = PrivacyRequest.objects.create(
                user=user,
                kind=kind,
                source=source,
                status=RequestStatus.PENDING if kind == RequestKind.ERASURE else RequestStatus.RUNNING,
                received_at=now,
                due_at=now + timedelta(days=cfg.request_days),
                run_after=now + timedelta(days=cfg.erasure_grace_days) if kind == RequestKind.ERASURE else None,
                verified_by=actor if source == RequestSource.EMAIL else None,
                verification_note=verification_note,
            )
            audit_record(
                actor=actor,
                action=f"privacy.{kind}_requested",
                target=req,
                ip=ip,
                data={"user_id": str(user.pk), "source": source, "due_at": req.due_at.isoformat()},
            )
            outbox_publish(topic=events.REQUEST_RECEIVED, payload=_payload(req))
            if kind == RequestKind.EXPORT:
                transaction.on_commit(lambda: jobs.enqueue("privacy.export", req.pk))
    except IntegrityError:
        # the same person asked twice at once: the other request won
        found = _open_request(user, kind)
        if found is None:
            raise
        return found
    return req


def export_request(*, user: User, ip: str = "") -> PrivacyRequest:
    """The person asks for their data. Asking again while one is open returns that one."""
    return _create(user=user, kind=RequestKind.EXPORT, source=RequestSource.ACCOUNT, actor=user, ip=ip)


def erasure_request(*, user: User, ip: str = "") -> PrivacyRequest:
    """The person asks for their account to be erased; it runs after the grace period unless cancelled."""
    return _create(user=user, kind=RequestKind.ERASURE, source=RequestSource.ACCOUNT, actor=user, ip=ip)


def staff_request_create(*, actor: User, user: User, kind: str, verification_note: str, ip: str = "") -> PrivacyRequest:
    """A request received by e-mail, after staff verified that the sender is the account's holder."""
    note = (verification_note or "").strip()
    if len(note) < 10 or len(note) > 2000:
        raise errors.VerificationRequired()
    if kind not in RequestKind.values:
        raise errors.VerificationRequired(
            "Choose export or erasure.", extra={"fields": {"kind": ["Choose export or erasure."]}}
        )
    return _create(user=user, kind=kind, source=RequestSource.EMAIL, actor=actor, verification_note=note, ip=ip)


def request_cancel(*, actor: User, request_id: str, ip: str = "") -> PrivacyRequest:
    """The person (or staff on their behalf) cancels an erasure still in its grace period."""
    with transaction.atomic():
        req = PrivacyRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None or (req.user_id != actor.pk and not actor.is_platform_staff):
            raise errors.RequestNotFound()
        if req.status != RequestStatus.PENDING:
            raise errors.RequestNotCancellable()
        req.status = RequestStatus.CANCELLED
        req.completed_at = timezone.now()
        req.outcome = "Cancelled before the grace period ended; nothing was erased."
        req.save(update_fields=["status", "completed_at", "outcome"])
        audit_record(actor=actor, action="privacy.request_cancelled", target=req, ip=ip, data={"kind": req.kind})
        outbox_publish(topic=events.REQUEST_CANCELLED, payload=_payload(req))
    return req


# --- export -------------------------------------------------------------------------------------


def collect(user: User) -> dict[str, ExportData]:
    return {label: fn(user) for label, fn in exporters().items()}


def export_link(token: str) -> str:
    from django.conf import settings

    return f"{settings.STAGEDOOR.base_url.rstrip('/')}/account/privacy/export/{token}"


def export_run(*, request_id: str, now: datetime | None = None) -> str | None:
    """Build the archive of one export request and e-mail its link. Returns the link's token (None when the
    request is not an open export). Idempotent: a finished request is left alone."""
    now = now or timezone.now()
    req = PrivacyRequest.objects.select_related("user").filter(pk=request_id, kind=RequestKind.EXPORT).first()
    if req is None or req.status not in (RequestStatus.RUNNING, RequestStatus.FAILED):
        return None
    user = req.user
    data = collect(user)
    archive = build_archive(login=user.login, user_id=str(user.pk), made=now, data=data)
    token = signing.dumps({"r": req.pk, "n": secrets.token_urlsafe(16)}, salt=EXPORT_SALT)
    expires = now + timedelta(hours=conf().export_link_hours)
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().get(pk=req.pk)
        if locked.status not in (RequestStatus.RUNNING, RequestStatus.FAILED):
            return None
        ExportFile.objects.filter(request=locked).delete()
        ExportFile.objects.create(
            request=locked,
            token_hash=sha256_hex(token),
            content=base64.b64encode(archive).decode(),
            size=len(archive),
            created_at=now,
            expires_at=expires,
        )
        tables = sum(len(t) for t in data.values())
        locked.status = RequestStatus.DONE
        locked.started_at = locked.started_at or now
        locked.completed_at = now
        locked.outcome = (
            f"Archive of {tables} tables from {len(data)} parts of the site; "
            f"link valid until {expires:%Y-%m-%d %H:%M} UTC."
        )
        locked.save(update_fields=["status", "started_at", "completed_at", "outcome"])
        audit_record(
            actor=None,
            action="privacy.export_ready",
            target=locked,
            data={"user_id": str(user.pk), "apps": sorted(data), "bytes": len(archive)},
        )
        outbox_publish(topic=events.REQUEST_COMPLETED, payload=_payload(locked))
        link = export_link(token)
        transaction.on_commit(
            lambda: send_mail(
                "Stagedoor: your data is ready",
                f"Hello {user.shown_name},\n\nThe copy of your data you asked for is ready. Download it once, "
                f"signed in to your account, before {expires:%Y-%m-%d %H:%M} UTC:\n\n{link}\n\n"
                "The link works once. If you did not ask for this, sign in and change your password.\n",
                None,
                [user.email],
            )
        )
    return token


def export_download(*, user: User, token: str, now: datetime | None = None) -> bytes:
    """The ZIP behind a link, once, for the person it was made for; the stored copy is wiped as it is read."""
    now = now or timezone.now()
    try:
        signing.loads(token, salt=EXPORT_SALT)
    except signing.BadSignature:
        raise errors.ExportLinkInvalid() from None
    with transaction.atomic():
        found = (
            ExportFile.objects.select_for_update()
            .select_related("request")
            .filter(token_hash=sha256_hex(token), request__user=user)
            .first()
        )
        if found is None or found.downloaded_at is not None or found.expires_at <= now or not found.content:
            raise errors.ExportLinkInvalid()
        data = base64.b64decode(found.content)
        found.downloaded_at = now
        found.content = ""
        found.purged_at = now
        found.save(update_fields=["downloaded_at", "content", "purged_at"])
        audit_record(actor=user, action="privacy.export_downloaded", target=found.request, data={"bytes": len(data)})
    return data


def exports_purge(*, now: datetime | None = None) -> int:
    """Wipe the stored archives whose links expired unused."""
    now = now or timezone.now()
    return ExportFile.objects.filter(expires_at__lte=now, purged_at__isnull=True).update(content="", purged_at=now)


# --- erasure ------------------------------------------------------------------------------------


def _erasure_order() -> list[str]:
    labels = [label for label in erasers() if label != ACCOUNTS_LAST]
    return [*labels, ACCOUNTS_LAST] if ACCOUNTS_LAST in erasers() else labels


def erasure_run(*, request_id: str, now: datetime | None = None) -> PrivacyRequest:
    """Run every app's eraser not yet run for this request. Idempotent and resumable."""
    now = now or timezone.now()
    req = PrivacyRequest.objects.select_related("user").get(pk=request_id)
    if req.kind != RequestKind.ERASURE or req.status in (RequestStatus.DONE, RequestStatus.CANCELLED):
        return req
    holds = current_holds(now=now)
    hold = holds.by_user.get(str(req.user_id))
    if hold is not None:
        # the whole account is held: nothing is erased until the hold is released or expires
        PrivacyRequest.objects.filter(pk=req.pk).update(
            last_error=f"deferred: legal hold {hold.pk} in force", run_after=hold.expires_at or req.run_after
        )
        req.refresh_from_db()
        return req
    PrivacyRequest.objects.filter(pk=req.pk).update(
        status=RequestStatus.RUNNING, started_at=req.started_at or now, attempts=req.attempts + 1
    )
    ctx = EraseContext(user=req.user, tombstone=tombstone_of(str(req.user_id)), held=False, held_refs=holds.refs)
    done = set(ErasureStep.objects.filter(request=req).values_list("app_label", flat=True))
    registry = erasers()
    for label in _erasure_order():
        if label in done:
            continue
        try:
            with transaction.atomic():
                result = registry[label](ctx)
                ErasureStep.objects.create(
                    request=req,
                    app_label=label,
                    status=StepStatus.KEPT if result.kept else StepStatus.DONE,
                    changed=result.changed,
                    kept=[{"what": k.what, "legal_basis": k.legal_basis, "count": k.count} for k in result.kept],
                    done_at=timezone.now(),
                )
        except IntegrityError:
            continue  # another worker ran this step at the same moment (the step row is unique): it is done
        except Exception as exc:
            log.exception("erasure step failed", extra={"request": req.pk, "app": label})
            PrivacyRequest.objects.filter(pk=req.pk).update(
                status=RequestStatus.FAILED, last_error=f"{label}: {type(exc).__name__}: {exc}"[:2000]
            )
            req.refresh_from_db()
            return req
    steps = list(ErasureStep.objects.filter(request=req).order_by("app_label"))
    kept_lines = [f"{s.app_label}: {k['what']} ({k['count']}) — {k['legal_basis']}" for s in steps for k in s.kept]
    outcome = f"Pseudonymised as {ctx.tombstone}; {sum(s.changed for s in steps)} rows changed in {len(steps)} parts."
    if kept_lines:
        outcome += " Kept: " + "; ".join(kept_lines)
    with transaction.atomic():
        finished = (
            PrivacyRequest.objects.filter(pk=req.pk)
            .exclude(status=RequestStatus.DONE)
            .update(status=RequestStatus.DONE, completed_at=timezone.now(), outcome=outcome[:10_000], last_error="")
        )
        req.refresh_from_db()
        if not finished:
            return req  # a concurrent run finished it and recorded it
        audit_record(
            actor=None,
            action="privacy.erasure_completed",
            target=req,
            data={
                "user_id": str(req.user_id),
                "changed": sum(s.changed for s in steps),
                "kept": [{"app": s.app_label, **k} for s in steps for k in s.kept],
            },
        )
        outbox_publish(topic=events.REQUEST_COMPLETED, payload=_payload(req))
    return req


def due_requests_run(*, now: datetime | None = None) -> int:
    """Run erasures whose grace period ended (and failed ones again), and exports left behind. Returns how
    many were run."""
    now = now or timezone.now()
    ran = 0
    due = PrivacyRequest.objects.filter(
        Q(kind=RequestKind.ERASURE, status=RequestStatus.PENDING, run_after__lte=now)
        | Q(kind=RequestKind.ERASURE, status__in=[RequestStatus.RUNNING, RequestStatus.FAILED], attempts__lt=20)
    ).values_list("pk", flat=True)
    for pk in list(due):
        erasure_run(request_id=pk, now=now)
        ran += 1
    stuck = PrivacyRequest.objects.filter(
        kind=RequestKind.EXPORT, status__in=[RequestStatus.RUNNING, RequestStatus.FAILED], received_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(stuck):
        export_run(request_id=pk, now=now)
        ran += 1
    return ran
