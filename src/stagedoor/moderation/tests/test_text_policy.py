"""Per-category actions (platform and rooms), and the chat adapter's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat.pipeline.classifier import Action, ClassifyContext, Verdict
from stagedoor.chat.pipeline.message import ACCEPTED, HELD, REFUSED, MessagePipeline
from stagedoor.chat.pipeline.normalize import skeleton
from stagedoor.chat.room import RoomState
from stagedoor.chat.ticket import ChatTicket
from stagedoor.core.config import ConfigError, load
from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, ChatTextClassifier, shared_moderator
from stagedoor.moderation.text.policy import DEFAULT_PLATFORM, PolicyInvalid, PolicyTable, parse_policy

MINOR = "i'm 14, is that ok?"
OFF = "add me on snap kitty_99"
BENIGN = "hello from Norway!"


def _ctx(room: str = "r1", role: str = "viewer", text: str = "") -> ClassifyContext:
    return ClassifyContext(room=room, user_id="7", role=role, skeleton=skeleton(text))


def _classifier(policy: PolicyTable | None = None) -> ChatTextClassifier:
    return ChatTextClassifier(shared_moderator(DEFAULT_MODEL_PATH), policy or PolicyTable())


def test_default_platform_holds_every_category() -> None:
    t = PolicyTable()
    assert t.platform == DEFAULT_PLATFORM
    assert {t.action(None, c) for c in DEFAULT_PLATFORM} == {Action.HOLD}
    assert t.action("any-room", "benign") is Action.ALLOW


def test_room_overrides_and_platform_fallback() -> None:
    t = PolicyTable(platform={"scam": "block"})
    t.set_room("r1", {"off_platform": "allow", "harassment": Action.BLOCK})
    assert t.action("r1", "off_platform") is Action.ALLOW
    assert t.action("r1", "harassment") is Action.BLOCK
    assert t.action("r1", "scam") is Action.BLOCK  # not overridden: the platform's
    assert t.action("r2", "off_platform") is Action.HOLD
    t.set_room("r1", {})  # dropping the overrides
    assert t.rooms == {}
    assert t.action("r1", "off_platform") is Action.HOLD


def test_minor_risk_can_never_be_lowered_and_a_refusal_changes_nothing() -> None:
    t = PolicyTable()
    t.set_room("r1", {"off_platform": "allow"})
    before = {room: dict(m) for room, m in t.rooms.items()}
    with pytest.raises(PolicyInvalid) as exc:
        t.set_room("r1", {"off_platform": "block", "minor_risk": "allow"})
    assert exc.value.code == "moderation.text_policy_invalid"
    assert exc.value.extra == {"category": "minor_risk", "where": "r1", "floor": "hold"}
    assert t.rooms == before  # the valid part was not applied either
    t.set_room("r1", {"minor_risk": "block"})  # raising it is fine
    assert t.action("r1", "minor_risk") is Action.BLOCK
    with pytest.raises(PolicyInvalid):
        PolicyTable(platform={"minor_risk": "allow"})
    with pytest.raises(PolicyInvalid):
        t.set_platform({"minor_risk": Action.ALLOW})
    assert t.platform["minor_risk"] is Action.HOLD


@pytest.mark.parametrize(
    ("mapping", "message"),
    [({"spam": "hold"}, "unknown category 'spam'"), ({"scam": "delete"}, "unknown action 'delete'")],
)
def test_bad_policy_input_is_refused(mapping: dict[str, str], message: str) -> None:
    t = PolicyTable()
    with pytest.raises(PolicyInvalid, match=message):
        t.set_room("r1", mapping)
    assert t.rooms == {}


def test_parse_policy_and_the_setting(tmp_path: Path) -> None:
    assert parse_policy("scam=block, harassment = HOLD,") == {"scam": Action.BLOCK, "harassment": Action.HOLD}
    with pytest.raises(PolicyInvalid, match="expected category=action"):
        parse_policy("scam")
    env = {"STAGEDOOR_VAR_DIR": str(tmp_path)}
    assert load({**env, "STAGEDOOR_MODERATION_TEXT_POLICY": "scam=block"}).moderation.text_policy == "scam=block"
    with pytest.raises(ConfigError, match="STAGEDOOR_MODERATION_TEXT_POLICY: minor_risk is always at least hold"):
        load({**env, "STAGEDOOR_MODERATION_TEXT_POLICY": "minor_risk=allow"})
    with pytest.raises(ConfigError, match="STAGEDOOR_MODERATION_TEXT_POLICY: expected category"):
        load({**env, "STAGEDOOR_MODERATION_TEXT_POLICY": "nudity=block"})


def test_verdict_names_the_category_policy_and_score() -> None:
    clf = _classifier()
    v = clf.classify(MINOR, _ctx(text=MINOR))
    assert (v.action, v.reason, v.policy) == (Action.HOLD, "minor_risk", "chat.minor_risk")
    assert v.score == 0.99  # a rule hit
    v = clf.classify(OFF, _ctx(text=OFF))
    assert (v.action, v.reason, v.policy) == (Action.HOLD, "off_platform", "chat.off_platform")
    v = clf.classify(BENIGN, _ctx(text=BENIGN))
    assert (v.action, v.reason, v.policy) == (Action.ALLOW, "", "")
    benign = shared_moderator(DEFAULT_MODEL_PATH).classify(BENIGN)
    assert (benign.category, v.score) == ("benign", benign.score)  # the benign probability
    assert benign.score > 0.9


def test_room_override_reaches_the_verdict_but_not_for_minor_risk() -> None:
    t = PolicyTable()
    t.set_room("r1", {"off_platform": "allow", "minor_risk": "block"})
    clf = _classifier(t)
    v = clf.classify(OFF, _ctx("r1", text=OFF))
    assert (v.action, v.reason) == (Action.ALLOW, "off_platform")
    assert clf.classify(OFF, _ctx("r2", text=OFF)).action is Action.HOLD
    assert clf.classify(MINOR, _ctx("r1", text=MINOR)).action is Action.BLOCK


def test_staff_lines_are_not_classified() -> None:
    clf = _classifier()
    assert clf.classify(OFF, _ctx(role="moderator", text=OFF)) == Verdict(Action.ALLOW)
    assert clf.classify(OFF, _ctx(role="performer", text=OFF)).action is Action.HOLD


def test_batch_gives_the_single_verdicts() -> None:
    clf = _classifier()
    texts = [MINOR, OFF, BENIGN, "kill yourself", "", "free tokens at stagedoor-bonus.xyz"]
    singles = [clf.classify(t, _ctx(text=t)) for t in texts]
    batch = clf.classify_batch(texts, ["r1"] * len(texts))
    assert [(v.action, v.reason) for v in batch] == [(v.action, v.reason) for v in singles]
    assert [v.score for v in batch] == pytest.approx([v.score for v in singles], abs=1e-4)
    assert [v.reason for v in batch] == ["minor_risk", "off_platform", "", "harassment", "", "scam"]


def test_the_chat_pipeline_holds_blocks_and_passes() -> None:
    t = PolicyTable(platform={"scam": "block"})
    pipeline = MessagePipeline(classifier=_classifier(t))
    room = RoomState("r1")
    perms = frozenset({C.PERM_READ, C.PERM_WRITE})
    sender = ChatTicket(room="r1", user_id="7", login="fan", role="viewer", perms=perms, exp=0)

    def check(text: str, mono: float) -> tuple[str, str]:
        out = pipeline.check(sender=sender, room=room, text=text, ip=None, now=0.0, mono=mono)
        return out.status, out.reason

    assert check(MINOR, 0.0) == (HELD, "minor_risk")
    assert check("free tokens!!! claim at free-tokens.top", 100.0) == (REFUSED, "scam")
    assert check(BENIGN, 200.0) == (ACCEPTED, "")


def test_the_setting_and_the_table_know_the_same_categories() -> None:
    from stagedoor.core.config import MODERATION_TEXT_CATEGORIES
    from stagedoor.moderation.text.dataset import LABELS
    from stagedoor.moderation.text.policy import CATEGORIES
    from stagedoor.moderation.text.rules import SEVERITY_ORDER

    assert set(MODERATION_TEXT_CATEGORIES) == set(CATEGORIES) == set(SEVERITY_ORDER) == set(LABELS) - {"benign"}
