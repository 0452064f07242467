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

from glasshouse.config import in_ci


def wanted(disabled: bool) -> bool:
    return not disabled and not in_ci() and sys.stderr.isatty()


class PhaseProgress:
    """Counts items per named phase; ``None``-safe when the display is off."""

    def __init__(self, progress: Progress | None, *, transfer: bool = False) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self._transfer = transfer

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(phase, total=total)
        self._progress.update(task, completed=done, total=total)


@contextmanager
def display(enabled: bool, *, transfer: bool = False) -> Iterator[PhaseProgress]:
    if not enabled:
        yield PhaseProgress(None)
        return
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn()]
    if transfer:
        columns += [DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()]
    else:
        columns += [MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield PhaseProgress(progress, transfer=transfer)
