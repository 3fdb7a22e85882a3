"""Purchases and refunds (payments), tips (wallet), shows, and the payout method (masked) — read-only."""

from __future__ import annotations

from datetime import datetime

from stagedoor.core.timeline import TimelineEntry
from stagedoor.payments.models import Purchase
from stagedoor.payouts.models import PayoutMethod
from stagedoor.shows.models import Participant, Show
from stagedoor.wallet.models import Tip

BAD_PURCHASE = {Purchase.Status.DECLINED, Purchase.Status.REFUNDED, Purchase.Status.CHARGED_BACK}


def purchases(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    qs = Purchase.objects.filter(buyer_id=subject_id)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    out = []
    for p in qs.order_by("-created_at")[:limit]:
        out.append(
            TimelineEntry(
                at=p.created_at,
                source="payments",
                kind=f"purchase.{p.status}",
                title=f"Bought {p.tokens} tokens — {p.get_status_display()}",
                detail=f"{p.price_minor / 100:.2f} {p.currency} via {p.provider} · ref {p.pk}",
                severity="warning" if p.status in BAD_PURCHASE else "info",
                data={"purchase_id": p.pk},
            )
        )
    return out


def tips(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    sent = Tip.objects.filter(sender_id=subject_id)
    received = Tip.objects.filter(performer_id=subject_id)
    if before is not None:
        sent, received = sent.filter(created_at__lt=before), received.filter(created_at__lt=before)
    fields = ("id", "sender_id", "performer_id", "amount", "menu_label", "created_at", "anonymous")
    rows = list(sent.order_by("-created_at").values(*fields)[:limit]) + list(
        received.order_by("-created_at").values(*fields)[:limit]
    )
    rows.sort(key=lambda r: r["created_at"], reverse=True)
    out = []
    for r in rows[:limit]:
        outgoing = r["sender_id"] == subject_id
        label = f" for “{r['menu_label']}”" if r["menu_label"] else ""
        out.append(
            TimelineEntry(
                at=r["created_at"],
                source="wallet",
                kind="tip.sent" if outgoing else "tip.received",
                title=f"{'Tipped' if outgoing else 'Received a tip of'} {r['amount']} tokens{label}",
                detail=("anonymous" if r["anonymous"] else ""),
                data={"tip_id": r["id"]},
            )
        )
    return out


def shows(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    seats = Participant.objects.filter(user_id=subject_id)
    hosted = Show.objects.filter(performer_id=subject_id)
    if before is not None:
        seats, hosted = seats.filter(joined_at__lt=before), hosted.filter(created_at__lt=before)
    out = [
        TimelineEntry(
            at=s.joined_at,
            source="shows",
            kind=f"show.{s.role}",
            title=f"In a {s.show.get_kind_display().lower()} show ({s.get_status_display().lower()})",
            detail=f"{s.minutes_billed} minutes billed at {s.rate}/min"
            + (f" · left: {s.leave_reason}" if s.leave_reason else ""),
        )
        for s in seats.select_related("show").order_by("-joined_at")[:limit]
    ]
    out += [
        TimelineEntry(
            at=h.created_at,
            source="shows",
            kind="show.hosted",
            title=f"Hosted a {h.get_kind_display().lower()} show",
            detail=h.get_status_display(),
        )
        for h in hosted.order_by("-created_at")[:limit]
    ]
    return out


def payout_methods(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    qs = PayoutMethod.objects.filter(performer_id=subject_id)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=m.created_at,
            source="payouts",
            kind="payout_method.current" if m.superseded_at is None else "payout_method.old",
            title=f"Payout method v{m.version}: {m.get_kind_display()}",
            detail=m.masked,  # only ever masked ("DE89 •••• 3000")
        )
        for m in qs.order_by("-created_at")[:limit]
    ]
