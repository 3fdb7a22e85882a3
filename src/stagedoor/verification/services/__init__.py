"""Every write to verification, one module per concern; import from here (`from stagedoor.verification import
services`)."""

from __future__ import annotations

from stagedoor.verification.services.age import (
    age_check_decided,
    age_check_start,
    age_policy_remove,
    age_policy_set,
    remember_until,
)
from stagedoor.verification.services.applications import (
    application_next_step,
    identity_verify_start,
    performer_application_decide,
    performer_application_restart,
    performer_apply,
)
from stagedoor.verification.services.broadcasts import broadcast_close, broadcast_open
from stagedoor.verification.services.coperformers import (
    RELEASE_TEXT,
    coperformer_add_account,
    coperformer_add_record,
    coperformer_declare,
    coperformer_remove,
)
from stagedoor.verification.services.documents import document_add, document_open, verification_submit
from stagedoor.verification.services.records import COLUMNS, records_export_csv, records_view
from stagedoor.verification.services.recovery import (
    RecoveryStarted,
    recovery_by_token,
    recovery_cancel,
    recovery_complete,
    recovery_identity_decided,
    recovery_start,
)
from stagedoor.verification.services.verifications import (
    Identity,
    VendorFacts,
    identity_clean,
    identity_record_approved,
    reverification_request,
    verification_decide,
    verification_retry,
    verification_review_decide,
    verification_vendor_start,
)
from stagedoor.verification.services.webhooks import WebhookResult, webhook_receive

__all__ = [
    "COLUMNS",
    "RELEASE_TEXT",
    "Identity",
    "RecoveryStarted",
    "VendorFacts",
    "WebhookResult",
    "age_check_decided",
    "age_check_start",
    "age_policy_remove",
    "age_policy_set",
    "application_next_step",
    "broadcast_close",
    "broadcast_open",
    "coperformer_add_account",
    "coperformer_add_record",
    "coperformer_declare",
    "coperformer_remove",
    "document_add",
    "document_open",
    "identity_clean",
    "identity_record_approved",
    "identity_verify_start",
    "performer_application_decide",
    "performer_application_restart",
    "performer_apply",
    "records_export_csv",
    "records_view",
    "recovery_by_token",
    "recovery_cancel",
    "recovery_complete",
    "recovery_identity_decided",
    "recovery_start",
    "remember_until",
    "reverification_request",
    "verification_decide",
    "verification_retry",
    "verification_review_decide",
    "verification_submit",
    "verification_vendor_start",
    "webhook_receive",
]
