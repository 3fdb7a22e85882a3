"""The import-linter contracts cover every app, and dropping an app from the layer order breaks them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parents[4]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads(PYPROJECT.read_text())
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _apps() -> set[str]:
    return {app.removeprefix("stagedoor.") for app in settings.INSTALLED_APPS if app.startswith("stagedoor.")}


def test_every_installed_app_has_a_place_in_the_layer_order() -> None:
    layered = {
        name.strip() for layer in _contracts()["app-layers"]["layers"] for name in layer.replace(":", "|").split("|")
    }
    assert _apps() <= layered, f"apps missing from the layer order: {_apps() - layered}"


def test_every_installed_app_keeps_its_own_layers() -> None:
    containers = {c.removeprefix("stagedoor.") for c in _contracts()["app-rooms"]["containers"]}
    assert containers == _apps()


def _lint(config_text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "importlinter.toml"
    config.write_text(config_text)
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--contract", "app-layers"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold_and_an_unplaced_app_breaks_them(tmp_path: Path) -> None:
    text = PYPROJECT.read_text()
    kept = _lint(text, tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    without_rooms = text.replace('    "rooms",\n', "", 1)
    assert without_rooms != text
    broken = _lint(without_rooms, tmp_path)
    assert broken.returncode != 0
    assert "rooms" in broken.stdout
