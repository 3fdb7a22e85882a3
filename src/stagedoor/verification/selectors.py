"""Reads of verification: applications, a performer's standing (verified, due, lapsed), co-performers, the age
policy and remembered age checks, broadcasts and the custodian-of-records rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from stagedoor.accounts.models import User
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotFound
from stagedoor.core.geo import Location
from stagedoor.rooms.models import Room
from stagedoor.verification import conf
from stagedoor.verification.models import (
    AGE_METHOD_RANK,
    AgeAssurance,
    AgeCheck,
    AgeMethod,
    AgePolicy,
    Broadcast,
    CoPerformer,
    Document,
    PerformerApplication,
    PerformerStanding,
    RecordsHold,
    Recovery,
    Verification,
)

# --- applications --------------------------------------------------------------------------------------


def performer_applications(*, status: str = "pending", limit: int = 50) -> QuerySet[PerformerApplication]:
    qs = PerformerApplication.objects.select_related("user", "verification", "decided_by").order_by("created_at")
    if status:
        qs = qs.filter(status=status)
    return qs[:limit]


def performer_application_of(user: User) -> PerformerApplication | None:
    return PerformerApplication.objects.select_related("verification").filter(user=user).order_by("-created_at").first()


def performer_application_count(*, status: str = "pending") -> int:
    return PerformerApplication.objects.filter(status=status).count()


def access_application(actor: User | None, application_id: str, *, perm: str) -> PerformerApplication:
    require_perm(actor, perm)
    application = (
        PerformerApplication.objects.select_related("user", "verification", "decided_by")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def documents_of(verification: Verification | None) -> list[Document]:
    if verification is None:
        return []
    return list(verification.documents.order_by("kind", "created_at"))


# --- verifications and standing -----------------------------------------------------------------------


def latest_verification_of(user: User, *, purposes: tuple[str, ...] = ()) -> Verification | None:
    qs = Verification.objects.filter(user=user)
    if purposes:
        qs = qs.filter(purpose__in=purposes)
    return qs.order_by("-created_at").first()


def verification_of_user(user: User, verification_id: str) -> Verification:
    found = Verification.objects.filter(pk=verification_id, user=user).first()
    if found is None:
        raise NotFound()
    return found


VERIFIED, DUE, LAPSED, UNVERIFIED = "verified", "due", "lapsed", "unverified"


@dataclass(frozen=True)
class Standing:
    """Whether a performer's identity is proven now, and until when."""

    state: str  # VERIFIED, DUE (warned, still allowed), LAPSED or UNVERIFIED
    verified_at: datetime | None = None
    deadline: datetime | None = None
    reason: str = ""  # why it is due or lapsed, as a phrase: "your ID document expires"

    @property
    def allows_work(self) -> bool:
        return self.state in (VERIFIED, DUE)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def standing_from(row: dict[str, Any] | None, *, now: datetime) -> Standing:
    """The standing a `PerformerStanding` row (as values) means at `now` under today's settings."""
    if row is None:
        return Standing(UNVERIFIED)
    verified_at: datetime = row["verified_at"]
    candidates: list[tuple[datetime, str]] = []
    if row.get("document_expires_on"):
        candidates.append((_start_of(row["document_expires_on"]), "your ID document expires"))
    days = conf.reverify_days()
    if days:
        candidates.append((verified_at + timedelta(days=days), "it is time for the periodic re-verification"))
    requested = row.get("request_deadline")
    if requested is not None:
        candidates.append((requested, f"staff asked you to verify again: {row.get('request_reason') or 'no reason'}"))
    if not candidates:
        return Standing(VERIFIED, verified_at)
    deadline, reason = min(candidates, key=lambda c: c[0])
    if now >= deadline:
        return Standing(LAPSED, verified_at, deadline, reason)
    if requested is not None or now >= deadline - timedelta(days=conf.warn_days()):
        return Standing(DUE, verified_at, deadline, reason)
    return Standing(VERIFIED, verified_at, deadline, reason)


STANDING_FIELDS = ("verified_at", "document_expires_on", "request_deadline", "request_reason")


def standing_of(user_id: Any, *, now: datetime) -> Standing:
    """One query by primary key: what the publish and payee gates ask on every go-live and every tip."""
    row = PerformerStanding.objects.filter(user_id=user_id).values(*STANDING_FIELDS).first()
    return standing_from(row, now=now)


def is_on_record(user: Any) -> bool:
    """Whether the person has a verified identity on record (current or lapsed): who can be asked to verify again."""
    return PerformerStanding.objects.filter(user_id=user.pk).exists()


def open_verification_of(user: User) -> Verification | None:
    """The verification the person still has to finish or that waits for review, if any."""
    return (
        Verification.objects.filter(
            user=user,
            purpose__in=[Verification.Purpose.ONBOARDING, Verification.Purpose.REVERIFICATION],
            status__in=[Verification.Status.STARTED, Verification.Status.SUBMITTED],
        )
        .order_by("-created_at")
        .first()
    )


# --- co-performers -------------------------------------------------------------------------------------


def coperformers_of(owner: User) -> QuerySet[CoPerformer]:
    return (
        CoPerformer.objects.filter(owner=owner, removed_at__isnull=True)
        .select_related("account")
        .order_by("stage_name")
    )


def access_coperformer(owner: User, coperformer_id: str) -> CoPerformer:
    found = CoPerformer.objects.filter(pk=coperformer_id, owner=owner, removed_at__isnull=True).first()
    if found is None:
        raise NotFound()
    return found


def coperformer_is_verified(coperformer: CoPerformer, *, now: datetime) -> bool:
    """Their own account in good standing, or a record with a signed release and an approved verification."""
    if coperformer.account_id is not None:
        return standing_of(coperformer.account_id, now=now).allows_work
    if coperformer.release_signed_at is None:
        return False
    return Verification.objects.filter(coperformer=coperformer, status=Verification.Status.APPROVED).exists()


def coperformer_verification(coperformer: CoPerformer) -> Verification | None:
    return Verification.objects.filter(coperformer=coperformer).order_by("-created_at").first()


def unverified_declared_coperformers(owner: Any, *, now: datetime) -> list[CoPerformer]:
    declared = CoPerformer.objects.filter(owner=owner, declared=True, removed_at__isnull=True).order_by("stage_name")
    return [c for c in declared if not coperformer_is_verified(c, now=now)]


def broadcasts(*, performer: User | None = None, limit: int = 100) -> QuerySet[Broadcast]:
    qs = Broadcast.objects.select_related("performer").order_by("-started_at")
    if performer is not None:
        qs = qs.filter(performer=performer)
    return qs[:limit]


def room_performer_id(room_id: str) -> str | None:
    found: str | None = Room.objects.filter(pk=room_id).values_list("performer_id", flat=True).first()
    return found


def open_broadcast(room_id: str) -> Broadcast | None:
    return Broadcast.objects.filter(room_id=room_id, ended_at__isnull=True).order_by("-started_at").first()


# --- viewer age assurance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeRequirement:
    region: str  # the policy row that applies ("US-TX", "GB" or "*")
    method: str  # AgeMethod
    reason: str
    location: Location


DEFAULT_REASON = "Adult content: confirm you are 18 or older."


def age_requirement(location: Location) -> AgeRequirement:
    """The most specific policy row for where the viewer is: subdivision, then country, then "*"."""
    keys = [k for k in (location.subdivision, location.country, "*") if k]
    rows = {p.region: p for p in AgePolicy.objects.filter(region__in=keys)}
    for key in keys:
        if key in rows:
            return AgeRequirement(key, rows[key].method, rows[key].reason or DEFAULT_REASON, location)
    return AgeRequirement("*", AgeMethod.SELF_DECLARATION, DEFAULT_REASON, location)


def age_policies() -> QuerySet[AgePolicy]:
    return AgePolicy.objects.select_related("updated_by").order_by("region")


def satisfies(passed_method: str, required: str) -> bool:
    return AGE_METHOD_RANK.get(AgeMethod(passed_method), -1) >= AGE_METHOD_RANK[AgeMethod(required)]


def account_age_assured(user_id: Any, required: str, *, now: datetime) -> bool:
    methods = AgeAssurance.objects.filter(user_id=user_id, expires_at__gt=now).values_list("method", flat=True)
    return any(satisfies(m, required) for m in methods)


def age_check_for(check_id: str, *, user: User | None, device_id: str) -> AgeCheck:
    """The viewer's own check: by account, or by the device cookie for a guest."""
    qs = AgeCheck.objects.filter(pk=check_id)
    qs = qs.filter(user=user) if user is not None else qs.filter(user__isnull=True, device_id=device_id or "-")
    found = qs.first()
    if found is None:
        raise NotFound()
    return found


# --- records for inspection ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    """One person who appeared on camera: who, how verified, which documents, when on air, under which names."""

    kind: str  # "performer" | "co-performer"
    subject_id: str
    login: str
    legal_name: str
    date_of_birth: str
    stage_names: list[str]
    verification_id: str
    verification_method: str
    verification_status: str
    verified_at: datetime | None
    document_type: str
    document_expires_on: date | None
    document_refs: list[str]  # sha256 of each stored document (the reference an inspector can match)
    first_on_air: datetime | None
    last_on_air: datetime | None
    dates_on_air: list[date]
    retain_until: datetime | None
    legal_basis: str


def _approved_verification(*, user: Any = None, coperformer: Any = None) -> Verification | None:
    qs = Verification.objects.filter(status=Verification.Status.APPROVED)
    qs = qs.filter(user=user) if user is not None else qs.filter(coperformer=coperformer)
    return qs.order_by("-decided_at").first()


def _row(
    *, kind: str, subject_id: str, login: str, verification: Verification | None, fallback: Any, names: list[str]
) -> dict[str, Any]:
    source = verification or fallback
    return {
        "kind": kind,
        "subject_id": subject_id,
        "login": login,
        "legal_name": (verification.vendor_legal_name if verification else "") or getattr(source, "legal_name", ""),
        "date_of_birth": (verification.vendor_date_of_birth if verification else "")
        or getattr(source, "date_of_birth", ""),
        "stage_names": sorted(set(n for n in names if n)),
        "verification_id": verification.pk if verification else "",
        "verification_method": verification.method if verification else "",
        "verification_status": verification.status if verification else "none",
        "verified_at": verification.decided_at if verification else None,
        "document_type": verification.document_type if verification else "",
        "document_expires_on": verification.document_expires_on if verification else None,
        "document_refs": [d.sha256 for d in verification.documents.order_by("kind")] if verification else [],
    }


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def records_rows(*, now: datetime) -> list[RecordRow]:
    """Everyone who has been on air (performers and declared co-performers), with their verification record."""
    years = conf.records_years()
    rows: list[RecordRow] = []
    performer_ids = Broadcast.objects.values_list("performer_id", flat=True).distinct()
    for user in User.objects.filter(pk__in=performer_ids).order_by("login"):
        casts = list(Broadcast.objects.filter(performer=user).order_by("started_at"))
        names = [c.stage_name for c in casts] + [
            a.stage_name for a in PerformerApplication.objects.filter(user=user, status="approved")
        ]
        rows.append(
            _record(
                kind="performer",
                subject_id=user.pk,
                login=user.login,
                casts=casts,
                names=names,
                verification=_approved_verification(user=user),
                fallback=None,
                years=years,
                hold=RecordsHold.objects.filter(user=user).first(),
            )
        )
    appeared = CoPerformer.objects.filter(broadcasts__isnull=False).distinct().select_related("account")
    for cp in appeared.order_by("stage_name"):
        casts = list(cp.broadcasts.order_by("started_at"))
        verification = (
            _approved_verification(user=cp.account) if cp.account_id else _approved_verification(coperformer=cp)
        )
        rows.append(
            _record(
                kind="co-performer",
                subject_id=cp.pk,
                login=cp.account.login if cp.account else "",
                casts=casts,
                names=[cp.stage_name],
                verification=verification,
                fallback=cp,
                years=years,
                hold=RecordsHold.objects.filter(coperformer=cp).first(),
            )
        )
    return rows


def _record(
    *,
    kind: str,
    subject_id: str,
    login: str,
    casts: list[Broadcast],
    names: list[str],
    verification: Verification | None,
    fallback: Any,
    years: int,
    hold: RecordsHold | None,
) -> RecordRow:
    base = _row(
        kind=kind, subject_id=subject_id, login=login, verification=verification, fallback=fallback, names=names
    )
    first = casts[0].started_at if casts else None
    last = max(((c.ended_at or c.started_at) for c in casts), default=None)
    retain = hold.retain_until if hold else (add_years(last, years) if last else None)
    return RecordRow(
        **base,
        first_on_air=first,
        last_on_air=last,
        dates_on_air=sorted({c.started_at.date() for c in casts}),
        retain_until=retain,
        legal_basis=hold.legal_basis if hold else conf.LEGAL_BASIS,
    )


def records_hold_of(user: User) -> RecordsHold | None:
    """Whether this person's records are exempt from erasure, until when and why (for a data-subject request)."""
    return RecordsHold.objects.filter(user=user).first()


# --- recovery ------------------------------------------------------------------------------------------


def recoveries(*, open_only: bool = True, limit: int = 100) -> QuerySet[Recovery]:
    qs = Recovery.objects.select_related("user").order_by("-created_at")
    if open_only:
        qs = qs.filter(status__in=[Recovery.Status.IDENTITY_CHECK, Recovery.Status.COOLING_OFF])
    return qs[:limit]
