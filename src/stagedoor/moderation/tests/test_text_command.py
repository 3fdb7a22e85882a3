"""`stagedoor moderation classify | train | evaluate`, run as an operator runs them (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stagedoor.chat.pipeline.normalize import display_text
from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, shared_moderator
from stagedoor.moderation.text.model import load_model
from stagedoor.moderation.text.training import HELDOUT_PATH, TRAIN_PATH, evaluate, heldout_examples

STAGEDOOR = str(Path(sys.executable).with_name("stagedoor"))


def _run(args: list[str], stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STAGEDOOR, "moderation", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "STAGEDOOR_VAR_DIR": str(tmp_path / "var"), **env},
        check=False,
    )


def _expected(text: str) -> dict[str, Any]:
    r = shared_moderator(DEFAULT_MODEL_PATH).classify(display_text(text))
    return {"verdict": "allow" if r.category == "benign" else "hold", "category": r.category, "score": r.score}


def test_classify_answers_each_line_in_order(tmp_path: Path) -> None:
    lines = [
        {"text": "hello from Brazil!"},
        {"text": "add me on s n a p, k1tty_99"},
        "this is not json",
        {"text": "i'm fourteen, is that ok?", "room": "room-a"},
        {"txt": "no text field"},
        {"text": "kill yourself"},
        ["a", "list"],
        {"text": "you killed it tonight!"},
        {"text": "   "},
        {"text": "my cashapp is $janedoe"},
    ]
    stdin = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    stdin += "\n"  # a blank line is not an input
    proc = _run(["classify"], stdin, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    bad_object = {"code": "moderation.bad_input", "message": 'expected an object with a string "text"'}
    assert out == [
        _expected("hello from Brazil!"),
        _expected("add me on s n a p, k1tty_99"),
        {"error": {"code": "moderation.bad_input", "message": "not JSON: Expecting value"}, "line": 3},
        _expected("i'm fourteen, is that ok?"),
        {"error": bad_object, "line": 5},
        _expected("kill yourself"),
        {"error": bad_object, "line": 7},
        _expected("you killed it tonight!"),
        {"verdict": "block", "category": "chat.message_empty", "score": 1.0},  # the pipeline refuses it first
        _expected("my cashapp is $janedoe"),
    ]
    assert [o.get("category") for o in out] == [
        "benign",
        "off_platform",
        None,
        "minor_risk",
        None,
        "harassment",
        None,
        "benign",
        "chat.message_empty",
        "off_platform",
    ]


def test_classify_uses_the_platform_policy_setting(tmp_path: Path) -> None:
    stdin = '{"text": "add me on snap kitty_99"}\n{"text": "im 14 lol"}\n'
    proc = _run(["classify"], stdin, tmp_path, STAGEDOOR_MODERATION_TEXT_POLICY="off_platform=block,minor_risk=block")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(o["verdict"], o["category"]) for o in out] == [("block", "off_platform"), ("block", "minor_risk")]


def test_a_policy_lowering_minor_risk_stops_the_command(tmp_path: Path) -> None:
    proc = _run(["classify"], '{"text": "hi"}\n', tmp_path, STAGEDOOR_MODERATION_TEXT_POLICY="minor_risk=allow")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "STAGEDOOR_MODERATION_TEXT_POLICY: minor_risk is always at least hold" in proc.stderr


def test_evaluate_prints_the_heldout_report(tmp_path: Path) -> None:
    proc = _run(["evaluate"], "", tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report == evaluate(shared_moderator(DEFAULT_MODEL_PATH), heldout_examples())
    assert report["recall_min"] >= 0.9
    assert report["benign_fpr"] <= 0.02


def test_evaluate_with_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    proc = _run(["evaluate", "--model", str(tmp_path / "absent.npz")], "", tmp_path)
    assert proc.returncode == 1
    assert "absent.npz: no such file" in proc.stderr


@pytest.mark.timeout(600)
def test_train_regenerates_the_shipped_data_and_model(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    proc = _run(["train", "--out-dir", str(out_dir)], "", tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["model"] == str(out_dir / "model.npz")
    assert (out_dir / "train.jsonl").read_bytes() == TRAIN_PATH.read_bytes()
    assert (out_dir / "heldout.jsonl").read_bytes() == HELDOUT_PATH.read_bytes()
    fresh, shipped = load_model(out_dir / "model.npz"), load_model(DEFAULT_MODEL_PATH)
    assert summary["vocabulary"] == len(shipped.vocabulary)
    assert fresh.vocabulary == shipped.vocabulary
    assert fresh.lexicon == shipped.lexicon
    # The same data, features and solver: the same model, up to floating-point summation order (a threaded BLAS
    # may split a reduction differently from run to run: differences of 1e-13 in the intercepts, and one float32
    # step in stored weights, were seen — far below anything a score can show).
    np.testing.assert_allclose(fresh.weights, shipped.weights, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fresh.intercept, shipped.intercept, rtol=1e-9, atol=1e-11)
