"""CycloneDX 1.6 SBOM with VEX: valid against the official schema (the library's strict
validator, offline), deterministic, and truthful about what the gate decided."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import warnings
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from glasshouse.fingerprint import fingerprint
from glasshouse.gate.baseline import Baseline
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    CodeDetails,
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Problem,
    Report,
    Severity,
    VulnerabilityDetails,
    Waiver,
)
from glasshouse.report import cyclonedx
from glasshouse.report.purl import purl

from .fixture_report import fixture_report

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 27)
VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering and validating must not touch the network (schemas ship with the lib)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def valid(text: str) -> dict[str, Any]:
    errors = VALIDATOR.validate_str(text, all_errors=True)
    assert errors is None, [str(e) for e in errors]
    doc: dict[str, Any] = json.loads(text)
    return doc


def render(report: Report) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the library warns about incomplete graphs
        return valid(cyclonedx.render(report))


def pkg(
    name: str,
    version: str | None = "1.0.0",
    ecosystem: str = "PyPI",
    path: str = "requirements.txt",
    line: int | None = 1,
    *,
    direct: bool | None = True,
    dev: bool | None = None,
    requirement: str | None = None,
) -> Package:
    return Package(name, version, ecosystem, Location(path, line), direct, dev, requirement)


def vuln(
    package: Package,
    rule_id: str,
    *,
    aliases: tuple[str, ...] = (),
    severity: Severity = Severity.HIGH,
    fixed: tuple[str, ...] = ("9.9.9",),
    vectors: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule_id,
        title=f"Problem in {package.name}",
        severity=severity,
        location=package.location,
        fingerprint=fingerprint(
            FindingKind.VULNERABILITY,
            rule_id,
            f"{package.ecosystem}/{package.name.lower()}",
            package.location.path,
        ),
        fix=Fix(f"Upgrade {package.name} to {fixed[-1]}.", fixed[-1:]) if fixed else None,
        vulnerability=VulnerabilityDetails(
            package=package,
            advisory_ids=(rule_id, *aliases),
            fixed_versions=fixed,
            cvss_vectors=vectors,
            references=references,
        ),
    )


def report(
    packages: Sequence[Package],
    findings: Sequence[Finding] = (),
    *,
    policy: Policy | None = None,
    baseline: Baseline | None = None,
    problems: Sequence[Problem] = (),
    started_at: str = "2026-03-04T05:06:07Z",
) -> Report:
    return Report(
        target="/builds/acme/shop",
        tool_version="1.2.3",
        started_at=started_at,
        findings=tuple(findings),
        problems=tuple(problems),
        packages=tuple(packages),
        decision=decide(findings, problems, policy or Policy(), baseline=baseline, today=TODAY),
    )


def by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in doc.get("components", [])}


def props(item: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in item.get("properties", []) if p["name"] == name]


def vulns(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in doc.get("vulnerabilities", [])}


def test_the_validator_is_strict_checks_formats_and_stays_offline() -> None:
    """Guards the tests themselves: a lax validator would pass anything."""
    good = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}
    assert VALIDATOR.validate_str(json.dumps(good)) is None
    assert VALIDATOR.validate_str(json.dumps({**good, "unknown": 1})) is not None
    # format checks need jsonschema's format extras (cyclonedx-python-lib[json-validation])
    bad_time = {**good, "metadata": {"timestamp": "yesterday"}}
    assert VALIDATOR.validate_str(json.dumps(bad_time)) is not None
    # the SPDX schema the 1.6 schema refers to resolves from the library's own copy
    # (the autouse fixture refuses sockets), and is really applied
    for license_id, ok in (("MIT", True), ("NOT-A-LICENSE", False)):
        component = {"type": "library", "name": "x", "licenses": [{"license": {"id": license_id}}]}
        text = json.dumps({**good, "components": [component]})
        assert (VALIDATOR.validate_str(text) is None) is ok


def test_the_fixture_report_is_a_valid_sbom_with_vex() -> None:
    doc = render(fixture_report())
    assert (doc["$schema"], doc["bomFormat"], doc["specVersion"], doc["version"]) == (
        "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "CycloneDX",
        "1.6",
        1,
    )
    assert doc["serialNumber"].startswith("urn:uuid:")
    meta = doc["metadata"]
    assert meta["timestamp"] == "2026-01-02T03:04:05+00:00"
    assert meta["tools"]["components"] == [
        {"name": "glasshouse", "type": "application", "version": "0.0.0-test"}
    ]
    assert meta["lifecycles"] == [{"phase": "pre-build"}]
    assert props(meta, "glasshouse:verdict") == ["fail"]
    assert props(meta, "glasshouse:problem") == [
        "poetry.lock: cannot parse as poetrylock: Expected '=' at line 3"
    ]
    components = by_ref(doc)
    # the inventory, plus pyyaml: vulnerable, though absent from the fixture's inventory
    assert sorted(components) == [
        "pkg:golang/golang.org/x/text@v0.3.0",
        "pkg:pypi/django@2.2",
        "pkg:pypi/flask",
        "pkg:pypi/pyyaml@5.3",
    ]
    django = components["pkg:pypi/django@2.2"]
    assert (django["name"], django["version"], django["purl"]) == (
        "Django",
        "2.2",
        "pkg:pypi/django@2.2",
    )
    assert props(django, "glasshouse:location") == ["requirements.txt:1"]
    assert props(django, "glasshouse:direct") == ["true"]
    assert props(components["pkg:golang/golang.org/x/text@v0.3.0"], "glasshouse:direct") == [
        "false"
    ]
    # the code finding (bandit) has no component: it is not a VEX statement
    found = vulns(doc)
    assert sorted(found) == ["CVE-2019-14234", "CVE-2020-14343", "GO-2020-0015", "PYSEC-2021-9"]
    cve = found["CVE-2019-14234"]
    assert cve["source"] == {
        "name": "NVD",
        "url": "https://nvd.nist.gov/vuln/detail/CVE-2019-14234",
    }
    assert cve["references"] == [
        {
            "id": "GHSA-6r97-cj55-9hrq",
            "source": {
                "name": "GitHub Advisories",
                "url": "https://github.com/advisories/GHSA-6r97-cj55-9hrq",
            },
        },
        {
            "id": "PYSEC-2019-13",
            "source": {"name": "OSV", "url": "https://osv.dev/vulnerability/PYSEC-2019-13"},
        },
    ]
    assert cve["ratings"] == [
        {
            "method": "CVSSv31",
            "score": 9.8,
            "severity": "critical",
            "vector": "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        }
    ]
    assert cve["recommendation"] == "Upgrade Django from 2.2 to 2.2.18."
    assert cve["description"] == "Example problem in Django <b>markup</b> [stays] literal"
    assert cve["affects"] == [
        {"ref": "pkg:pypi/django@2.2", "versions": [{"status": "affected", "version": "2.2"}]}
    ]
    assert cve["advisories"] == [{"url": "https://osv.dev/vulnerability/CVE-2019-14234"}]
    assert cve["analysis"]["state"] == "exploitable"
    assert cve["analysis"]["response"] == ["update"]
    waived = found["CVE-2020-14343"]["analysis"]
    assert waived["response"] == ["will_not_fix"]
    assert "W-7 until 2026-12-20" in waived["detail"]
    assert "approved by security-lead" in waived["detail"]
    assert "ticket SEC-7" in waived["detail"]
    assert "SafeLoader" in waived["detail"]
    go = found["GO-2020-0015"]
    assert go["source"]["name"] == "OSV"
    assert "response" not in go["analysis"]  # no fixed version: nothing to point at
    assert go["ratings"] == [
        {
            "justification": "Glasshouse severity; the advisory gives no usable rating",
            "method": "other",
            "severity": "unknown",
            "source": {"name": "Glasshouse"},
        }
    ]


@pytest.mark.parametrize("seed", ["0", "1", "2"])
def test_output_does_not_depend_on_hash_randomization(seed: str, tmp_path: Path) -> None:
    """The library keeps sets: their order must never reach the output."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from tests.report.test_cyclonedx import hash_probe; "
        "sys.stdout.write(hash_probe())"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
    ).stdout
    assert out == hash_probe()


def hash_probe() -> str:
    """A report where every set the library keeps has several members."""
    upper = pkg("Django", "2.2", path="requirements.txt", line=4)
    lower = pkg("django", "2.2", path="app/poetry.lock", line=80, direct=False)
    flask = pkg("flask", None, requirement=">=2", line=2)
    again = pkg("Flask", None, path="web/requirements.txt", requirement="<3", line=9)
    findings = [
        vuln(upper, "CVE-2019-14234", aliases=("GHSA-6r97-cj55-9hrq", "PYSEC-2019-13")),
        vuln(lower, "CVE-2019-14234", aliases=("GHSA-6r97-cj55-9hrq", "PYSEC-2019-13")),
        vuln(upper, "PYSEC-2021-9", references=("https://a.example/1", "https://b.example/2")),
    ]
    return cyclonedx.render(report([upper, lower, flask, again], findings))


def test_rendering_is_deterministic_and_owes_nothing_to_the_clock() -> None:
    first = cyclonedx.render(fixture_report())
    assert first == cyclonedx.render(fixture_report())
    assert first.endswith("}\n")
    other = cyclonedx.render(report([pkg("a")], started_at="2026-03-04T05:06:08Z"))
    again = cyclonedx.render(report([pkg("a")], started_at="2026-03-04T05:06:08Z"))
    assert other == again
    serial = json.loads(other)["serialNumber"]
    assert serial != json.loads(cyclonedx.render(report([pkg("a")])))["serialNumber"]
    assert serial != json.loads(first)["serialNumber"]
    assert json.loads(other)["metadata"]["timestamp"] == "2026-03-04T05:06:08+00:00"


def test_every_disposition_maps_to_a_truthful_vex_analysis() -> None:
    blocking = vuln(pkg("alpha"), "CVE-2026-0001", severity=Severity.CRITICAL)
    allowed = vuln(pkg("beta"), "GHSA-aaaa-bbbb-cccc", severity=Severity.LOW, fixed=())
    waived = vuln(pkg("gamma"), "PYSEC-2026-3", aliases=("CVE-2026-0003",))
    existing = vuln(pkg("delta"), "CVE-2026-0004")
    ignored = vuln(pkg("epsilon", dev=True, direct=False), "CVE-2026-0005")
    policy = Policy(
        scope="new",
        ignore_dev_dependencies=True,
        waivers=(
            Waiver(
                id="W-1",
                reason="the vulnerable parser is never given user input",
                expires=date(2026, 12, 31),
                rule="CVE-2026-0003",  # an alias: waivers are alias-aware
                owner="team-shop",
                approver="sec-lead",
                ticket="SEC-1",
            ),
        ),
    )
    findings = [blocking, allowed, waived, existing, ignored]
    baseline = Baseline("baseline.json", {existing.fingerprint: ("CVE-2026-0004", "x")})
    doc = render(report([], findings, policy=policy, baseline=baseline))
    found = vulns(doc)
    analyses = {rule: v["analysis"] for rule, v in found.items()}
    # Glasshouse never claims an analysis it did not make
    assert {a["state"] for a in analyses.values()} == {"exploitable"}
    assert "justification" not in json.dumps(analyses)
    assert analyses["CVE-2026-0001"]["response"] == ["update"]
    assert "blocking (critical is at or above high)" in analyses["CVE-2026-0001"]["detail"]
    assert "response" not in analyses["GHSA-aaaa-bbbb-cccc"]  # allowed, and no fix known
    assert "allowed (below high)" in analyses["GHSA-aaaa-bbbb-cccc"]["detail"]
    assert analyses["PYSEC-2026-3"]["response"] == ["will_not_fix"]
    assert analyses["PYSEC-2026-3"]["detail"].startswith(
        "Glasshouse gate: requirements.txt: waived by W-1 until 2026-12-31 (owner team-shop, "
        "approved by sec-lead, ticket SEC-1): the vulnerable parser is never given user input."
    )
    assert analyses["CVE-2026-0004"]["response"] == ["update"]
    assert (
        "existing (in the baseline; only new findings block)"
        in (analyses["CVE-2026-0004"]["detail"])
    )
    assert "response" not in analyses["CVE-2026-0005"]
    assert "ignored (dev dependency, ignored by policy)" in analyses["CVE-2026-0005"]["detail"]
    dispositions = {rule: props(v, "glasshouse:disposition") for rule, v in found.items()}
    assert dispositions == {
        "CVE-2026-0001": ["blocking"],
        "GHSA-aaaa-bbbb-cccc": ["allowed"],
        "PYSEC-2026-3": ["waived"],
        "CVE-2026-0004": ["existing"],
        "CVE-2026-0005": ["ignored"],
    }
    assert props(found["PYSEC-2026-3"], "glasshouse:waiver") == ["W-1"]
    assert props(found["CVE-2026-0001"], "glasshouse:fingerprint") == [blocking.fingerprint]
    assert found["GHSA-aaaa-bbbb-cccc"]["source"]["name"] == "GitHub Advisories"
    assert found["PYSEC-2026-3"]["references"][0]["id"] == "CVE-2026-0003"
    # the dev dependency is outside the runtime, which the component's scope says
    assert by_ref(doc)["pkg:pypi/epsilon@1.0.0"]["scope"] == "excluded"


def test_duplicate_purls_are_one_component_and_one_vulnerability() -> None:
    upper = pkg("Django", "2.2", path="requirements.txt", line=4)
    lower = pkg("django", "2.2", path="app/poetry.lock", line=80, direct=False)
    findings = [vuln(upper, "CVE-2019-14234"), vuln(lower, "CVE-2019-14234")]
    policy = Policy(
        waivers=(
            Waiver(id="W-2", reason="app is retired", expires=date(2026, 12, 1), path="app/*"),
        )
    )
    doc = render(report([upper, lower], findings, policy=policy))
    components = by_ref(doc)
    assert list(components) == ["pkg:pypi/django@2.2"]
    django = components["pkg:pypi/django@2.2"]
    assert django["name"] == "Django"  # as first found
    assert sorted(props(django, "glasshouse:location")) == [
        "app/poetry.lock:80",
        "requirements.txt:4",
    ]
    assert props(django, "glasshouse:direct") == ["true"]  # direct in one file at least
    [found] = doc["vulnerabilities"]
    assert found["affects"] == [
        {"ref": "pkg:pypi/django@2.2", "versions": [{"status": "affected", "version": "2.2"}]}
    ]
    assert sorted(props(found, "glasshouse:fingerprint")) == sorted(f.fingerprint for f in findings)
    # one file waived, the other blocking: the blocking one speaks, both are told
    assert props(found, "glasshouse:disposition") == ["blocking"]
    assert found["analysis"]["response"] == ["update"]
    assert "requirements.txt: blocking" in found["analysis"]["detail"]
    assert "app/poetry.lock: waived by W-2" in found["analysis"]["detail"]


@pytest.mark.parametrize(
    ("devs", "scope", "dev"),
    [
        ((True, True), "excluded", ["true"]),
        ((True, False), "required", ["false"]),
        ((False, None), "required", ["false"]),
        ((True, None), None, []),
        ((None, None), None, []),
    ],
)
def test_scope_follows_the_dev_flags_where_known(
    devs: tuple[bool | None, bool | None], scope: str | None, dev: list[str]
) -> None:
    packages = [
        pkg("left-pad", "1.3.0", "npm", f"{i}/package-lock.json", dev=flag)
        for i, flag in enumerate(devs)
    ]
    [component] = render(report(packages))["components"]
    assert component.get("scope") == scope
    assert props(component, "glasshouse:dev") == dev


def test_unpinned_packages_are_components_without_a_version() -> None:
    flask = pkg("flask", None, requirement=">=2", line=2)
    again = pkg("Flask", None, path="web/requirements.txt", requirement="<3", line=9)
    pinned = pkg("flask", "2.3.3", path="api/requirements.txt")
    bare = pkg("rich", None, requirement=None)
    doc = render(report([flask, again, pinned, bare]))
    components = by_ref(doc)
    assert sorted(components) == [
        "pkg:pypi/flask",
        "pkg:pypi/flask@2.3.3",
        "pkg:pypi/rich",
    ]
    unpinned = components["pkg:pypi/flask"]
    assert "version" not in unpinned
    assert unpinned["purl"] == "pkg:pypi/flask"
    assert props(unpinned, "glasshouse:version-status") == ["unpinned"]
    assert sorted(props(unpinned, "glasshouse:requirement")) == ["<3", ">=2"]
    assert props(components["pkg:pypi/rich"], "glasshouse:version-status") == ["unpinned"]
    assert props(components["pkg:pypi/rich"], "glasshouse:requirement") == []
    assert props(components["pkg:pypi/flask@2.3.3"], "glasshouse:version-status") == []


def test_packages_of_every_ecosystem() -> None:
    packages = [
        pkg("Requests", "2.31.0", "PyPI"),
        pkg("@babel/core", "7.24.0", "npm", "package-lock.json"),
        pkg("golang.org/x/net", "v0.17.0", "Go", "go.mod"),
        pkg("serde", "1.0.197", "crates.io", "Cargo.lock"),
        pkg("org.apache.commons:commons-text", "1.9", "Maven", "pom.xml"),
        pkg("rack", "2.2.8", "RubyGems", "Gemfile.lock"),
        pkg("symfony/http-kernel", "6.4.0", "Packagist", "composer.lock"),
        pkg("Newtonsoft.Json", "13.0.1", "NuGet", "packages.lock.json"),
        pkg("openssl", "3.0.11-1~deb12u2", "Debian:12", "var/lib/dpkg/status"),
        pkg("musl", "1.2.4-r2", "Alpine:v3.19", "lib/apk/db/installed"),
        pkg("plug", "1.15.0", "Hex", "mix.lock"),  # no purl type in Glasshouse
    ]
    doc = render(report(packages))
    components = {c["name"]: c for c in doc["components"]}
    for package in packages:
        expected = purl(package)
        if expected is None:
            continue
        [component] = [c for c in doc["components"] if c.get("purl") == expected]
        assert component["bom-ref"] == expected
        assert component["version"] == package.version
    assert (components["core"]["group"], components["core"]["purl"]) == (
        "@babel",
        "pkg:npm/%40babel/core@7.24.0",
    )
    assert components["commons-text"]["group"] == "org.apache.commons"
    assert components["http-kernel"]["group"] == "symfony"
    assert "group" not in components["golang.org/x/net"]
    hex_ = components["plug"]
    assert hex_["bom-ref"] == "glasshouse:pkg:Hex/plug@1.15.0"
    assert "purl" not in hex_
    assert props(hex_, "glasshouse:ecosystem") == ["Hex"]
    assert len(doc["dependencies"][0]["dependsOn"]) == len(packages)


def test_an_empty_report_is_a_valid_bom_of_the_target_alone() -> None:
    doc = render(report([]))
    assert doc["metadata"]["component"] == {
        "bom-ref": "glasshouse:target",
        "name": "shop",
        "type": "application",
    }
    assert "components" not in doc
    assert "vulnerabilities" not in doc
    assert "dependencies" not in doc  # not even an empty entry: "no dependencies" is unknown
    assert doc["compositions"] == [
        {
            "aggregate": "unknown",
            "assemblies": ["glasshouse:target"],
            "dependencies": ["glasshouse:target"],
        }
    ]


def test_the_graph_names_only_what_is_known() -> None:
    direct = pkg("click", "8.1.7")
    transitive = pkg("colorama", "0.4.6", direct=False)
    unknown = pkg("six", "1.16.0", direct=None)
    doc = render(report([direct, transitive, unknown]))
    assert doc["dependencies"] == [
        {"dependsOn": ["pkg:pypi/click@8.1.7"], "ref": "glasshouse:target"}
    ]
    assert doc["compositions"] == [
        {
            "aggregate": "unknown",
            "assemblies": ["glasshouse:target"],
            "dependencies": [
                "glasshouse:target",
                "pkg:pypi/click@8.1.7",
                "pkg:pypi/colorama@0.4.6",
                "pkg:pypi/six@1.16.0",
            ],
        }
    ]


def test_without_any_direct_dependency_known_there_is_no_invented_root() -> None:
    packages = [pkg("six", "1.16.0", direct=None), pkg("idna", "3.6", direct=False)]
    doc = render(report(packages))  # and no warning about an incomplete graph
    assert "component" not in doc["metadata"]
    assert "dependencies" not in doc
    assert doc["compositions"] == [
        {"aggregate": "unknown", "dependencies": ["pkg:pypi/idna@3.6", "pkg:pypi/six@1.16.0"]}
    ]


def test_problems_reading_the_inventory_make_it_incomplete() -> None:
    packages = [pkg("click", "8.1.7")]
    unreadable = Problem("dependencies", "cannot parse as uvlock: bad", "uv.lock")
    sarif = Problem("sarif", "cannot read bandit.sarif", "bandit.sarif")
    warning = Problem("dependencies", "1 dependency not checked", "requirements.txt", False)
    doc = render(report(packages, problems=[sarif, warning]))
    assert doc["compositions"][0]["aggregate"] == "unknown"
    assert props(doc["metadata"], "glasshouse:problem") == []
    doc = render(report(packages, problems=[unreadable, sarif, warning]))
    assert doc["compositions"][0]["aggregate"] == "incomplete"
    assert props(doc["metadata"], "glasshouse:problem") == ["uv.lock: cannot parse as uvlock: bad"]


@pytest.mark.parametrize(
    ("vectors", "ratings"),
    [
        (
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",),
            [("CVSSv31", 9.8, "critical", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")],
        ),
        (
            ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N",),
            [("CVSSv3", 5.4, "medium", "AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N")],
        ),
        (
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",),
            [("CVSSv4", 9.3, "critical", "AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")],
        ),
        (
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"),
            [
                ("CVSSv2", 7.5, "high", "AV:N/AC:L/Au:N/C:P/I:P/A:P"),
                ("CVSSv31", 1.8, "low", "AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"),
            ],
        ),
        (("CVSS:3.1/AV:X/garbage", "not a vector"), [("other", None, "high", None)]),
    ],
)
def test_ratings_come_from_cvss_vectors_or_else_the_glasshouse_severity(
    vectors: tuple[str, ...], ratings: list[tuple[str, float | None, str, str | None]]
) -> None:
    finding = vuln(pkg("alpha"), "CVE-2026-0001", severity=Severity.HIGH, vectors=vectors)
    [found] = render(report([], [finding]))["vulnerabilities"]
    got = [(r["method"], r.get("score"), r["severity"], r.get("vector")) for r in found["ratings"]]
    assert sorted(got, key=str) == sorted(ratings, key=str)


def test_only_vulnerabilities_with_web_urls_and_their_own_sources() -> None:
    finding = vuln(
        pkg("alpha"),
        "RUSTSEC-2026-0001",
        aliases=("CVE-2026-0001", "GHSA-xxxx-yyyy-zzzz", "cve-2026-0001"),
        references=(
            "https://example.com/advisory?id=1&x=[2]",
            "https://example.com/with space",
            "javascript:alert(1)",
            "ftp://example.com/file",
            "https://example.com/advisory?id=1&x=[2]",
        ),
    )
    code = Finding(
        kind=FindingKind.CODE,
        rule_id="bandit:B602",
        title="shell=True",
        severity=Severity.HIGH,
        location=Location("app/run.py", 3),
        fingerprint="f" * 32,
        code=CodeDetails(tool="Bandit", message="shell=True"),
    )
    secret = Finding(
        kind=FindingKind.SECRET,
        rule_id="aws-access-key",
        title="AWS access key",
        severity=Severity.CRITICAL,
        location=Location(".env", 1),
        fingerprint="e" * 32,
    )
    [found] = render(report([], [finding, code, secret]))["vulnerabilities"]
    assert found["source"] == {
        "name": "OSV",
        "url": "https://osv.dev/vulnerability/RUSTSEC-2026-0001",
    }
    assert [r["id"] for r in found["references"]] == ["CVE-2026-0001", "GHSA-xxxx-yyyy-zzzz"]
    assert [a["url"] for a in found["advisories"]] == [
        "https://example.com/advisory?id=1&x=%5B2%5D",
        "https://osv.dev/vulnerability/RUSTSEC-2026-0001",
    ]
