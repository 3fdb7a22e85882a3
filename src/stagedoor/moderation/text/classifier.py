"""Rules + model -> (category, score), and the adapter that plugs it into live chat.

:class:`TextModerator` normalises a line, asks the rules (a hit decides: high confidence),
and otherwise the model (a category wins when its probability reaches the category's
threshold; ``minor_risk`` is checked first and has the lowest threshold). ``benign`` means
nothing to report; its score is the model's benign probability.

:class:`ChatTextClassifier` implements the chat pipeline's ``Classifier`` protocol: the
category's action is the room's stored one (``ClassifyContext.room_actions``, read leniently,
``minor_risk`` never below hold), else a :class:`~stagedoor.moderation.text.policy.PolicyTable`'s
(in-memory room overrides, then platform-wide); the verdict's ``reason`` is the category and its ``policy``
``chat.<category>``. :func:`install_chat_classifier` registers it as the factory live chat
builds its classifier from; the model is read once per process, on first use, under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from stagedoor.chat.pipeline.classifier import (
    Action,
    Classifier,
    ClassifyContext,
    Verdict,
    set_classifier_factory,
)
from stagedoor.moderation.text.model import TextModel, load_model
from stagedoor.moderation.text.normalize import Forms, normalize
from stagedoor.moderation.text.policy import PolicyTable, parse_policy
from stagedoor.moderation.text.rules import match_rules

__all__ = [
    "BENIGN",
    "DEFAULT_MODEL_PATH",
    "DEFAULT_THRESHOLDS",
    "ChatTextClassifier",
    "TextModerator",
    "TextResult",
    "install_chat_classifier",
    "shared_policy",
]

BENIGN: Final = "benign"
DEFAULT_MODEL_PATH: Final = Path(__file__).resolve().parent / "data" / "model.npz"
#: the model's probability a category needs (rule hits need none)
DEFAULT_THRESHOLDS: Final[dict[str, float]] = {  # chosen by grouped cross-validation on the training templates
    "minor_risk": 0.6,
    "off_platform": 0.75,
    "scam": 0.6,
    "doxxing": 0.5,
    "harassment": 0.6,
}
#: staff speak for the platform; their lines are not classified
EXEMPT_ROLES: Final = frozenset({"admin", "moderator"})


@dataclass(frozen=True, slots=True)
class TextResult:
    category: str  # "benign" or one of the policy categories
    score: float  # confidence in ``category``, 0..1
    rule: str = ""  # the rule that fired; "" when the model decided


class TextModerator:
    def __init__(self, model: TextModel, thresholds: Mapping[str, float] | None = None) -> None:
        self.model = model
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
        labels = model.labels
        if BENIGN not in labels or any(c not in labels for c in self.thresholds):
            raise ValueError(f"the model's labels {labels} do not cover {sorted(self.thresholds)}")
        self._benign = labels.index(BENIGN)
        # (column, category, threshold), minor_risk first
        order = sorted(self.thresholds, key=lambda c: (c != "minor_risk", c))
        self._checks = tuple((labels.index(c), c, self.thresholds[c]) for c in order)
        self._minor = labels.index("minor_risk")

    def _decide(self, forms: Forms, proba: Sequence[float]) -> TextResult:
        hit = match_rules(forms)
        if hit is not None:
            col = self.model.labels.index(hit.category)
            return TextResult(hit.category, round(max(hit.score, float(proba[col])), 4), hit.rule)
        best: tuple[float, str] | None = None
        for col, category, threshold in self._checks:
            p = float(proba[col])
            if p >= threshold:
                if col == self._minor:
                    return TextResult(category, round(p, 4))
                if best is None or p > best[0]:
                    best = (p, category)
        if best is not None:
            return TextResult(best[1], round(best[0], 4))
        return TextResult(BENIGN, round(float(proba[self._benign]), 4))

    def classify(self, text: str, *, skel: str | None = None) -> TextResult:
        forms = normalize(text, skel=skel, lexicon=self.model.lexicon)
        return self._decide(forms, self.model.proba(forms.model))

    def classify_batch(self, texts: Sequence[str], *, skels: Sequence[str] | None = None) -> list[TextResult]:
        """Many lines: normalisation and rules per line, the model in one vectorised pass."""
        lexicon = self.model.lexicon
        forms = [normalize(t, skel=None if skels is None else skels[i], lexicon=lexicon) for i, t in enumerate(texts)]
        proba = self.model.proba_batch([f.model for f in forms])
        return [self._decide(f, row) for f, row in zip(forms, proba.tolist(), strict=True)]


class ChatTextClassifier:
    """The chat pipeline's ``Classifier``: a verdict per line from the category's action."""

    def __init__(
        self, moderator: TextModerator, policy: PolicyTable, *, exempt_roles: frozenset[str] = EXEMPT_ROLES
    ) -> None:
        self.moderator = moderator
        self.policy = policy
        self.exempt_roles = exempt_roles

    def verdict(self, result: TextResult, room: str | None, room_actions: Mapping[str, str] | None = None) -> Verdict:
        if result.category == BENIGN:
            return Verdict(Action.ALLOW, score=result.score)
        action = self.policy.action(room, result.category, room_actions)
        return Verdict(action, result.category, f"chat.{result.category}", result.score)

    def classify(self, text: str, ctx: ClassifyContext) -> Verdict:
        if ctx.role in self.exempt_roles:
            return Verdict(Action.ALLOW)
        return self.verdict(self.moderator.classify(text, skel=ctx.skeleton), ctx.room, ctx.room_actions)

    def classify_batch(self, texts: Sequence[str], rooms: Sequence[str | None] | None = None) -> list[Verdict]:
        results = self.moderator.classify_batch(texts)
        return [self.verdict(r, None if rooms is None else rooms[i]) for i, r in enumerate(results)]


_policy: PolicyTable | None = None
_moderators: dict[Path, TextModerator] = {}
_lock = threading.Lock()


def shared_policy() -> PolicyTable:
    """The process's policy table (room overrides are set on it)."""
    global _policy
    with _lock:
        if _policy is None:
            _policy = PolicyTable()
        return _policy


def shared_moderator(path: Path) -> TextModerator:
    """One moderator per model file per process, built on first use."""
    key = path.resolve()
    moderator = _moderators.get(key)
    if moderator is None:
        model = load_model(key)  # thread-safe, read once
        with _lock:
            moderator = _moderators.setdefault(key, TextModerator(model))
    return moderator


def install_chat_classifier(*, model_path: str = "", policy: str = "") -> None:
    """Make live chat classify with the text moderator. ``model_path`` "" is the shipped
    model; ``policy`` the platform actions (``"scam=block,harassment=hold"``), validated now."""
    path = Path(model_path) if model_path else DEFAULT_MODEL_PATH
    table = shared_policy()
    if policy:
        table.set_platform(parse_policy(policy))

    def factory() -> Classifier:
        return ChatTextClassifier(shared_moderator(path), table)

    set_classifier_factory(factory)
