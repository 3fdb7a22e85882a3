"""A chat line the classifier blocked becomes a case with an automated decision: the line never reached the room,
and that removal is recorded like any other (policy code, `delete_message`, a statement of reasons to its sender,
appealable; an upheld appeal lets the line into the room).

Which cases stay in the queue: the machine already did what the policy asks (the line is gone), so a block is
closed as decided — except `minor_risk`, where a person always looks at the account behind the line (a minor on the
platform, or someone looking for one: a suspension or a verification request are a person's call). Such a case
stays open at its category's severity (critical): the line is gone, but the person behind it may go on elsewhere
on the platform, so the account is looked at within the critical SLA. A reason no policy
lets the machine act on (a category without a `delete_message` policy, e.g. `other`) gets no automated decision;
its case stays open at the category's severity for a person to decide.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stagedoor.chat.models import ChatMessage
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.models import Case
from stagedoor.moderation.services.cases import case_open
from stagedoor.moderation.services.decisions import decision_record_automated

#: categories whose blocked lines a person still reviews after the automated decision
REVIEW_AFTER_BLOCK = frozenset({"minor_risk"})
#: the severity (queue priority and SLA) of those reviews


def block_policy_for(category: str) -> P.Policy | None:
    """The policy an automated removal in `category` is decided under: the category's own policy, when it allows
    `delete_message` (None otherwise)."""
    for policy in P.POLICIES.values():
        if policy.category == category and P.DELETE_MESSAGE in policy.actions:
            return policy
    return None


def case_open_for_blocked_message(*, message_id: str, reason: str) -> Case | None:
    """Open the case of a blocked line and record the automated removal with its statement of reasons; None if
    the message is gone or no longer blocked (an upheld appeal restored it). Idempotent: a replayed event or a
    retried batch finds the case already recorded and changes nothing."""
    category = reason if reason in P.CATEGORIES else "other"
    policy = block_policy_for(category)
    with transaction.atomic():
        # the message row's lock serialises two deliveries of the same line (a retried batch publishes again)
        message = (
            ChatMessage.objects.select_for_update(of=("self",))
            .select_related("room", "user")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != ChatMessage.Status.BLOCKED:
            return None
        existing = Case.objects.filter(source=Case.Source.CHAT_BLOCK, message=message).order_by("created_at").first()
        if existing is not None:
            return existing
        review = policy is None or category in REVIEW_AFTER_BLOCK
        evidence = {
            "message": selectors.message_snapshot(message),
            "context": [selectors.message_snapshot(m) for m in selectors.message_context(message)],
            "classifier": {"reason": reason[:200], "action": "block"},
        }
        case, _ = case_open(
            source=Case.Source.CHAT_BLOCK,
            category=category,
            subject=message.user,
            room=message.room,
            message=message,
            evidence=evidence,
            dedupe_key=f"message:{message.pk}",
        )
        if policy is not None:
            decision_record_automated(
                case=case,
                policy_code=policy.code,
                action=P.DELETE_MESSAGE,
                enforcement={"message": "blocked_by_classifier"},
            )
        if not review:
            case.status, case.decided_at = Case.Status.DECIDED, timezone.now()
            case.save(update_fields=["status", "decided_at"])
    return case
