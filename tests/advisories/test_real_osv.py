"""The matcher against the real OSV exports of ../shared/osv.

For a sample of real advisories, every version an advisory lists as affected (its
``versions`` list, and each ``introduced`` version of its ranges) must be reported, and
each ``fixed`` version must not be, unless the advisory itself also lists it as affected.
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

from glasshouse.advisories.findings import VulnerabilityFinder
from glasshouse.advisories.store import AdvisoryStore
from glasshouse.model import Location, Package

SAMPLE = 250  # advisories per ecosystem


def _sample(export: Path, ecosystem: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(export) as archive:
        docs = [json.loads(archive.read(name)) for name in sorted(archive.namelist())]
    usable = [
        d
        for d in docs
        if not d.get("withdrawn")
        and any(a.get("package", {}).get("ecosystem") == ecosystem for a in d.get("affected", []))
    ]
    return random.Random(1234).sample(usable, min(SAMPLE, len(usable)))


def _expectations(
    doc: dict[str, Any], ecosystem: str
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    affected: set[tuple[str, str]] = set()
    fixed: set[tuple[str, str]] = set()
    for entry in doc.get("affected", []):
        package = entry.get("package", {})
        if package.get("ecosystem") != ecosystem:
            continue
        name = package["name"]
        listed = set(entry.get("versions", []))
        affected.update((name, v) for v in list(listed)[:30])
        for rng in entry.get("ranges", []):
            if rng["type"] == "GIT":
                continue
            events = rng["events"]
            fixes = {e["fixed"] for e in events if "fixed" in e}
            for event in events:
                intro = event.get("introduced")
                if intro and intro not in ("0", "0.0.0-0") and intro not in fixes:
                    affected.add((name, intro))
            fixed.update((name, v) for v in fixes if v not in listed)
    return affected, fixed


def test_sampled_real_advisories_match_their_own_versions(
    imported_cache: Path, osv_exports: dict[str, Path]
) -> None:
    store = AdvisoryStore.in_dir(imported_cache)
    missed: list[str] = []
    wrongly: list[str] = []
    checked = 0
    for ecosystem, export in osv_exports.items():
        expected_in: dict[tuple[str, str], set[str]] = {}
        expected_out: dict[tuple[str, str], set[str]] = {}
        for doc in _sample(export, ecosystem):
            affected, fixed = _expectations(doc, ecosystem)
            for pin in affected:
                expected_in.setdefault(pin, set()).add(doc["id"])
            for pin in fixed - affected:
                # only the record's own id: an alias may be shared with another record
                # that does affect this version (GHSA-qcx9-j53g-ccgf names two PYSECs)
                expected_out.setdefault(pin, set()).add(doc["id"])
        pins = set(expected_in) | set(expected_out)
        packages = [Package(n, v, ecosystem, Location(f"{n}@{v}")) for n, v in sorted(pins)]
        result = VulnerabilityFinder(store).scan(packages)
        reported: dict[tuple[str, str], set[str]] = {}
        for finding in result.findings:
            assert finding.vulnerability is not None
            pkg = finding.vulnerability.package
            assert pkg.version is not None
            reported.setdefault((pkg.name, pkg.version), set()).update(
                finding.vulnerability.advisory_ids
            )
        for pin, ids in expected_in.items():
            checked += len(ids)
            missed.extend(f"{ecosystem} {pin}: {i}" for i in ids - reported.get(pin, set()))
        for pin, ids in expected_out.items():
            checked += 1
            leaked = ids & reported.get(pin, set())
            if leaked and not (expected_in.get(pin, set()) & leaked):
                wrongly.append(f"{ecosystem} {pin}: {sorted(leaked)}")
    assert checked > 1000
    assert missed == []
    assert wrongly == []


def test_smallest_fix_equals_a_brute_force_search(imported_cache: Path) -> None:
    """The scanner starts its search for the smallest clean upgrade at the largest
    first fix; on real advisories that must give what trying every fix gives."""
    from glasshouse.advisories.matcher import Matcher, Outcome
    from glasshouse.advisories.osv import parse_advisory

    store = AdvisoryStore.in_dir(imported_cache)
    pins = [
        ("PyPI", "django", "2.2"),
        ("PyPI", "django", "3.1.0"),
        ("PyPI", "pillow", "6.0.0"),
        ("PyPI", "jinja2", "2.10"),
        ("PyPI", "urllib3", "1.24.1"),
        ("PyPI", "tensorflow", "2.4.0"),
        ("Go", "golang.org/x/net", "v0.0.0-20200226121028-0de0cce0169b"),
        ("Go", "stdlib", "1.19.0"),
        ("Go", "github.com/gin-gonic/gin", "v1.6.0"),
        ("crates.io", "hyper", "0.14.0"),
        ("crates.io", "tokio", "1.0.0"),
    ]
    packages = [Package(n, v, e, Location(f"{n}@{v}")) for e, n, v in pins]
    findings = VulnerabilityFinder(store).scan(packages).findings
    chosen = {}
    for finding in findings:
        assert finding.vulnerability is not None
        pkg = finding.vulnerability.package
        assert finding.fix is not None
        chosen[(pkg.ecosystem, pkg.name, pkg.version)] = finding.fix.versions
    assert len(chosen) == len(pins)
    for (ecosystem, name, version), fix in chosen.items():
        key = name.lower() if ecosystem == "PyPI" else name
        matcher = Matcher(ecosystem)
        advisories = [
            parse_advisory(json.loads(s.body))
            for s in store.lookup([(ecosystem, key)])[(ecosystem, key)]
        ]
        hits = [a for a in advisories if matcher.check(a, key, version).outcome is Outcome.AFFECTED]
        fixes = {f for a in hits for f in matcher.check(a, key, version).fixed}
        brute = next(
            (
                c
                for c in matcher.sort_versions([f for f in fixes if matcher.newer(f, version)])
                if all(matcher.check(a, key, c).outcome is Outcome.NOT_AFFECTED for a in hits)
            ),
            None,
        )
        assert fix == ((brute,) if brute else ()), (name, version)
