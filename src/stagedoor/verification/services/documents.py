"""Manual verification: upload documents (checked, stripped, encrypted at rest), submit them for review, and the
one audited way staff read one back."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.ids import new_id
from stagedoor.verification import conf, errors, vault
from stagedoor.verification.models import CoPerformer, Document, Method, Verification
from stagedoor.verification.uploads import UploadRejected, clean_upload

REQUIRED = (Document.Kind.ID_FRONT, Document.Kind.SELFIE)


def _own_open_verification(user: User, verification_id: str) -> Verification:
    """The uploader's own manual verification (theirs, or a co-performer record they manage) still open."""
    verification = Verification.objects.select_for_update().filter(pk=verification_id).first()
    if verification is None:
        raise errors.VerificationNotFound()
    owner_id: str | None = verification.user_id
    if verification.coperformer_id is not None:
        owner_id = CoPerformer.objects.filter(pk=verification.coperformer_id).values_list("owner_id", flat=True).first()
    if owner_id != user.pk:
        raise errors.VerificationNotFound()
    if verification.method != Method.MANUAL or verification.status != Verification.Status.STARTED:
        raise errors.VerificationNotOpen()
    return verification


def document_add(*, user: User, verification_id: str, kind: str, data: bytes, ip: str = "") -> Document:
    """Check the file by its content, strip its metadata, encrypt it under a new data key and store it. A second
    file of the same kind replaces the first. Refused files leave nothing behind."""
    if kind not in Document.Kind.values:
        raise errors.UploadRefused(extra={"fields": {"kind": ["Choose which document this is."]}})
    if len(data) > conf.upload_max_bytes():
        raise errors.UploadTooLarge(extra={"max_bytes": conf.upload_max_bytes()})
    try:
        clean = clean_upload(data)
    except UploadRejected as exc:
        raise errors.UploadRefused(str(exc), extra={"fields": {kind: [str(exc)]}}) from None
    document_id = new_id()
    wrapped, blob = vault.seal(document_id, clean.content)
    relative = f"{document_id[:2]}/{document_id}.sdv"
    root = conf.documents_dir()
    with transaction.atomic():
        verification = _own_open_verification(user, verification_id)
        old = list(verification.documents.filter(kind=kind))
        vault.write_file(root, relative, blob)
        try:
            document = Document.objects.create(
                id=document_id,
                verification=verification,
                kind=kind,
                content_type=clean.content_type,
                size=len(clean.content),
                sha256=hashlib.sha256(clean.content).hexdigest(),
                width=clean.width,
                height=clean.height,
                pages=clean.pages,
                path=relative,
                wrapped_key=wrapped,
            )
            for previous in old:
                previous.delete()
            audit_record(
                actor=user,
                action="verification.document_uploaded",
                target=verification,
                ip=ip,
                data={"document_id": document.pk, "kind": kind, "sha256": document.sha256, "size": document.size},
            )
        except Exception:
            vault.remove_file(root, relative)
            raise
    for previous in old:
        vault.remove_file(root, previous.path)
    return document


def verification_submit(*, user: User, verification_id: str, ip: str = "") -> Verification:
    with transaction.atomic():
        verification = _own_open_verification(user, verification_id)
        kinds = set(verification.documents.values_list("kind", flat=True))
        missing = [k for k in REQUIRED if k not in kinds]
        if missing:
            raise errors.DocumentsMissing(extra={"missing": missing})
        verification.status = Verification.Status.SUBMITTED
        verification.save(update_fields=["status"])
        audit_record(
            actor=user, action="verification.submitted", target=verification, ip=ip, data={"kinds": sorted(kinds)}
        )
    return verification


def document_open(*, actor: Any, document_id: str, ip: str = "") -> tuple[Document, bytes]:
    """Compliance reads a document: decrypted in memory for this response only, and audited every time."""
    require_perm(actor, Perm.VERIFICATION_DOCUMENTS_VIEW)
    document = Document.objects.select_related("verification").filter(pk=document_id).first()
    if document is None:
        raise errors.DocumentNotFound()
    content = vault.unseal(document.pk, document.wrapped_key, vault.read_file(conf.documents_dir(), document.path))
    audit_record(
        actor=actor,
        action="verification.document_viewed",
        target=document.verification,
        ip=ip,
        data={"document_id": document.pk, "kind": document.kind, "user_id": document.verification.user_id},
    )
    return document, content
