"""A hypothesis state machine over the HTTP API (issue 19): tips, retries with the same and with different
bodies, lookups by key, menu edits, a performer losing and regaining the role, roll-ups and reads, in random
order. After every step every answer a client was given must agree with the ledger: each tip answered 201
exists with exactly that split and those entries, balances are the sums of what was answered, and the books
verify (`stagedoor ledger verify`)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from stagedoor.accounts.models import User
from stagedoor.core.ids import new_id
from stagedoor.verification.testing import give_approved_identity
from stagedoor.wallet import ledger, services
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry, Tip
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db

VIEWERS = 2
FUNDS = 300
SHARE_BP = 5000  # the default share (STAGEDOOR_WALLET_PERFORMER_SHARE_BP)


def performer_share(amount: int) -> int:
    return -(-amount * SHARE_BP // 10_000)  # rounded up: in the performer's favour


class ApiMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        run = new_id().lower()[-8:]
        self.performer = User.objects.create(
            login=f"ap_{run}",
            email=f"ap_{run}@example.test",
            role="performer",
            mfa_enabled=True,  # performers' API calls need two-factor on
            totp_secret=pyotp.random_base32(),
        )
        give_approved_identity(self.performer)  # performers are paid only with a verified identity
        self.viewers = [
            User.objects.create(login=f"av{i}_{run}", email=f"av{i}_{run}@example.test", role="viewer")
            for i in range(VIEWERS)
        ]
        self.clients = [self._client(v) for v in self.viewers]
        self.studio = self._client(self.performer)
        for viewer in self.viewers:
            fund_wallet(viewer, FUNDS)
        self.items = {
            item.pk: {"price": item.price, "active": True}
            for item in (
                services.tip_menu_item_create(performer=self.performer, label="Wave", price=7),
                services.tip_menu_item_create(performer=self.performer, label="Dance", price=40),
            )
        }
        self.item_ids = sorted(self.items)
        # every tip a client was told it sent: key → (viewer index, body, answer)
        self.answered: dict[str, tuple[int, dict[str, Any], dict[str, Any]]] = {}
        self.is_performer = True

    @staticmethod
    def _client(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- what the clients were told ------------------------------------------------------------

    def spent(self, v: int) -> int:
        return sum(answer["amount"] for i, _body, answer in self.answered.values() if i == v)

    def post_tip(self, v: int, body: dict[str, Any], key: str) -> Any:
        return self.clients[v].post("/api/v1/tips", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    # --- rules -----------------------------------------------------------------------------------

    @rule(v=st.integers(0, VIEWERS - 1), amount=st.integers(1, 120), message=st.sampled_from(["", "hi", "🎉"]))
    def tip(self, v: int, amount: int, message: str) -> None:
        self._new_tip(v, {"performer_id": self.performer.pk, "amount": amount, "message": message})

    @rule(v=st.integers(0, VIEWERS - 1), which=st.integers(0, 1), anonymous=st.booleans())
    def menu_tip(self, v: int, which: int, anonymous: bool) -> None:
        item_id = self.item_ids[which]
        self._new_tip(v, {"performer_id": self.performer.pk, "menu_item_id": item_id, "anonymous": anonymous})

    def _new_tip(self, v: int, body: dict[str, Any]) -> None:
        key = f"sm-{new_id()}"
        response = self.post_tip(v, body, key)
        item = self.items.get(body.get("menu_item_id") or "")
        amount = item["price"] if item else body["amount"]
        if not self.is_performer:
            expected: tuple[int, str | None] = (404, "wallet.not_a_performer")
        elif item is not None and not item["active"]:
            expected = (404, "wallet.menu_item_not_found")
        elif amount > FUNDS - self.spent(v):
            expected = (402, "wallet.insufficient_balance")
        else:
            expected = (201, None)
        got = (response.status_code, None if response.status_code == 201 else response.json()["code"])
        assert got == expected, response.content
        if response.status_code == 201:
            answer = response.json()
            assert (answer["amount"], answer["performer_amount"]) == (amount, performer_share(amount))
            self.answered[key] = (v, body, answer)
        else:
            assert self.clients[v].get(f"/api/v1/tips/by-key/{key}").status_code == 404  # the key stays unused

    @precondition(lambda self: bool(self.answered))
    @rule(data=st.data())
    def retry_same(self, data: st.DataObject) -> None:
        """The identical request again (a lost answer): the same tip, whatever changed since."""
        key = data.draw(st.sampled_from(list(self.answered)))  # in the order they were sent
        v, body, answer = self.answered[key]
        response = self.post_tip(v, body, key)
        assert response.status_code == 201, response.content
        assert response.json() == answer
        assert self.clients[v].get(f"/api/v1/tips/by-key/{key}").json() == answer

    @precondition(lambda self: bool(self.answered))
    @rule(data=st.data(), change=st.sampled_from(["message", "amount", "anonymous", "performer"]))
    def retry_different(self, data: st.DataObject, change: str) -> None:
        """Another request under a used key: 409, nothing moves."""
        key = data.draw(st.sampled_from(list(self.answered)))  # in the order they were sent
        v, body, _answer = self.answered[key]
        other = dict(body)
        if change == "message":
            other["message"] = str(body.get("message", "")) + "!"
        elif change == "amount":
            other["amount"] = int(body.get("amount") or 0) + 1
        elif change == "anonymous":
            other["anonymous"] = not body.get("anonymous", False)
        else:
            other["performer_id"] = self.viewers[1 - v].pk
        response = self.post_tip(v, other, key)
        assert (response.status_code, response.json()["code"]) == (409, "idempotency.key_reused")

    @rule(which=st.integers(0, 1), price=st.integers(1, 90))
    def edit_price(self, which: int, price: int) -> None:
        item_id = self.item_ids[which]
        if self.is_performer:
            response = self.studio.patch(
                f"/api/v1/me/tip-menu/{item_id}", {"price": price}, content_type="application/json"
            )
            assert response.status_code == 200, response.content
        else:
            services.tip_menu_item_update(performer=self.performer, item_id=item_id, price=price)
        self.items[item_id]["price"] = price

    @rule(which=st.integers(0, 1), active=st.booleans())
    def toggle_item(self, which: int, active: bool) -> None:
        item_id = self.item_ids[which]
        services.tip_menu_item_update(performer=self.performer, item_id=item_id, active=active)
        self.items[item_id]["active"] = active

    @rule()
    def toggle_role(self) -> None:
        self.is_performer = not self.is_performer
        User.objects.filter(pk=self.performer.pk).update(role="performer" if self.is_performer else "viewer")

    @rule(batch=st.integers(1, 5))
    def rollup(self, batch: int) -> None:
        ledger.account_rollup_all(batch=batch)

    @rule(v=st.integers(0, VIEWERS - 1))
    def read_wallet(self, v: int) -> None:
        assert self.clients[v].get("/api/v1/me/wallet").json()["balance"] == FUNDS - self.spent(v)

    @rule(v=st.integers(0, VIEWERS - 1), limit=st.integers(1, 4))
    def read_history(self, v: int, limit: int) -> None:
        rows: list[dict[str, Any]] = []
        before: int | None = None
        while True:
            query = f"?limit={limit}" + (f"&before_id={before}" if before is not None else "")
            page = self.clients[v].get(f"/api/v1/me/wallet/history{query}").json()
            rows += page["items"]
            before = page["next_before_id"]
            if before is None:
                break
        assert sum(row["amount"] for row in rows) == FUNDS - self.spent(v)
        told = {answer["id"] for i, _b, answer in self.answered.values() if i == v}
        assert {row["tip_id"] for row in rows if row["kind"] == "tip"} == told

    @rule()
    def read_earnings(self) -> None:
        response = self.studio.get("/api/v1/me/earnings")
        if not self.is_performer:
            assert response.status_code == 403
            return
        earned = sum(answer["performer_amount"] for _v, _b, answer in self.answered.values())
        assert response.json()["balance"] == earned
        assert response.json()["available"] <= earned

    # --- every answer agrees with the ledger --------------------------------------------------

    @invariant()
    def answers_agree_with_the_ledger(self) -> None:
        tips = {t.pk: t for t in Tip.objects.filter(performer_id=self.performer.pk)}
        assert set(tips) == {answer["id"] for _v, _b, answer in self.answered.values()}
        for v, _body, answer in self.answered.values():
            tip = tips[answer["id"]]
            assert (tip.sender_id, tip.transfer_id, tip.amount, tip.performer_amount, tip.platform_amount) == (
                self.viewers[v].pk,
                answer["transfer_id"],
                answer["amount"],
                answer["performer_amount"],
                answer["platform_amount"],
            )
            entries = sorted(LedgerEntry.objects.filter(transfer_id=tip.transfer_id).values_list("amount", flat=True))
            assert entries == sorted(a for a in (-tip.amount, tip.performer_amount, tip.platform_amount) if a)
        earnings = LedgerAccount.objects.filter(kind=AccountKind.PERFORMER_EARNINGS, owner=self.performer).first()
        earned = sum(answer["performer_amount"] for _v, _b, answer in self.answered.values())
        if earnings is not None:
            assert (LedgerEntry.objects.filter(account=earnings).aggregate(s=Sum("amount"))["s"] or 0) == earned
            assert ledger.account_balance(earnings) == earned
        for v, viewer in enumerate(self.viewers):
            wallet = LedgerAccount.objects.get(kind=AccountKind.VIEWER_WALLET, owner=viewer)
            assert wallet.balance == FUNDS - self.spent(v)
        assert ledger_problems() == []


def test_api_state_machine(db: None) -> None:
    run_state_machine_as_test(
        ApiMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
