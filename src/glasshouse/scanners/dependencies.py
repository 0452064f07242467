"""The dependency scanner: lockfiles in the tree, matched against the local OSV store.

No database, or none for an ecosystem the tree uses, makes the result incomplete with
the command that fixes it: checking packages against nothing would be a false pass.
Dependencies that cannot be checked (unpinned, unorderable versions) are warnings
that name them, never dropped.
"""

from __future__ import annotations

import time
from collections import defaultdict

from glasshouse.advisories.findings import SCANNER, VulnerabilityFinder
from glasshouse.advisories.store import AdvisoryStore, StoreError
from glasshouse.advisories.update import UpdateError, source_name, update_ecosystem
from glasshouse.ecosystems import base_ecosystem
from glasshouse.inventory.registry import EXTRACTORS
from glasshouse.model import Package, Problem
from glasshouse.scanners.base import ScanContext, ScannerResult
from glasshouse.scanners.lockfiles import parse_files
from glasshouse.walk import WalkedFile


class DependencyScanner:
    name = SCANNER

    def wants(self, basename: str, relpath: str) -> bool:
        return any(e.matches(basename, relpath) for e in EXTRACTORS)

    def run(self, files: list[WalkedFile], context: ScanContext) -> ScannerResult:
        total = len(files)
        done = 0

        def on_file(_: str) -> None:
            nonlocal done
            done += 1
            context.report("reading lockfiles", done, total)

        inventory = parse_files(context.root, files, EXTRACTORS, on_file)
        result = ScannerResult(
            problems=inventory.problems, packages=inventory.packages, files=inventory.files
        )
        packages = inventory.packages
        if not any(p.version is not None for p in packages):
            result.problems.extend(_unchecked(packages, "no pinned version"))
            return result
        try:
            with AdvisoryStore.in_dir(context.cache_dir) as store:
                if not context.offline:
                    result.problems.extend(_refresh_stale(store, context, packages))
                result.database = _database_ages(store)
                if not result.database:
                    raise StoreError(
                        "no advisory database: run `glasshouse db update` "
                        "(or `glasshouse db import PATH` offline)"
                    )
                result.problems.extend(_uncovered(store, packages))

                def on_match(done: int, total: int) -> None:
                    context.report("matching advisories", done, total)

                found = VulnerabilityFinder(store).scan(packages, on_match)
        except StoreError as exc:
            result.problems.append(Problem(SCANNER, str(exc)))
            return result
        result.findings = found.findings
        result.problems.extend(found.problems)
        result.problems.extend(_unchecked(found.unpinned, "no pinned version"))
        result.problems.extend(
            _unchecked(found.undecidable, "a version the ecosystem cannot order")
        )
        return result


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
    """Ecosystems found in the tree that the database holds no advisories for."""
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
    store: AdvisoryStore, context: ScanContext, packages: list[Package]
) -> list[Problem]:
    """Update the downloaded ecosystems this scan needs whose copy is older than allowed.

    Failing to refresh is a warning: the older copy is still a sound basis for the gate.
    """
    needed = {base_ecosystem(p.ecosystem) for p in packages}
    limit = time.time() - context.max_db_age_hours * 3600
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
            else context.base_url
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
