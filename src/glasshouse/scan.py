"""One gate run: walk the tree once, run every scanner on the files it wants, decide.

This module wires the parts together and returns a ``Report``; it prints nothing and
never exits (that is the CLI's job), so the server and tests can call it directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from glasshouse import __version__
from glasshouse.config import DEFAULT_MAX_DB_AGE_HOURS, DEFAULT_OSV_BASE_URL
from glasshouse.gate.baseline import Baseline
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import DEFAULT_POLICY, Policy
from glasshouse.model import Finding, Package, Problem, Report, ScanStats
from glasshouse.sarif_import import read_sarif
from glasshouse.scanners.base import ProgressHook, ScanContext, Scanner
from glasshouse.scanners.registry import SCANNERS
from glasshouse.walk import IGNORE_FILE, walk


@dataclass(frozen=True, slots=True)
class ScanOptions:
    target: Path
    cache_dir: Path
    offline: bool = False
    base_url: str = DEFAULT_OSV_BASE_URL
    max_db_age_hours: float = DEFAULT_MAX_DB_AGE_HOURS
    policy: Policy = DEFAULT_POLICY
    baseline: Baseline | None = None
    override: str | None = None  # break-glass reason
    actor: str = "unknown"  # who runs the gate (from the CI environment)
    sarif: tuple[Path, ...] = ()  # other tools' findings to judge under the same policy
    staged: bool = False  # secrets: the git index instead of the working tree
    history: str | None = None  # secrets: also git history ("" every ref, or "A..B")


def run_scan(
    options: ScanOptions,
    progress: ProgressHook | None = None,
    scanners: tuple[Scanner, ...] = SCANNERS,
) -> Report:
    started = time.perf_counter()
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    walked = walk(options.target, [s.wants for s in scanners], excludes=options.policy.exclude)
    problems: list[Problem] = list(walked.problems)
    if walked.excluded:
        shown = ", ".join(walked.excluded[:10])
        more = f" and {len(walked.excluded) - 10} more" if len(walked.excluded) > 10 else ""
        by = f"{IGNORE_FILE} and the policy" if options.policy.exclude else IGNORE_FILE
        problems.append(Problem("walk", f"excluded by {by}: {shown}{more}", blocking=False))
    for note in options.policy.notes:
        problems.append(Problem("policy", note, blocking=False))
    root = options.target.resolve()
    context = ScanContext(
        root=root.parent if root.is_file() else root,
        cache_dir=options.cache_dir,
        offline=options.offline,
        base_url=options.base_url,
        max_db_age_hours=options.max_db_age_hours,
        progress=progress,
        history=options.history,
        staged=options.staged,
        secret_rules=options.policy.secret_rules,
    )
    findings: list[Finding] = []
    packages: list[Package] = []
    files: set[str] = set()
    database: dict[str, str] = {}
    for index, scanner in enumerate(scanners):
        result = scanner.run([f for f in walked.files if index in f.claimants], context)
        findings.extend(result.findings)
        problems.extend(result.problems)
        packages.extend(result.packages)
        files.update(result.files)
        database.update(result.database)
    for sarif_file in options.sarif:
        imported = read_sarif(sarif_file, context.root)
        findings.extend(imported.findings)
        problems.extend(imported.problems)
    decision = decide(
        findings,
        problems,
        options.policy,
        baseline=options.baseline,
        override=options.override,
        actor=options.actor,
    )
    stats = ScanStats(
        files_scanned=len(files),
        packages=len(packages),
        unpinned=sum(1 for p in packages if p.version is None),
        duration_seconds=round(time.perf_counter() - started, 3),
        database=database,
    )
    return Report(
        target=str(options.target),
        tool_version=__version__,
        started_at=started_at,
        findings=tuple(findings),
        problems=tuple(problems),
        packages=tuple(packages),
        decision=decision,
        stats=stats,
        policy_sources=options.policy.sources,
    )
