"""What the console's case pages share: the case page's context and the evidence frame response (blurred and
greyscale unless this moderator revealed that item on purpose this shift)."""

from __future__ import annotations

import io
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from PIL import Image, ImageFilter

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.errors import CaseNotFound
from stagedoor.moderation.models import Case
from stagedoor.streaming.selectors import thumbnail_url

SOURCES = [(value, label) for value, label in Case.Source.choices]


def actor_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


def policy_rows() -> list[dict[str, Any]]:
    return [
        {"code": p.code, "title": p.title, "category": p.category, "actions": p.actions}
        for p in sorted(P.POLICIES.values(), key=lambda p: p.code)
    ]


def case_page_context(request: HttpRequest, case: Case, *, base: str, can_act: bool) -> dict[str, Any]:
    """The case page: the case, its evidence (message in context, frames, reports), the account's history and the
    decisions so far. `base` is the section's URL of the case (the frames and forms hang under it)."""
    actor = actor_of(request)
    evidence = case.evidence if isinstance(case.evidence, dict) else {}
    message = evidence.get("message") if isinstance(evidence.get("message"), dict) else None
    revealed = selectors.revealed_items(actor, case)
    frames = [
        {**f, "revealed": f["item"] in revealed, "url": f"{base}frames/{f['item']}"} for f in selectors.frames_of(case)
    ]
    history = selectors.subject_history(case.subject, exclude=case)
    row = selectors.QueueRow(case, case.due_at - timezone.now())
    return {
        "case": case,
        "row": row,
        "base": base,
        "evidence": evidence,
        "message": message,
        "context": [m for m in evidence.get("context", []) if isinstance(m, dict)],
        "reports": list(case.reports.select_related("reporter").order_by("created_at")),
        "frames": frames,
        "flags": evidence.get("flags", []),
        "hash_matches": evidence.get("hash_matches", []),
        "appeal": getattr(case, "appeal", None) if case.source == Case.Source.APPEAL else None,
        "thumbnail": thumbnail_url(case.room) if case.room is not None and case.room.is_live else None,
        "history": history,
        "decisions": selectors.case_decisions(case),
        "category": P.category_of(case.category),
        "policies": policy_rows(),
        "actions": [(a, P.ACTION_TITLES[a]) for a in P.ACTIONS],
        "can_act": can_act,
        "holds": case.claimed_by_id == actor.pk,
        "is_supervisor": role_has(actor.role, Perm.MODERATION_SUPERVISE),
        "shift": selectors.shift_status(actor),
    }


def blurred_jpeg(path: Any) -> bytes:
    """The frame made unrecognisable: greyscale and strongly blurred (a reveal serves the original)."""
    with Image.open(path) as image:
        grey = image.convert("L")
        radius = max(8, max(grey.size) // 24)
        out = io.BytesIO()
        grey.filter(ImageFilter.GaussianBlur(radius)).save(out, format="JPEG", quality=70)
        return out.getvalue()


def frame_response(request: HttpRequest, case_id: str, item: str, *, may_reveal: bool) -> HttpResponse:
    case = selectors.case_get(case_id)
    path = selectors.evidence_frame_path(case, item)
    if path is None:
        raise CaseNotFound("No such frame in this case.")
    original = may_reveal and selectors.has_revealed(actor_of(request), case, item)
    body = path.read_bytes() if original else blurred_jpeg(path)
    response = HttpResponse(body, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Evidence-View"] = "revealed" if original else "blurred"
    return response
