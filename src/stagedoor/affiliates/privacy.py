"""affiliates' part of data-subject requests (core.privacy_registry).

Export: a person's referral account (plan, links, commissions, postbacks sent for it) and, when they were referred,
by whom and when. Erasure: the postback URL and secret go, and the keyed hashes of address and device on the
sign-up they were referred by and on clicks they made signed in; commissions are financial records (the ledger
holds their transfers) and are kept, as are the referral rows they hang on.
"""

from __future__ import annotations

from typing import Any

from stagedoor.affiliates.models import Affiliate, Click, Commission, Postback, Referral, ReferralLink
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)

FINANCIAL = "financial and tax records (e.g. HGB §257, AO §147: 10 years; GDPR Art. 6(1)(c), 17(3)(b))"


def export_affiliates(user: Any) -> ExportData:
    affiliate = Affiliate.objects.filter(user=user).first()
    data: ExportData = {
        "referred_by": rows(
            Referral.objects.filter(user=user), ["id", "affiliate_id", "link_id", "signed_up_at", "hold", "created_at"]
        ),
    }
    if affiliate is not None:
        data["referral_account"] = rows([affiliate], ["id", "kind", "status", "plan_id", "postback_url", "created_at"])
        data["referral_links"] = rows(
            ReferralLink.objects.filter(affiliate=affiliate), ["id", "code", "landing", "label", "active", "created_at"]
        )
        data["referrals"] = rows(
            Referral.objects.filter(affiliate=affiliate).order_by("created_at"),
            ["id", "signed_up_at", "hold", "created_at"],
        )
        data["commissions"] = rows(
            Commission.objects.filter(affiliate=affiliate).order_by("created_at"),
            ["id", "referral_id", "purchase_id", "kind", "base_tokens", "tokens", "status", "reason", "created_at"],
        )
        data["postbacks"] = rows(
            Postback.objects.filter(affiliate=affiliate).order_by("created_at"),
            ["id", "event", "url", "body", "status", "attempts", "created_at", "delivered_at"],
        )
    return data


def erase_affiliates(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    user = ctx.user
    commissions = Commission.objects.filter(affiliate__user=user).count()
    if ctx.held:
        result.keep("referral account, referrals and clicks", "legal hold", Referral.objects.filter(user=user).count())
        return result
    result.changed += (
        Affiliate.objects.filter(user=user)
        .exclude(postback_url="", postback_secret="")
        .update(postback_url="", postback_secret="")
    )
    result.changed += (
        Referral.objects.filter(user=user)
        .exclude(address_key="", network_key="", device_key="")
        .update(address_key="", network_key="", device_key="")
    )
    # Clicks keep their keyed hashes (unlinkable once the visitor is gone): they are the counted clicks.
    result.changed += Click.objects.filter(visitor=user).update(visitor=None)
    result.keep("affiliate commissions", FINANCIAL, commissions)
    return result


register_exporter("affiliates", export_affiliates)
register_eraser("affiliates", erase_affiliates)
