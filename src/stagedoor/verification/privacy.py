"""verification's part of data-subject requests (core.privacy_registry) and of retention (webhook addresses).

Age and identity verification records of performers (legal name, date of birth, documents, co-performer
releases, broadcast records) are kept, encrypted, for the statutory period (18 U.S.C. §2257 and 28 C.F.R. 75;
`RecordsHold.retain_until`); viewers' age-assurance results are kept as proof that the law's check was made.
What goes: legal details typed into performer applications that never led to a verification, and the
vendors' session links.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    RetentionClass,
    RetentionRun,
    register_eraser,
    register_exporter,
    register_retention,
    rows,
)
from stagedoor.verification.models import (
    AgeAssurance,
    AgeCheck,
    CoPerformer,
    PerformerApplication,
    Verification,
    WebhookEvent,
)

RECORDS = "age and identity records of performers (18 U.S.C. §2257, 28 C.F.R. 75; GDPR Art. 6(1)(c), 17(3)(b))"
AGE = "proof of the age check the law requires (e.g. UK Online Safety Act, US state age-verification laws)"


def export_verification(user: Any) -> ExportData:
    return {
        "performer_applications": rows(
            PerformerApplication.objects.filter(user=user).order_by("created_at"),
            ["id", "stage_name", "legal_name", "date_of_birth", "country", "status", "created_at", "decided_at"],
        ),
        "verifications": rows(
            Verification.objects.filter(user=user).order_by("created_at"),
            [
                "id",
                "purpose",
                "method",
                "status",
                "legal_name",
                "date_of_birth",
                "country",
                "document_type",
                "document_country",
                "document_expires_on",
                "reason",
                "created_at",
                "decided_at",
            ],
        ),
        "coperformers": rows(
            CoPerformer.objects.filter(owner=user).order_by("created_at"),
            [
                "id",
                "stage_name",
                "legal_name",
                "date_of_birth",
                "country",
                "release_signed_at",
                "created_at",
                "removed_at",
            ],
        ),
        "age_checks": rows(
            AgeCheck.objects.filter(user=user).order_by("created_at"),
            ["id", "method", "vendor", "status", "created_at", "decided_at"],
        ),
        "age_assurances": rows(AgeAssurance.objects.filter(user=user), ["id", "method", "passed_at", "expires_at"]),
    }


def erase_verification(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    loose = PerformerApplication.objects.filter(user=ctx.user, verification__isnull=True).exclude(
        legal_name="", date_of_birth="", country=""
    )
    result.changed += loose.update(legal_name="", date_of_birth="", country="")
    result.changed += AgeCheck.objects.filter(user=ctx.user).exclude(vendor_url="").update(vendor_url="")
    result.changed += Verification.objects.filter(user=ctx.user).exclude(vendor_url="").update(vendor_url="")
    result.keep(
        "identity verifications with documents (encrypted)", RECORDS, Verification.objects.filter(user=ctx.user).count()
    )
    result.keep(
        "co-performer records and releases (encrypted)", RECORDS, CoPerformer.objects.filter(owner=ctx.user).count()
    )
    result.keep(
        "age checks and age-assurance results",
        AGE,
        AgeCheck.objects.filter(user=ctx.user).count() + AgeAssurance.objects.filter(user=ctx.user).count(),
    )
    return result


def _old_webhook_addresses(run: RetentionRun) -> int:
    old = WebhookEvent.objects.filter(received_at__lt=run.cutoff).exclude(remote_ip="")
    if run.dry_run:
        return old.count()
    return old.update(remote_ip="")


register_exporter("verification", export_verification)
register_eraser("verification", erase_verification)
register_retention(
    RetentionClass(
        name="verification.webhook_ip",
        period="ip_logs",
        app_label="verification",
        description="ID-vendor webhook source addresses",
        action="anonymise",
        run=_old_webhook_addresses,
    )
)
