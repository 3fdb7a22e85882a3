"""Gates: the first refusal wins, a check registers once by name, and a check that raises fails closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stagedoor.core import gates
from stagedoor.core.gates import Gate, GateContext, Refusal, gate_check, gate_checks, gate_refusal

TEST_GATE = Gate("test.gate", "a gate only these tests use")


@pytest.fixture(autouse=True)
def _clean_gate() -> Iterator[None]:
    yield
    gates._CHECKS.pop(TEST_GATE.name, None)


def test_a_gate_without_checks_lets_everything_through() -> None:
    assert gate_refusal(TEST_GATE, GateContext(user="someone")) is None


def test_the_first_refusal_wins_and_later_checks_do_not_run() -> None:
    seen: list[str] = []

    @gate_check(TEST_GATE, name="test.allow")
    def allow(ctx: GateContext) -> Refusal | None:
        seen.append("allow")
        return None

    @gate_check(TEST_GATE, name="test.refuse")
    def refuse(ctx: GateContext) -> Refusal | None:
        seen.append("refuse")
        return Refusal("test.refused", f"{ctx.user} may not", "/fix")

    @gate_check(TEST_GATE, name="test.never")
    def never(ctx: GateContext) -> Refusal | None:
        seen.append("never")
        return Refusal("test.other", "other")

    assert gate_refusal(TEST_GATE, GateContext(user="ada")) == Refusal("test.refused", "ada may not", "/fix")
    assert seen == ["allow", "refuse"]
    assert gate_checks(TEST_GATE) == ["test.allow", "test.refuse", "test.never"]


def test_registering_the_same_name_again_replaces_the_check() -> None:
    gate_check(TEST_GATE, name="test.one")(lambda ctx: Refusal("test.first", "first"))
    gate_check(TEST_GATE, name="test.one")(lambda ctx: None)
    assert gate_checks(TEST_GATE) == ["test.one"]
    assert gate_refusal(TEST_GATE, GateContext()) is None


def test_a_check_that_raises_fails_the_action_instead_of_letting_it_through() -> None:
    def broken(ctx: GateContext) -> Refusal | None:
        raise RuntimeError("database down")

    gate_check(TEST_GATE, name="test.broken")(broken)
    with pytest.raises(RuntimeError, match="database down"):
        gate_refusal(TEST_GATE, GateContext())
