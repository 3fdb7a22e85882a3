"""The chat classifier's subcommands: ``classify``, ``train``, ``evaluate``.

``classify`` runs each line through exactly what live chat runs: the chat
``MessagePipeline`` (the same configuration ``build_gateway`` gives it, normalisation, word
lists, size limits) with the classifier live chat gets from ``configured_classifier()`` (the
text moderator under the platform policy). The verdict's category and score are read off the
classifier's verdict for that line; a line the pipeline refuses before the classifier (too
long, a platform word) reports ``block`` with the refusal code as its category.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stagedoor.chat import codes as C
from stagedoor.chat.pipeline.classifier import Classifier, ClassifyContext, Verdict, configured_classifier
from stagedoor.chat.pipeline.message import HELD, REFUSED, MessagePipeline, PipelineConfig
from stagedoor.chat.room import RoomState
from stagedoor.chat.ticket import ChatTicket
from stagedoor.moderation.management.subcommand import Subcommand

CLI_ROOM: Final = "cli"
ERR_BAD_LINE: Final = "moderation.bad_input"
#: each line gets its own hour of monotonic time: the rate limits never see a burst
_SPACING_S: Final = 3600.0


@dataclass
class _Recorder:
    """Wraps the live classifier and keeps the verdict of the line being checked."""

    inner: Classifier
    last: Verdict | None = None

    def classify(self, text: str, ctx: ClassifyContext) -> Verdict:
        self.last = self.inner.classify(text, ctx)
        return self.last


def _pipeline(classifier: Classifier) -> MessagePipeline:
    words = tuple(getattr(settings, "STAGEDOOR_CHAT_PLATFORM_WORDS", ()))
    return MessagePipeline(PipelineConfig(platform_words=words), classifier=classifier)


def _bad(n: int, message: str) -> dict[str, Any]:
    return {"error": {"code": ERR_BAD_LINE, "message": message}, "line": n}


def classify_lines(lines: TextIO, out: TextIO) -> tuple[int, int]:
    """Classify JSON lines from ``lines`` onto ``out``; returns (lines classified, malformed)."""
    recorder = _Recorder(configured_classifier())
    pipeline = _pipeline(recorder)
    rooms: dict[str, RoomState] = {}
    done = bad = 0
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            result = _bad(n, f"not JSON: {exc.msg}")
        else:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                result = _bad(n, 'expected an object with a string "text"')
            elif "room" in item and not isinstance(item["room"], str):
                result = _bad(n, '"room" must be a string')
            else:
                room = item.get("room") or CLI_ROOM
                state = rooms.setdefault(room, RoomState(room))
                result = _classify_one(pipeline, recorder, state, item["text"], n)
        if "error" in result:
            bad += 1
        else:
            done += 1
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return done, bad


def _classify_one(pipeline: MessagePipeline, recorder: _Recorder, room: RoomState, text: str, n: int) -> dict[str, Any]:
    sender = ChatTicket(
        room=room.room,
        user_id="cli",
        login="cli",
        role="viewer",
        perms=frozenset({C.PERM_READ, C.PERM_WRITE}),
        exp=0,
        flags=frozenset({"registered"}),
    )
    recorder.last = None
    outcome = pipeline.check(sender=sender, room=room, text=text, ip=None, now=time.time(), mono=n * _SPACING_S)
    verdict = recorder.last
    if verdict is None:  # refused before the classifier ran
        assert outcome.status == REFUSED and outcome.code is not None
        return {"verdict": "block", "category": outcome.code, "score": 1.0}
    category = verdict.reason or "benign"
    expected = "block" if outcome.status == REFUSED else "hold" if outcome.status == HELD else "allow"
    assert verdict.action.name.lower() == expected, (verdict, outcome)
    return {"verdict": expected, "category": category, "score": round(verdict.score, 4)}


def _classify(cmd: BaseCommand, options: dict[str, Any]) -> None:
    done, bad = classify_lines(sys.stdin, cmd.stdout)  # type: ignore[arg-type]
    if options["verbosity"] >= 2:
        cmd.stderr.write(f"classified {done} line(s), {bad} malformed")


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    from stagedoor.moderation.text.dataset import DEFAULT_SEED

    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data set seed (default: the shipped one)")
    parser.add_argument("--out-dir", type=Path, default=None, help="write the data and model here instead")


def _train(cmd: BaseCommand, options: dict[str, Any]) -> None:
    from stagedoor.moderation.text import training

    out_dir: Path | None = options["out_dir"]
    data_dir = out_dir or training.DATA_DIR
    report = training.build(seed=options["seed"], data_dir=data_dir, model_path=data_dir / "model.npz")
    cmd.stdout.write(
        json.dumps(
            {
                "train_lines": report.train_lines,
                "heldout_lines": report.heldout_lines,
                "vocabulary": report.vocabulary,
                "model": str(report.model_path),
                "model_bytes": report.model_bytes,
            }
        )
    )


def _evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None, help="a model file (default: the configured one)")
    parser.add_argument("--heldout", type=Path, default=None, help="a JSON-lines split (default: the shipped one)")


def _evaluate(cmd: BaseCommand, options: dict[str, Any]) -> None:
    from stagedoor.moderation.text import training
    from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, TextModerator
    from stagedoor.moderation.text.model import ModelFileError, load_model

    path = options["model"] or Path(settings.STAGEDOOR.moderation.text_model or DEFAULT_MODEL_PATH)
    heldout = options["heldout"] or training.HELDOUT_PATH
    try:
        moderator = TextModerator(load_model(path))
        examples = training.heldout_examples(heldout)
    except (ModelFileError, OSError, ValueError, KeyError) as exc:
        raise CommandError(str(exc)) from exc
    cmd.stdout.write(json.dumps(training.evaluate(moderator, examples)))


CLASSIFY: Final = Subcommand(
    "classify", 'classify JSON lines {"text": ...} from stdin, one verdict line each', _classify
)
TRAIN: Final = Subcommand("train", "regenerate the chat data set and model file", _train, _train_arguments)
EVALUATE: Final = Subcommand(
    "evaluate", "per-category precision and recall on the held-out split", _evaluate, _evaluate_arguments
)
