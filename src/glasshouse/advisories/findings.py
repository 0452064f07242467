"""Vulnerability findings for packages: packages in, findings out.

It asks the store only for the packages it was given, evaluates each advisory with the
matcher, merges advisories that are aliases of one another into one finding, and works
out for each package the smallest upgrade that fixes all of its advisories.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from glasshouse.advisories.matcher import Matcher, Outcome
from glasshouse.advisories.osv import InvalidAdvisory, parse_advisory
from glasshouse.advisories.severity import rate
from glasshouse.advisories.store import AdvisoryStore, StoredAdvisory, StoreError
from glasshouse.ecosystems import base_ecosystem, normalize_name
from glasshouse.fingerprint import fingerprint
from glasshouse.model import (
    Advisory,
    Affected,
    EventKind,
    Finding,
    FindingKind,
    Fix,
    Package,
    Problem,
    VulnerabilityDetails,
)

SCANNER = "dependencies"  # the scanner these findings and problems belong to


@dataclass
class DependencyResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unpinned: list[Package] = field(default_factory=list)
    undecidable: list[Package] = field(default_factory=list)


def primary_id(ids: Iterable[str]) -> str:
    """The id a merged finding is known by: a CVE when there is one (the most widely
    recognized and the most stable as databases add records), else the ecosystem
    database's own id, else a GHSA id."""
    ordered = sorted(set(ids))
    for prefix in ("CVE-",):
        cves = [i for i in ordered if i.startswith(prefix)]
        if cves:
            return cves[0]
    native = [i for i in ordered if not i.startswith("GHSA-")]
    return (native or ordered)[0]


def _merge_aliases(advisories: list[Advisory]) -> list[list[Advisory]]:
    """Group advisories that name one another (or share an alias) into one vulnerability."""
    parent = list(range(len(advisories)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, advisory in enumerate(advisories):
        for ident in (advisory.id, *advisory.aliases):
            if ident in owner:
                parent[find(index)] = find(owner[ident])
            else:
                owner[ident] = index
    groups: dict[int, list[Advisory]] = defaultdict(list)
    for index, advisory in enumerate(advisories):
        groups[find(index)].append(advisory)
    return list(groups.values())


class VulnerabilityFinder:
    def __init__(self, store: AdvisoryStore) -> None:
        self.store = store
        self._parsed: dict[str, Advisory | None] = {}
        self._matchers: dict[str, Matcher] = {}

    def _advisory(self, stored: StoredAdvisory, problems: list[Problem]) -> Advisory | None:
        if stored.id not in self._parsed:
            try:
                self._parsed[stored.id] = parse_advisory(json.loads(stored.body))
            except (InvalidAdvisory, ValueError, StoreError) as exc:
                problems.append(
                    Problem(SCANNER, f"advisory {stored.id} in the database is unreadable: {exc}")
                )
                self._parsed[stored.id] = None
        return self._parsed[stored.id]

    def _matcher(self, ecosystem: str) -> Matcher:
        matcher = self._matchers.get(ecosystem)
        if matcher is None:
            matcher = self._matchers[ecosystem] = Matcher(ecosystem)
        return matcher

    def scan(
        self, packages: Iterable[Package], progress: Callable[[int, int], None] | None = None
    ) -> DependencyResult:
        result = DependencyResult()
        pinned: dict[tuple[str, str], list[Package]] = defaultdict(list)
        for package in packages:
            if package.version is None:
                result.unpinned.append(package)
                continue
            key = (
                base_ecosystem(package.ecosystem),
                normalize_name(package.ecosystem, package.name),
            )
            pinned[key].append(package)
        if not pinned:
            return result
        stored = self.store.lookup(pinned)
        for done, (key, records) in enumerate(stored.items(), 1):
            if progress is not None and done % 64 == 0:
                progress(done, len(stored))
            group = pinned[key]
            matcher = self._matcher(key[0])
            candidates = [
                (advisory, matcher.entries(advisory, key[1]))
                for record in records
                if (advisory := self._advisory(record, result.problems)) is not None
            ]
            if not candidates:
                continue
            by_version: dict[str, list[Package]] = defaultdict(list)
            for package in group:
                assert package.version is not None
                by_version[package.version].append(package)
            for version, same in by_version.items():
                self._judge(key, version, same, candidates, result)
        result.findings.sort(key=lambda f: (-f.severity, f.location.path, f.rule_id))
        return result

    def _judge(
        self,
        key: tuple[str, str],
        version: str,
        packages: list[Package],
        candidates: list[tuple[Advisory, tuple[Affected, ...]]],
        result: DependencyResult,
    ) -> None:
        ecosystem, name = key
        matcher = self._matcher(ecosystem)
        hits: list[Advisory] = []
        hit_entries: list[tuple[Affected, ...]] = []
        fixed_by_id: dict[str, tuple[str, ...]] = {}
        undecidable = False
        for advisory, entries in candidates:
            verdict = matcher.check_entries(entries, version)
            if verdict.outcome is Outcome.AFFECTED:
                hits.append(advisory)
                hit_entries.append(entries)
                fixed_by_id[advisory.id] = verdict.fixed
            elif verdict.outcome is Outcome.UNDECIDABLE:
                undecidable = True
        if undecidable and not hits:
            result.undecidable.extend(packages)
        if not hits:
            return
        upgrade = self._smallest_fix(matcher, version, hit_entries, fixed_by_id)
        for group in _merge_aliases(hits):
            ids = sorted({ident for adv in group for ident in (adv.id, *adv.aliases)})
            rule_id = primary_id(ids)
            ordered_ids = (rule_id, *(i for i in ids if i != rule_id))
            rated = max((rate(adv, ecosystem, name) for adv in group), key=lambda r: r.severity)
            fixed = matcher.sort_versions(
                list(dict.fromkeys(v for adv in group for v in fixed_by_id[adv.id]))
            )
            title = next((adv.summary for adv in group if adv.summary), rule_id)
            references = tuple(
                dict.fromkeys([group[0].url, *(r for adv in group for r in adv.references)])
            )[:10]
            for package in packages:
                fix = _fix_text(package, upgrade)
                result.findings.append(
                    Finding(
                        kind=FindingKind.VULNERABILITY,
                        rule_id=rule_id,
                        title=title,
                        severity=rated.severity,
                        location=package.location,
                        fingerprint=fingerprint(
                            FindingKind.VULNERABILITY,
                            rule_id,
                            f"{ecosystem}/{name}",
                            package.location.path,
                        ),
                        fix=fix,
                        vulnerability=VulnerabilityDetails(
                            package=package,
                            advisory_ids=ordered_ids,
                            fixed_versions=tuple(fixed),
                            cvss_vectors=rated.vectors,
                            severity_source=rated.source,
                            references=references,
                        ),
                    )
                )

    @staticmethod
    def _smallest_fix(
        matcher: Matcher,
        version: str,
        hit_entries: list[tuple[Affected, ...]],
        fixed_by_id: dict[str, tuple[str, ...]],
    ) -> str | None:
        """The lowest version above ``version`` that none of the affecting advisories
        affects, among the versions they name as fixes; ``None`` if none is known."""
        candidates = {v for fixed in fixed_by_id.values() for v in fixed}
        ordered = matcher.sort_versions([v for v in candidates if matcher.newer(v, version)])
        if not ordered:
            return None
        # Below the first fix of each advisory, the version's range is still open: with
        # only introduced/fixed events, no candidate under the largest such first fix
        # can be clean, so the search starts there (last_affected or limit events can
        # close a range earlier; then every candidate is tried).
        start = 0
        if not any(_closes_early(entries) for entries in hit_entries):
            position = {v: i for i, v in enumerate(ordered)}
            firsts = [
                min(position[v] for v in fixed if v in position)
                for fixed in fixed_by_id.values()
                if any(v in position for v in fixed)
            ]
            start = max(firsts, default=0)
        for candidate in ordered[start:]:
            if all(
                matcher.check_entries(entries, candidate).outcome is Outcome.NOT_AFFECTED
                for entries in hit_entries
            ):
                return candidate
        return None


def _closes_early(entries: tuple[Affected, ...]) -> bool:
    return any(
        event.kind in (EventKind.LAST_AFFECTED, EventKind.LIMIT)
        for entry in entries
        for rng in entry.ranges
        for event in rng.events
    )


def _fix_text(package: Package, upgrade: str | None) -> Fix:
    if upgrade is None:
        return Fix(f"No fixed version of {package.name} is known yet: remove it or mitigate.")
    return Fix(f"Upgrade {package.name} from {package.version} to {upgrade}.", (upgrade,))
