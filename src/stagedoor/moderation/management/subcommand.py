"""The shape of a `stagedoor moderation` subcommand (see ``commands/moderation.py``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    return None


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    run: Callable[[BaseCommand, dict[str, Any]], None]
    add_arguments: Callable[[argparse.ArgumentParser], None] = field(default=_no_arguments)
