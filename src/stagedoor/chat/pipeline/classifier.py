"""The classifier hook: trust & safety plug text models in here later.

A classifier looks at a message that passed every other stage and says allow, hold for
review (only the sender is told; moderators see it in the review queue) or block. It
must be fast and must not do I/O: a model that needs more time returns ``HOLD`` and
finishes its work off the hot path.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol


class Action(enum.IntEnum):
    # ordered by severity: combining classifiers keeps the most severe verdict
    ALLOW = 0
    HOLD = 1
    BLOCK = 2


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    reason: str = ""
    policy: str = ""  # the policy the decision rests on, for the moderation record
    score: float = 0.0  # the classifier's confidence in ``reason`` (0..1)


ALLOW = Verdict(Action.ALLOW)


_NO_ACTIONS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ClassifyContext:
    room: str
    user_id: str | None
    role: str
    skeleton: str  # normalized, look-alike-folded text
    #: the room's own actions per category ("allow" | "hold" | "block"), as stored; the
    #: classifier decides what they mean (unknown entries are its to ignore)
    room_actions: Mapping[str, str] = _NO_ACTIONS


class Classifier(Protocol):
    def classify(self, text: str, ctx: ClassifyContext) -> Verdict: ...


class AllowAll:
    def classify(self, text: str, ctx: ClassifyContext) -> Verdict:
        return ALLOW


class ClassifierChain:
    """Run several classifiers; the most severe verdict wins (first one on ties)."""

    def __init__(self, classifiers: Iterable[Classifier]) -> None:
        self.classifiers = list(classifiers)

    def classify(self, text: str, ctx: ClassifyContext) -> Verdict:
        worst = ALLOW
        for c in self.classifiers:
            v = c.classify(text, ctx)
            if v.action > worst.action:
                worst = v
                if v.action is Action.BLOCK:
                    break
        return worst


# The classifier live chat uses. Chat sits below moderation, so moderation registers a
# factory here (from its AppConfig.ready()); without one, chat allows everything.
_factory: Callable[[], Classifier] | None = None


def set_classifier_factory(factory: Callable[[], Classifier] | None) -> None:
    """Register what :func:`configured_classifier` builds (None: back to ``AllowAll``)."""
    global _factory
    _factory = factory


def configured_classifier() -> Classifier:
    """A classifier for a new gateway: the registered factory's, or ``AllowAll``."""
    return _factory() if _factory is not None else AllowAll()
