"""Progress display on a terminal; silence in CI or when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from glasshouse.config import in_ci


def wanted(disabled: bool) -> bool:
    return not disabled and not in_ci() and sys.stderr.isatty()


class PhaseProgress:
    """Counts items per named phase; ``None``-safe when the display is off."""

    def __init__(self, progress: Progress | None, console: Console) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self.console = console  # messages go through it, above the bars, not over them

    def print(self, message: str) -> None:
        self.console.print(Text(message), soft_wrap=True, highlight=False)

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(phase, total=total)
        self._progress.update(task, completed=done, total=total)


@contextmanager
def display(enabled: bool, *, transfer: bool = False) -> Iterator[PhaseProgress]:
    console = Console(stderr=True, highlight=False, markup=False)
    if not enabled:
        yield PhaseProgress(None, console)
        return
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn()]
    if transfer:
        columns += [DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()]
    else:
        columns += [MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        yield PhaseProgress(progress, console)
