"""A hypothesis state machine over the ledger: purchases, tips, retries, refunds, chargebacks and roll-ups
in random order, with the books checked after every step against a model of every wallet."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from stagedoor.accounts.models import User
from stagedoor.core.ids import new_id
from stagedoor.verification.testing import give_approved_identity
from stagedoor.wallet import errors, ledger, selectors, services
from stagedoor.wallet.models import LedgerAccount, LedgerEntry, LedgerTransfer, TipReversal
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db

VIEWERS = 3
PERFORMERS = 2


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        run = new_id().lower()[-8:]
        self.viewers = [
            User.objects.create(login=f"v{i}_{run}", email=f"v{i}_{run}@example.test", role="viewer")
            for i in range(VIEWERS)
        ]
        self.performers = [
            User.objects.create(login=f"p{i}_{run}", email=f"p{i}_{run}@example.test", role="performer")
            for i in range(PERFORMERS)
        ]
        give_approved_identity(self.performers)  # performers are paid only with a verified identity
        self.finance = User.objects.create(login=f"f_{run}", email=f"f_{run}@example.test", role="finance")
        self.model = {v.pk: 0 for v in self.viewers}
        self.purchases: list[dict[str, Any]] = []
        self.tips: list[dict[str, Any]] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- rules ------------------------------------------------------------------------

    @rule(v=st.integers(0, VIEWERS - 1), tokens=st.integers(1, 400))
    def buy(self, v: int, tokens: int) -> None:
        viewer = self.viewers[v]
        pid = new_id()
        services.purchase_credit(
            buyer=viewer, tokens=tokens, purchase_id=pid, price_minor=tokens * 9, currency="EUR", provider="x"
        )
        self.model[viewer.pk] += tokens
        self.purchases.append({"id": pid, "viewer": viewer, "tokens": tokens, "reversed": False})

    @rule(
        v=st.integers(0, VIEWERS - 1), p=st.integers(0, PERFORMERS - 1), amount=st.integers(1, 300), anon=st.booleans()
    )
    def tip(self, v: int, p: int, amount: int, anon: bool) -> None:
        viewer, performer = self.viewers[v], self.performers[p]
        key = f"tip-{new_id()}"
        if amount > self.model[viewer.pk]:
            with pytest.raises(errors.InsufficientBalance):
                services.tip_send(
                    sender=viewer, performer=performer, amount=amount, anonymous=anon, idempotency_key=key
                )
            return
        tip = services.tip_send(sender=viewer, performer=performer, amount=amount, anonymous=anon, idempotency_key=key)
        self.model[viewer.pk] -= amount
        self.tips.append({"tip": tip, "key": key, "viewer": viewer, "performer": performer, "anon": anon})

    @rule(data=st.data())
    def retry_tip(self, data: st.DataObject) -> None:
        """A client retry: same key, same request → the same tip and no money moves."""
        if not self.tips:
            return
        t = data.draw(st.sampled_from(self.tips))
        again = services.tip_send(
            sender=t["viewer"],
            performer=t["performer"],
            amount=t["tip"].amount,
            anonymous=t["anon"],
            idempotency_key=t["key"],
        )
        assert again.pk == t["tip"].pk

    @rule(data=st.data(), extra=st.integers(1, 50))
    def reuse_key_for_other_request(self, data: st.DataObject, extra: int) -> None:
        if not self.tips:
            return
        t = data.draw(st.sampled_from(self.tips))
        from stagedoor.core.errors import IdempotencyConflict

        with pytest.raises(IdempotencyConflict):
            services.tip_send(
                sender=t["viewer"], performer=t["performer"], amount=t["tip"].amount + extra, idempotency_key=t["key"]
            )

    @rule(data=st.data())
    def refund_purchase(self, data: st.DataObject) -> None:
        if not self.purchases:
            return
        p = data.draw(st.sampled_from(self.purchases))
        viewer = p["viewer"]
        if p["reversed"]:
            if LedgerTransfer.objects.filter(idempotency_key=f"purchase_refund:{p['id']}").exists():
                services.purchase_refund(purchase_id=p["id"], buyer=viewer, actor=self.finance, reason="r")  # replay
            else:
                with pytest.raises(errors.AlreadyReversed):
                    services.purchase_refund(purchase_id=p["id"], buyer=viewer, actor=self.finance, reason="r")
            return
        if self.model[viewer.pk] < p["tokens"]:
            with pytest.raises(errors.TokensAlreadySpent):
                services.purchase_refund(purchase_id=p["id"], buyer=viewer, actor=self.finance, reason="r")
            return
        services.purchase_refund(purchase_id=p["id"], buyer=viewer, actor=self.finance, reason="r")
        self.model[viewer.pk] -= p["tokens"]
        p["reversed"] = True

    @rule(data=st.data(), policy=st.sampled_from(["platform_absorbs", "clawback"]))
    def chargeback(self, data: st.DataObject, policy: str) -> None:
        if not self.purchases:
            return
        p = data.draw(st.sampled_from(self.purchases))
        viewer = p["viewer"]
        with override_settings(STAGEDOOR_WALLET_CHARGEBACK_POLICY=policy):
            if p["reversed"]:
                if LedgerTransfer.objects.filter(idempotency_key=f"chargeback:{p['id']}").exists():
                    services.purchase_chargeback(purchase_id=p["id"], buyer=viewer, reason="again")  # replay: no-op
                else:
                    with pytest.raises(errors.AlreadyReversed):
                        services.purchase_chargeback(purchase_id=p["id"], buyer=viewer, reason="cb")
                return
            outcome = services.purchase_chargeback(purchase_id=p["id"], buyer=viewer, reason="cb")
        taken = min(self.model[viewer.pk], p["tokens"])
        assert outcome.recovered_from_wallet == taken
        assert outcome.recovered_from_wallet + outcome.clawed_back + outcome.written_off == p["tokens"]
        if policy == "platform_absorbs":
            assert outcome.clawed_back == 0
        self.model[viewer.pk] -= taken
        p["reversed"] = True

    @rule(data=st.data())
    def refund_tip(self, data: st.DataObject) -> None:
        if not self.tips:
            return
        t = data.draw(st.sampled_from(self.tips))
        tip = t["tip"]
        taken = int(TipReversal.objects.filter(tip=tip).aggregate(s=Sum("amount"))["s"] or 0)
        before = selectors.wallet_balance(t["viewer"])
        try:
            services.tip_refund(actor=self.finance, tip_id=tip.pk, reason="staff correction")
        except (errors.AlreadyReversed, errors.InsufficientBalance):
            assert selectors.wallet_balance(t["viewer"]) == before
            return
        gained = selectors.wallet_balance(t["viewer"]) - before
        assert gained in (0, tip.amount - taken)  # 0: it was refunded by an earlier step (idempotent)
        self.model[t["viewer"].pk] += gained

    @rule()
    def rollup(self) -> None:
        ledger.account_rollup_all(batch=7)

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        assert ledger_problems() == []
        assert (LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] or 0) == 0

    @invariant()
    def wallets_match_the_model_and_are_never_negative(self) -> None:
        for viewer in self.viewers:
            actual = selectors.wallet_balance(viewer)
            assert actual >= 0
            assert actual == self.model[viewer.pk]
        assert not LedgerAccount.objects.filter(kind="viewer_wallet", balance__lt=0).exists()


def test_ledger_state_machine(db: None) -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
