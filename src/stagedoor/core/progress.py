"""Progress for long checks run from the command line (`audit verify`, `ledger verify`)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn


def collect_with_progress[P](
    items: Iterable[P | int], *, problem_type: type[P], label: str, total: int, console: Console
) -> tuple[list[P], int]:
    """Drain a verifier that yields problems and running counts (ints), showing a progress bar.

    Returns the problems found and the last count.
    """
    problems: list[P] = []
    checked = 0
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            if isinstance(item, problem_type):
                problems.append(item)
            elif isinstance(item, int):
                checked = item
                progress.update(task, completed=checked)
    return problems, checked
