"""A private message the classifier held, then decided by a moderator: a dismissal delivers it (charged its quoted
price once, whatever replays), a restrictive action keeps it out (never charged), an escalation leaves it held, and
an appeal upheld against the rejection delivers it. Decisions travel through the outbox (`moderation.decided`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.fans import selectors, services
from stagedoor.fans.models import FanClub, Message
from stagedoor.moderation import services as moderation_services
from stagedoor.moderation.models import Case, Decision
from stagedoor.wallet.models import LedgerTransfer
from stagedoor.wallet.selectors import wallet_balance
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db

HELD_TEXT = "add me on telegram @bobby123"


@pytest.fixture
def moderator(make_user: Callable[..., Any]) -> Any:
    return make_user("moderator")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """Run `step` and then what it left for after commit (the outbox dispatch, its handlers, what they publish)."""

    def run(step: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return step()

    return run


def _send_held(club: FanClub, viewer: Any, committed: Callable[[Callable[[], Any]], Any]) -> tuple[Message, Case]:
    sent = committed(
        lambda: services.message_send(sender=viewer, recipient_id=club.performer_id, body=HELD_TEXT, client_key="h")
    )
    assert sent.message.status == Message.Status.HELD
    return sent.message, Case.objects.get(dedupe_key=f"pm:{sent.message.pk}")


def test_a_dismissed_hold_is_delivered_and_charged_its_quoted_price_once(
    club: FanClub, funded: Callable[[int], Any], moderator: Any, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    services.club_configure(performer=club.performer, message_price=5)
    viewer = funded(100)
    message, case = _send_held(club, viewer, committed)
    assert (message.price_paid, message.price_quoted, wallet_balance(viewer)) == (0, 5, 100)
    services.club_configure(performer=club.performer, message_price=40)  # a later price change is not charged
    decision = committed(
        lambda: moderation_services.case_decide(
            actor=moderator, case_id=case.pk, policy_code="NONE-0", action="dismiss"
        )
    )
    assert decision.evidence["enforcement"] == {"private_message": "approved"}
    message.refresh_from_db()
    assert (message.status, message.price_paid) == (Message.Status.VISIBLE, 5)
    assert wallet_balance(viewer) == 95
    assert [m.pk for m in selectors.thread_messages(message.thread, club.performer)] == [message.pk]
    [transfer] = LedgerTransfer.objects.filter(idempotency_key=f"pm:{message.pk}")
    # the decision replayed (a redelivered event, a second worker): nothing moves twice
    again = services.held_message_decided(case_id=case.pk, action="dismiss")
    assert again is not None and again.status == Message.Status.VISIBLE
    assert wallet_balance(viewer) == 95
    assert list(LedgerTransfer.objects.filter(idempotency_key=f"pm:{message.pk}")) == [transfer]
    assert ledger_problems() == []


def test_a_rejected_hold_is_never_delivered_nor_charged(
    club: FanClub, funded: Callable[[int], Any], moderator: Any, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    services.club_configure(performer=club.performer, message_price=5)
    viewer = funded(100)
    message, case = _send_held(club, viewer, committed)
    decision = committed(
        lambda: moderation_services.case_decide(
            actor=moderator, case_id=case.pk, policy_code="OFF-1", action="delete_message", note="Contact bait."
        )
    )
    assert decision.evidence["enforcement"] == {"private_message": "rejected"}
    message.refresh_from_db()
    assert (message.status, message.price_paid) == (Message.Status.REJECTED, 0)
    assert wallet_balance(viewer) == 100
    assert not LedgerTransfer.objects.filter(idempotency_key=f"pm:{message.pk}").exists()
    assert selectors.thread_messages(message.thread, club.performer) == []
    assert [m.status for m in selectors.thread_messages(message.thread, viewer)] == [Message.Status.REJECTED]
    # a stray dismissal afterwards (an out-of-order replay) does not deliver it
    services.held_message_decided(case_id=case.pk, action="dismiss")
    message.refresh_from_db()
    assert message.status == Message.Status.REJECTED and wallet_balance(viewer) == 100


def test_an_upheld_appeal_delivers_a_rejected_message(
    club: FanClub,
    funded: Callable[[int], Any],
    moderator: Any,
    make_user: Callable[..., Any],
    committed: Callable[[Callable[[], Any]], Any],
) -> None:
    viewer = funded(0)
    message, case = _send_held(club, viewer, committed)
    decision = committed(
        lambda: moderation_services.case_decide(
            actor=moderator, case_id=case.pk, policy_code="OFF-1", action="delete_message"
        )
    )
    message.refresh_from_db()
    assert message.status == Message.Status.REJECTED
    appeal = moderation_services.appeal_file(appellant=viewer, decision_id=decision.pk, text="It was my own shop link.")
    supervisor = make_user("admin")
    committed(
        lambda: moderation_services.appeal_decide(
            actor=supervisor, appeal_id=appeal.pk, outcome="upheld", note="Fair point."
        )
    )
    assert Decision.objects.filter(case=case, action="reverse").exists()
    message.refresh_from_db()
    assert message.status == Message.Status.VISIBLE
    assert [m.pk for m in selectors.thread_messages(message.thread, club.performer)] == [message.pk]


def test_an_escalated_hold_stays_held_and_a_short_wallet_is_not_delivered(
    club: FanClub,
    funded: Callable[[int], Any],
    moderator: Any,
    make_user: Callable[..., Any],
    committed: Callable[[Callable[[], Any]], Any],
) -> None:
    services.club_configure(performer=club.performer, message_price=5)
    viewer = funded(5)
    message, case = _send_held(club, viewer, committed)
    committed(
        lambda: moderation_services.case_decide(
            actor=moderator, case_id=case.pk, policy_code="OFF-1", action="escalate"
        )
    )
    message.refresh_from_db()
    assert message.status == Message.Status.HELD
    # the sender spends their tokens meanwhile: the approval finds them short
    services.message_send(sender=viewer, thread_id=message.thread_id, body="hello there", client_key="paid")
    assert wallet_balance(viewer) == 0
    committed(
        lambda: moderation_services.case_decide(
            actor=make_user("admin"), case_id=case.pk, policy_code="NONE-0", action="dismiss"
        )
    )
    message.refresh_from_db()
    assert (message.status, message.price_paid) == (Message.Status.UNPAID, 0)
    assert not LedgerTransfer.objects.filter(idempotency_key=f"pm:{message.pk}").exists()
    assert message.pk not in [m.pk for m in selectors.thread_messages(message.thread, club.performer)]
    assert ledger_problems() == []


def test_a_decision_on_another_kind_of_case_is_ignored(club: FanClub, funded: Callable[[int], Any]) -> None:
    case, _ = moderation_services.case_open(source=Case.Source.STAFF, category="spam", evidence={"note": "x"})
    assert services.held_message_decided(case_id=case.pk, action="dismiss") is None
    assert services.held_message_decided(case_id="nope", action="delete_message") is None
