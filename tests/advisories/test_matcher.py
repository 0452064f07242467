"""OSV range evaluation, alias merging and the smallest fixing upgrade."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glasshouse.advisories.findings import VulnerabilityFinder, primary_id
from glasshouse.advisories.importer import import_path
from glasshouse.advisories.matcher import Matcher, Outcome
from glasshouse.advisories.osv import parse_advisory
from glasshouse.advisories.store import AdvisoryStore
from glasshouse.model import Location, Package, Severity


def doc(ident: str, ecosystem: str, name: str, *ranges: Any, **extra: Any) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    affected["ranges"] = [
        {"type": kind, "events": [{k: v} for k, v in events]} for kind, events in ranges
    ]
    if "versions" in extra:
        affected["versions"] = extra.pop("versions")
    return {"id": ident, "modified": "2024-01-01T00:00:00Z", "affected": [affected], **extra}


def check(document: dict[str, Any], version: str) -> Outcome:
    advisory = parse_advisory(document)
    entry = advisory.affected[0]
    return Matcher(entry.ecosystem).check(advisory, entry.name.lower(), version).outcome


A, N = Outcome.AFFECTED, Outcome.NOT_AFFECTED


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # introduced / fixed
        ([("introduced", "0"), ("fixed", "1.5")], {"1.0": A, "1.4.9": A, "1.5": N, "2.0": N}),
        # two branches, listed out of order: the schema says to sort
        (
            [("introduced", "2.0"), ("fixed", "2.3"), ("introduced", "1.0"), ("fixed", "1.7")],
            {"0.9": N, "1.0": A, "1.6": A, "1.7": N, "1.9": N, "2.0": A, "2.2.1": A, "2.3": N},
        ),
        # last_affected includes its own version
        ([("introduced", "1.0"), ("last_affected", "1.4")], {"1.4": A, "1.4.1": N, "0.5": N}),
        # introduced without an end: every later version
        ([("introduced", "3.0")], {"2.9": N, "3.0": A, "99": A}),
        # introduced and fixed at one version: an empty range
        ([("introduced", "1.0"), ("fixed", "1.0")], {"1.0": N, "0.1": N}),
        # limit caps the range
        ([("introduced", "0"), ("limit", "2.0")], {"1.9": A, "2.0": N, "3.0": N}),
        # PEP 440 specifics: pre-releases sort before the release
        ([("introduced", "0"), ("fixed", "2.0")], {"2.0rc1": A, "2.0.post1": N, "1!0.1": N}),
    ],
)
def test_ecosystem_ranges(events: list[tuple[str, str]], expected: dict[str, Outcome]) -> None:
    document = doc("T-1", "PyPI", "demo", ("ECOSYSTEM", events))
    assert {v: check(document, v) for v in expected} == expected


def test_git_range_is_skipped_without_hiding_the_others() -> None:
    document = doc(
        "T-2",
        "PyPI",
        "demo",
        ("GIT", [("introduced", "0"), ("fixed", "deadbeef")]),
        ("ECOSYSTEM", [("introduced", "0"), ("fixed", "1.2")]),
    )
    assert check(document, "1.1") is A
    assert check(document, "1.2") is N


def test_versions_list_matches_textually_and_by_equality() -> None:
    document = doc("T-3", "PyPI", "demo", versions=["3.2", "4.0"])
    assert check(document, "3.2") is A
    assert check(document, "3.2.0") is A  # 3.2.0 == 3.2 on PyPI
    assert check(document, "3.3") is N


def test_semver_ranges_for_go_accept_the_v_prefix() -> None:
    document = doc(
        "GO-1", "Go", "example.com/m", ("SEMVER", [("introduced", "0"), ("fixed", "1.4.2")])
    )
    assert check(document, "v1.4.1") is A
    assert check(document, "v1.4.2") is N
    assert check(document, "v1.4.2-0.20200101000000-abcdefabcdef") is A  # pseudo-version
    assert check(document, "v2.0.0+incompatible") is N


def test_unorderable_version_is_undecidable_not_a_pass() -> None:
    document = doc("T-4", "PyPI", "demo", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "2")]))
    assert check(document, "not a version!!") is Outcome.UNDECIDABLE


def test_primary_id_prefers_cve_then_native_id() -> None:
    assert primary_id(["PYSEC-2021-1", "GHSA-aaaa", "CVE-2021-9", "CVE-2021-10"]) == "CVE-2021-10"
    assert primary_id(["GHSA-aaaa", "RUSTSEC-2020-1"]) == "RUSTSEC-2020-1"
    assert primary_id(["GHSA-b", "GHSA-a"]) == "GHSA-a"


def _scan(tmp_path: Path, documents: list[dict[str, Any]], packages: list[Package]) -> Any:
    folder = tmp_path / "osv"
    folder.mkdir(parents=True)
    for document in documents:
        (folder / f"{document['id']}.json").write_text(json.dumps(document))
    store = AdvisoryStore.in_dir(tmp_path / "cache")
    import_path(store, folder)
    return VulnerabilityFinder(store).scan(packages)


def pkg(name: str, version: str | None, ecosystem: str = "PyPI") -> Package:
    return Package(name, version, ecosystem, Location("requirements.txt", 3))


def test_aliases_merge_into_one_finding_with_the_highest_severity(tmp_path: Path) -> None:
    critical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    documents = [
        doc(
            "PYSEC-1",
            "PyPI",
            "demo",
            ("ECOSYSTEM", [("introduced", "0"), ("fixed", "1.5")]),
            aliases=["CVE-2024-7"],
        ),
        doc(
            "GHSA-x",
            "PyPI",
            "demo",
            ("ECOSYSTEM", [("introduced", "0"), ("fixed", "1.6")]),
            aliases=["CVE-2024-7"],
            severity=[{"type": "CVSS_V3", "score": critical}],
        ),
        doc("PYSEC-2", "PyPI", "demo", ("ECOSYSTEM", [("introduced", "1.0"), ("fixed", "2.1")])),
        doc("PYSEC-3", "PyPI", "demo", ("ECOSYSTEM", [("introduced", "5.0")])),
    ]
    result = _scan(tmp_path, documents, [pkg("Demo", "1.2")])
    by_rule = {f.rule_id: f for f in result.findings}
    assert sorted(by_rule) == ["CVE-2024-7", "PYSEC-2"]
    merged = by_rule["CVE-2024-7"]
    assert merged.severity is Severity.CRITICAL
    assert merged.vulnerability is not None
    assert merged.vulnerability.advisory_ids == ("CVE-2024-7", "GHSA-x", "PYSEC-1")
    assert merged.vulnerability.fixed_versions == ("1.5", "1.6")
    assert by_rule["PYSEC-2"].severity is Severity.UNKNOWN
    # the smallest upgrade that fixes everything affecting 1.2 is 2.1
    assert merged.fix is not None
    assert merged.fix.versions == ("2.1",)
    assert "2.1" in merged.fix.summary


def test_no_known_fix_is_said_plainly(tmp_path: Path) -> None:
    documents = [doc("PYSEC-9", "PyPI", "demo", ("ECOSYSTEM", [("introduced", "0")]))]
    (finding,) = _scan(tmp_path, documents, [pkg("demo", "1.0")]).findings
    assert finding.fix is not None
    assert finding.fix.versions == ()
    assert "No fixed version" in finding.fix.summary


def test_unpinned_and_unorderable_packages_are_kept(tmp_path: Path) -> None:
    documents = [
        doc("PYSEC-9", "PyPI", "demo", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "2")]))
    ]
    result = _scan(tmp_path, documents, [pkg("demo", None), pkg("demo", "%%%")])
    assert [p.version for p in result.unpinned] == [None]
    assert [p.version for p in result.undecidable] == ["%%%"]
    assert result.findings == []


def test_fingerprint_ignores_line_and_version(tmp_path: Path) -> None:
    documents = [
        doc("PYSEC-9", "PyPI", "demo", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "2")]))
    ]
    first = _scan(tmp_path / "a", documents, [pkg("demo", "1.0")]).findings[0]
    moved = Package("demo", "1.1", "PyPI", Location("requirements.txt", 40))
    second = _scan(tmp_path / "b", documents, [moved]).findings[0]
    assert first.fingerprint == second.fingerprint
