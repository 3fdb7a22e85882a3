"""The shipped data set and what the classifier scores on its held-out split."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, shared_moderator
from stagedoor.moderation.text.dataset import LABELS, generate, is_heldout
from stagedoor.moderation.text.training import evaluate, heldout_examples, train_examples

RISKY = [label for label in LABELS if label != "benign"]


@pytest.fixture(scope="module")
def heldout_report() -> dict[str, Any]:
    return evaluate(shared_moderator(DEFAULT_MODEL_PATH), heldout_examples())


@pytest.mark.parametrize("category", RISKY)
def test_heldout_recall_per_category(heldout_report: dict[str, Any], category: str) -> None:
    per = heldout_report["categories"]
    assert isinstance(per, dict)
    assert per[category]["support"] >= 300
    assert per[category]["recall"] >= 0.9, per[category]


def test_heldout_benign_false_positive_rate(heldout_report: dict[str, Any]) -> None:
    per = heldout_report["categories"]
    assert isinstance(per, dict)
    assert per["benign"]["support"] >= 1500
    assert heldout_report["benign_fpr"] <= 0.02
    assert heldout_report["recall_min"] == min(per[c]["recall"] for c in RISKY)


def test_shipped_files_are_what_the_generator_makes() -> None:
    train, heldout = generate()
    assert [(e.text, e.label, e.template) for e in train] == [(e.text, e.label, e.template) for e in train_examples()]
    assert [(e.text, e.label, e.template) for e in heldout] == [
        (e.text, e.label, e.template) for e in heldout_examples()
    ]


def test_split_is_by_template_and_large_enough() -> None:
    train, heldout = train_examples(), heldout_examples()
    assert len(train) + len(heldout) >= 5000
    train_templates = {e.template for e in train}
    heldout_templates = {e.template for e in heldout}
    assert train_templates.isdisjoint(heldout_templates)
    assert all(not is_heldout(t) for t in train_templates)
    assert all(is_heldout(t) for t in heldout_templates)
    assert not {e.text.casefold() for e in train} & {e.text.casefold() for e in heldout}
    per_label = Counter(e.label for e in heldout)
    assert set(per_label) == set(LABELS)
    # every category has phrasings of its own in the held-out split, including a fresh batch
    for label in LABELS:
        assert len({e.template for e in heldout if e.label == label}) >= 15
        assert any(".f" in e.template for e in heldout if e.label == label)


def test_data_set_covers_every_evasion() -> None:
    tricks = Counter(e.obfuscation for e in train_examples() if e.obfuscation)
    for trick in (
        "spaced",
        "dotted",
        "dashed",
        "underscored",
        "emoji",
        "zero_width",
        "homoglyph",
        "fullwidth",
        "math_bold",
        "leet",
        "split_line",
        "digit_words",
        "digits_spaced",
        "at_dot",
    ):
        assert tricks[trick] >= 20, (trick, tricks[trick])
