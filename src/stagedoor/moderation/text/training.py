"""Regenerate the data set and the model file; measure a moderator on a split.

``build()`` is what ``stagedoor moderation train`` runs: generate the examples (seeded),
write ``data/train.jsonl`` and ``data/heldout.jsonl``, fit the model on the training split's
canonical forms and write ``data/model.npz``. Everything is deterministic: the same seed
gives the same files.

``evaluate()`` is what ``stagedoor moderation evaluate``, the tests and the benchmark report:
per-category precision and recall of the full classify path (rules + model), the smallest
recall over the risky categories, and the benign false-positive rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from stagedoor.moderation.text.classifier import BENIGN, DEFAULT_MODEL_PATH, TextModerator
from stagedoor.moderation.text.dataset import DEFAULT_SEED, LABELS, Example, generate, read_jsonl, write_jsonl
from stagedoor.moderation.text.model import TextModel, build_lexicon, train
from stagedoor.moderation.text.normalize import normalize

DATA_DIR: Final = DEFAULT_MODEL_PATH.parent
TRAIN_PATH: Final = DATA_DIR / "train.jsonl"
HELDOUT_PATH: Final = DATA_DIR / "heldout.jsonl"
REFERENCE_LINES: Final = 64


@dataclass(frozen=True)
class BuildReport:
    train_lines: int
    heldout_lines: int
    vocabulary: int
    model_path: Path
    model_bytes: int


C: Final = 3.0
CLASS_WEIGHT: Final = {"benign": 3.0}


def fit(examples: Sequence[Example], *, seed: int = DEFAULT_SEED, reference: Sequence[str] = ()) -> TextModel:
    """Train on ``examples``: canonical forms, healed with a lexicon of the training words."""
    lexicon = build_lexicon(normalize(e.text).canonical for e in examples)
    canon = [normalize(e.text, lexicon=lexicon).model for e in examples]
    return train(
        canon,
        [e.label for e in examples],
        label_order=LABELS,
        seed=seed,
        c=C,
        class_weight=CLASS_WEIGHT,
        lexicon=lexicon,
        reference=[normalize(t, lexicon=lexicon).model for t in reference],
    )


def build(*, seed: int = DEFAULT_SEED, data_dir: Path = DATA_DIR, model_path: Path = DEFAULT_MODEL_PATH) -> BuildReport:
    train_set, heldout = generate(seed)
    write_jsonl(data_dir / TRAIN_PATH.name, train_set)
    write_jsonl(data_dir / HELDOUT_PATH.name, heldout)
    model = fit(train_set, seed=seed, reference=[e.text for e in heldout[:: max(1, len(heldout) // REFERENCE_LINES)]])
    model.save(model_path)
    return BuildReport(len(train_set), len(heldout), len(model.vocabulary), model_path, model_path.stat().st_size)


def evaluate(moderator: TextModerator, examples: Sequence[Example]) -> dict[str, Any]:
    """Precision and recall per category of ``moderator`` on ``examples``."""
    results = moderator.classify_batch([e.text for e in examples])
    predicted = [r.category for r in results]
    truth = [e.label for e in examples]
    per: dict[str, dict[str, float | int]] = {}
    for label in LABELS:
        tp = sum(1 for p, t in zip(predicted, truth, strict=True) if p == label and t == label)
        fp = sum(1 for p, t in zip(predicted, truth, strict=True) if p == label and t != label)
        fn = sum(1 for p, t in zip(predicted, truth, strict=True) if p != label and t == label)
        support = tp + fn
        per[label] = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / support, 4) if support else 1.0,
            "support": support,
        }
    benign_total = sum(1 for t in truth if t == BENIGN)
    benign_flagged = sum(1 for p, t in zip(predicted, truth, strict=True) if t == BENIGN and p != BENIGN)
    risky = [label for label in LABELS if label != BENIGN]
    return {
        "lines": len(examples),
        "recall_min": min(float(per[c]["recall"]) for c in risky),
        "benign_fpr": round(benign_flagged / benign_total, 4) if benign_total else 0.0,
        "accuracy": round(sum(1 for p, t in zip(predicted, truth, strict=True) if p == t) / len(truth), 4)
        if truth
        else 0.0,
        "categories": per,
    }


def misses(moderator: TextModerator, examples: Sequence[Example]) -> list[tuple[Example, str, float, str]]:
    """The lines ``moderator`` gets wrong: (example, predicted category, score, rule)."""
    results = moderator.classify_batch([e.text for e in examples])
    return [(e, r.category, r.score, r.rule) for e, r in zip(examples, results, strict=True) if r.category != e.label]


def heldout_examples(path: Path = HELDOUT_PATH) -> list[Example]:
    return list(read_jsonl(path))


def train_examples(path: Path = TRAIN_PATH) -> list[Example]:
    return list(read_jsonl(path))
