"""Verification's checks on the core gates (registered from apps.ready()).

- PUBLISH: a performer goes live only with a verified identity that has not lapsed, and with every declared
  co-performer verified; the refusal names the fix (the studio shows it, the encoder gets the sentence).
- PAYEE: no money is credited to a performer whose identity is unverified or lapsed.
- ADULT_CONTENT: playback grants, chat tickets and purchases need the age assurance the viewer's jurisdiction asks
  for (the operator's policy table), remembered per account or per device.
"""

from __future__ import annotations

from django.utils import timezone

from stagedoor.accounts.roles import STAFF_ROLES, Role
from stagedoor.core.gates import ADULT_CONTENT, PAYEE, PUBLISH, GateContext, Refusal, gate_check
from stagedoor.core.geo import UNKNOWN, location_for_request
from stagedoor.verification import assurance, selectors
from stagedoor.verification.models import AgeMethod

VERIFY_URL = "/verify"
COPERFORMERS_URL = "/studio/coperformers"
AGE_URL = "/age"


def _date(moment: object) -> str:
    return f"{moment:%Y-%m-%d}" if moment is not None else ""


@gate_check(PUBLISH, name="verification.performer_verified")
def performer_verified(ctx: GateContext) -> Refusal | None:
    user = ctx.user
    now = timezone.now()
    standing = selectors.standing_of(user.pk, now=now)
    if standing.state == selectors.UNVERIFIED:
        pending = selectors.open_verification_of(user)
        if pending is not None and pending.status == "submitted":
            message = "Your identity verification is waiting for review; you can go live once it is approved."
        else:
            message = (
                "Verify your identity before going live: every performer proves who they are and that they are 18+."
            )
        return Refusal("verification.required", message, VERIFY_URL)
    if standing.state == selectors.LAPSED:
        return Refusal(
            "verification.lapsed",
            f"Your identity verification lapsed on {_date(standing.deadline)} ({standing.reason}). "
            "Verify again to go live.",
            VERIFY_URL,
        )
    return None


@gate_check(PUBLISH, name="verification.coperformers_verified")
def coperformers_verified(ctx: GateContext) -> Refusal | None:
    missing = selectors.unverified_declared_coperformers(ctx.user.pk, now=timezone.now())
    if not missing:
        return None
    names = ", ".join(c.stage_name for c in missing)
    return Refusal(
        "verification.coperformer_unverified",
        f"A co-performer you declared is not verified yet ({names}): verify them or take them off the list.",
        COPERFORMERS_URL,
    )


@gate_check(PAYEE, name="verification.payee_verified")
def payee_verified(ctx: GateContext) -> Refusal | None:
    standing = selectors.standing_of(ctx.user.pk, now=timezone.now())
    if standing.allows_work:
        return None
    return Refusal(
        "verification.payee_unverified",
        "This performer cannot receive payments until their identity is verified.",
        VERIFY_URL,
    )


METHOD_WORDS: dict[str, str] = {
    AgeMethod.AGE_ESTIMATION: "an age estimation",
    AgeMethod.ID_CHECK: "an ID check",
}


@gate_check(ADULT_CONTENT, name="verification.viewer_age")
def viewer_age(ctx: GateContext) -> Refusal | None:
    request = ctx.request
    location = location_for_request(request) if request is not None else UNKNOWN
    requirement = selectors.age_requirement(location)
    user = ctx.user if ctx.user is not None and getattr(ctx.user, "is_authenticated", False) else None
    if user is not None and user.role in STAFF_ROLES:
        return None
    if requirement.method == AgeMethod.BLOCKED:
        return Refusal(
            "verification.region_blocked",
            f"Adult content is not available where you are ({requirement.region}). {requirement.reason}",
            AGE_URL,
        )
    if requirement.method == AgeMethod.SELF_DECLARATION:
        return None  # the entry page's age confirmation (accounts) covers it
    now = timezone.now()
    if user is not None:
        if user.role == Role.PERFORMER and selectors.standing_of(user.pk, now=now).allows_work:
            return None  # a verified performer's identity is an ID check
        if selectors.account_age_assured(user.pk, requirement.method, now=now):
            return None
    device = assurance.read(request)
    fresh = device is not None and bool(device.method) and device.expires > now.timestamp()
    if fresh and device is not None and selectors.satisfies(device.method, requirement.method):
        return None
    return Refusal(
        "verification.age_check_required",
        f"Where you are ({requirement.region}) the law asks for {METHOD_WORDS.get(requirement.method, 'an age check')} "
        f"before adult content: {requirement.reason}",
        AGE_URL,
    )
