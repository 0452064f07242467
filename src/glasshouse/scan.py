"""One gate run: walk the tree, read lockfiles, match advisories, decide.

This module wires the parts together and returns a ``Report``; it prints nothing and
never exits (that is the CLI's job), so the server and tests can call it directly.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from glasshouse import __version__
from glasshouse.advisories.store import AdvisoryStore, StoreError
from glasshouse.advisories.update import UpdateError, source_name, update_ecosystem
from glasshouse.config import DEFAULT_MAX_DB_AGE_HOURS, DEFAULT_OSV_BASE_URL
from glasshouse.ecosystems import base_ecosystem
from glasshouse.gate.decision import DEFAULT_POLICY, GatePolicy, decide
from glasshouse.inventory.registry import EXTRACTORS
from glasshouse.model import Package, Problem, Report, ScanStats
from glasshouse.scanners.dependencies import SCANNER, DependencyScanner
from glasshouse.scanners.lockfiles import parse_files
from glasshouse.walk import IGNORE_FILE, walk


@dataclass(frozen=True, slots=True)
class ScanOptions:
    target: Path
    cache_dir: Path
    offline: bool = False
    base_url: str = DEFAULT_OSV_BASE_URL
    max_db_age_hours: float = DEFAULT_MAX_DB_AGE_HOURS
    policy: GatePolicy = DEFAULT_POLICY


# (phase, done, total): the CLI turns these into a progress display.
ProgressHook = Callable[[str, int, int], None]


def run_scan(options: ScanOptions, progress: ProgressHook | None = None) -> Report:
    started = time.perf_counter()
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    walked = walk(options.target, [e.matches for e in EXTRACTORS], scanner=SCANNER)
    problems: list[Problem] = list(walked.problems)
    if walked.excluded:
        shown = ", ".join(walked.excluded[:10])
        more = f" and {len(walked.excluded) - 10} more" if len(walked.excluded) > 10 else ""
        problems.append(
            Problem("walk", f"excluded by {IGNORE_FILE}: {shown}{more}", blocking=False)
        )

    done = 0
    total = len(walked.files)

    def on_file(_: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("reading lockfiles", done, total)

    inventory = parse_files(options.target, walked.files, EXTRACTORS, on_file)
    problems.extend(inventory.problems)
    packages = inventory.packages
    findings = []
    database: dict[str, str] = {}
    if any(p.version is not None for p in packages):
        store = AdvisoryStore.in_dir(options.cache_dir)
        try:
            with store:
                if not options.offline:
                    problems.extend(_refresh_stale(store, options, packages))
                database = _database_ages(store)
                if not database:
                    raise StoreError(
                        "no advisory database: run `glasshouse db update` "
                        "(or `glasshouse db import PATH` offline)"
                    )
                problems.extend(_uncovered(store, packages))

                def on_match(done: int, total: int) -> None:
                    if progress is not None:
                        progress("matching advisories", done, total)

                result = DependencyScanner(store).scan(packages, on_match)
        except StoreError as exc:
            problems.append(Problem(SCANNER, str(exc)))
        else:
            findings = result.findings
            problems.extend(result.problems)
            problems.extend(_unchecked(result.unpinned, "no pinned version"))
            problems.extend(_unchecked(result.undecidable, "a version the ecosystem cannot order"))
    else:
        problems.extend(_unchecked([p for p in packages if p.version is None], "no pinned version"))
    decision = decide(findings, problems, options.policy)
    stats = ScanStats(
        files_scanned=len(set(inventory.files)),
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
    )


def _unchecked(packages: list[Package], why: str) -> list[Problem]:
    """One warning per file listing the dependencies that could not be checked."""
    by_file: dict[str, list[Package]] = defaultdict(list)
    for package in packages:
        by_file[package.location.path].append(package)
    problems = []
    for path, group in sorted(by_file.items()):
        shown = ", ".join(
            f"{p.name}{' ' + p.requirement if p.requirement else ''}"
            if p.version is None
            else f"{p.name} {p.version}"
            for p in group[:5]
        )
        more = f" and {len(group) - 5} more" if len(group) > 5 else ""
        problems.append(
            Problem(
                SCANNER,
                f"{len(group)} dependenc{'y' if len(group) == 1 else 'ies'} not checked, "
                f"{why}: {shown}{more}",
                path,
                blocking=False,
            )
        )
    return problems


def _uncovered(store: AdvisoryStore, packages: list[Package]) -> list[Problem]:
    """Ecosystems found in the tree that the database holds no advisories for: checking
    their packages against nothing would be a false pass."""
    covered = set(store.ecosystem_counts())
    missing: dict[str, int] = defaultdict(int)
    for package in packages:
        ecosystem = base_ecosystem(package.ecosystem)
        if package.version is not None and ecosystem not in covered:
            missing[ecosystem] += 1
    return [
        Problem(
            SCANNER,
            f"no {ecosystem} advisories in the database, {count} package(s) not checked: "
            f"run `glasshouse db update --ecosystem {ecosystem}`",
        )
        for ecosystem, count in sorted(missing.items())
    ]


def _database_ages(store: AdvisoryStore) -> dict[str, str]:
    now = time.time()
    ages = {}
    for source in store.sources():
        hours = (now - source.fetched_at) / 3600
        ages[source.name] = f"{hours:.1f}h" if hours < 48 else f"{hours / 24:.0f}d"
    return ages


def _refresh_stale(
    store: AdvisoryStore, options: ScanOptions, packages: list[Package]
) -> list[Problem]:
    """Update the downloaded ecosystems this scan needs whose copy is older than allowed.

    Failing to refresh is a warning: the older copy is still a sound basis for the gate.
    """
    if not store.path.exists():
        return []
    needed = {base_ecosystem(p.ecosystem) for p in packages}
    limit = time.time() - options.max_db_age_hours * 3600
    problems = []
    for source in store.sources():
        if source.kind != "update" or source.fetched_at >= limit:
            continue
        ecosystem = source.name.removeprefix("osv:")
        if source.name != source_name(ecosystem) or ecosystem not in needed:
            continue
        suffix = f"/{ecosystem}/all.zip"
        base_url = (
            source.location.removesuffix(suffix)
            if source.location.endswith(suffix)
            else options.base_url
        )
        try:
            update_ecosystem(store, base_url, ecosystem, timeout=20.0)
        except UpdateError as exc:
            problems.append(
                Problem(
                    SCANNER,
                    f"could not refresh the {ecosystem} advisories, using the older copy: {exc}",
                    blocking=False,
                )
            )
    return problems
