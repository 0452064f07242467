"""The result of one scan: findings, what could not be read, and the gate's decision."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from glasshouse.model.finding import Finding
from glasshouse.model.gate import BaselineComparison, Judgement, Override, WaiverUse
from glasshouse.model.package import Package

REPORT_SCHEMA_VERSION = "1.1"


class ExitCode(enum.IntEnum):
    """The contract with the pipeline (DESIGN.md); documented in the README."""

    PASSED = 0
    FAILED = 1
    INCOMPLETE = 2
    USAGE = 3


class Verdict(enum.Enum):
    PASS = "pass"  # noqa: S105 - a verdict, not a credential
    FAIL = "fail"
    INCOMPLETE = "incomplete"

    @property
    def exit_code(self) -> ExitCode:
        return {
            Verdict.PASS: ExitCode.PASSED,
            Verdict.FAIL: ExitCode.FAILED,
            Verdict.INCOMPLETE: ExitCode.INCOMPLETE,
        }[self]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a scanner could not read or do; it makes the verdict incomplete.

    ``path`` is the file concerned (relative to the scan root), or ``None`` for
    problems not tied to one file (no advisory database, say). ``message`` is one line.
    """

    scanner: str
    message: str
    path: str | None = None
    blocking: bool = True  # False: a warning that does not make the scan incomplete

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's verdict, and everything it weighed to reach it.

    ``judgements`` runs parallel to ``Report.findings``. ``evaluated`` is the verdict
    the policy gave before warn mode or a break-glass override changed what the
    pipeline sees (``verdict``).
    """

    verdict: Verdict
    reasons: tuple[str, ...]
    judgements: tuple[Judgement, ...] = ()
    evaluated: Verdict | None = None
    mode: str = "enforce"
    waivers: tuple[WaiverUse, ...] = ()
    override: Override | None = None
    baseline: BaselineComparison | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.verdict.exit_code


@dataclass(frozen=True, slots=True)
class ScanStats:
    files_scanned: int = 0
    packages: int = 0
    unpinned: int = 0
    duration_seconds: float = 0.0
    database: dict[str, str] = field(default_factory=dict)  # ecosystem -> snapshot age


@dataclass(frozen=True, slots=True)
class Report:
    target: str
    tool_version: str
    started_at: str  # RFC 3339, UTC
    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...]
    packages: tuple[Package, ...]
    decision: Decision
    stats: ScanStats = field(default_factory=ScanStats)
    policy_sources: tuple[str, ...] = ()  # the policy files (or URLs) in force, outermost first
    schema_version: str = REPORT_SCHEMA_VERSION
