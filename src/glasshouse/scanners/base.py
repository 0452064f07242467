"""The interface every scanner implements, and what it is given and gives back.

A scanner declares a cheap predicate on file names; the walk runs once for all of them
and hands each scanner the files it wants. Scanners never print or exit: they return
findings, and problems for whatever they could not read or do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from glasshouse.model import Finding, Package, Problem
from glasshouse.secrets.rule import Rule
from glasshouse.walk import WalkedFile

# (phase, done, total): the CLI turns these into a progress display.
ProgressHook = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ScanContext:
    """Everything a scanner may use besides its files: passed explicitly, never global."""

    root: Path  # the scanned directory (the parent directory when one file is scanned)
    cache_dir: Path
    offline: bool
    base_url: str
    max_db_age_hours: float
    progress: ProgressHook | None = None
    history: str | None = None  # secrets in git history: "" for every ref, or revisions "A..B"
    staged: bool = False  # secrets in the git index only (a pre-commit hook), not the tree
    secret_rules: tuple[Rule, ...] = ()  # the project's own secret rules, beside the built-in

    def report(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


@dataclass
class ScannerResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)  # the inventory, if it makes one
    files: list[str] = field(default_factory=list)  # files it read successfully
    database: dict[str, str] = field(default_factory=dict)  # data it relied on -> age


class Scanner(Protocol):
    name: str

    def wants(self, basename: str, relpath: str) -> bool:
        """Cheap, without I/O: should this file be handed to ``run``?"""
        ...

    def run(self, files: list[WalkedFile], context: ScanContext) -> ScannerResult: ...
