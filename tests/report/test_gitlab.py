"""GitLab security reports (schema 15.0.7): dependency scanning and secret detection.

GitLab drops a report that fails its schema, and the schemas cannot be fetched here, so
``DEPENDENCY_SCANNING`` and ``SECRET_DETECTION`` below transcribe the requirements of the
15.0.x schemas for the fields Glasshouse writes: required fields, enums, patterns and
length limits. They are stricter than GitLab's in one way: no other field is allowed,
so a misspelt or unplanned field fails here first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import jsonschema
import pytest

from glasshouse.fingerprint import fingerprint
from glasshouse.gate.baseline import Baseline
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    Decision,
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Problem,
    Report,
    ScanStats,
    Severity,
    Verdict,
    VulnerabilityDetails,
    Waiver,
)
from glasshouse.report import gitlab

from .fixture_report import fixture_report

TODAY = date(2026, 11, 27)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

_TEXT = {"type": "string", "minLength": 1}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
_URL = {"type": "string", "pattern": "^(https?|ftp)://.+"}
_TOOL = {
    "type": "object",
    "required": ["id", "name", "version", "vendor"],
    "additionalProperties": False,
    "properties": {
        "id": _TEXT,
        "name": _TEXT,
        "url": {"type": "string", "pattern": "^https?://.+"},
        "version": _TEXT,
        "vendor": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": _TEXT},
        },
    },
}


def _scan(kind: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["analyzer", "end_time", "scanner", "start_time", "status", "type"],
        "additionalProperties": False,
        "properties": {
            "analyzer": _TOOL,
            "scanner": _TOOL,
            "type": {"const": kind},
            "start_time": _TIME,
            "end_time": _TIME,
            "status": {"enum": ["success", "failure"]},
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["level", "value"],
                    "additionalProperties": False,
                    "properties": {"level": {"enum": ["info", "warn", "fatal"]}, "value": _TEXT},
                },
            },
        },
    }


def _vulnerability(location: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "identifiers", "location"],
        "additionalProperties": False,
        "properties": {
            "id": _TEXT,
            "name": {"type": "string", "maxLength": 255},
            "description": {"type": "string", "maxLength": 1048576},
            "severity": {"enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"]},
            "solution": {"type": "string", "maxLength": 7000},
            "identifiers": {
                "type": "array",
                "minItems": 1,
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "required": ["type", "name", "value"],
                    "additionalProperties": False,
                    "properties": {"type": _TEXT, "name": _TEXT, "value": _TEXT, "url": _URL},
                },
            },
            "links": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["url"],
                    "additionalProperties": False,
                    "properties": {"name": {"type": "string"}, "url": _URL},
                },
            },
            "details": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["name", "type", "value"],
                    "additionalProperties": False,
                    "properties": {
                        "name": _TEXT,
                        "type": {"const": "text"},
                        "value": {"type": "string"},
                    },
                },
            },
            "location": location,
        },
    }


_DEPENDENCY = {
    "type": "object",
    "required": ["package", "version"],
    "additionalProperties": False,
    "properties": {
        "package": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": _TEXT},
        },
        "version": {"type": "string"},
        "direct": {"type": "boolean"},
    },
}
DEPENDENCY_SCANNING = {
    "type": "object",
    "required": ["version", "scan", "vulnerabilities", "dependency_files"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": "15.0.7"},
        "schema": {"type": "string", "pattern": "^https?://.+"},
        "scan": _scan("dependency_scanning"),
        "vulnerabilities": {
            "type": "array",
            "items": _vulnerability(
                {
                    "type": "object",
                    "required": ["file", "dependency"],
                    "additionalProperties": False,
                    "properties": {"file": _TEXT, "dependency": _DEPENDENCY},
                }
            ),
        },
        "dependency_files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "package_manager", "dependencies"],
                "additionalProperties": False,
                "properties": {
                    "path": _TEXT,
                    "package_manager": _TEXT,
                    "dependencies": {"type": "array", "items": _DEPENDENCY},
                },
            },
        },
    },
}
SECRET_DETECTION = {
    "type": "object",
    "required": ["version", "scan", "vulnerabilities"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": "15.0.7"},
        "schema": {"type": "string", "pattern": "^https?://.+"},
        "scan": _scan("secret_detection"),
        "vulnerabilities": {
            "type": "array",
            "items": _vulnerability(
                {
                    "type": "object",
                    "required": ["commit"],
                    "additionalProperties": False,
                    "properties": {
                        "file": _TEXT,
                        "start_line": {"type": "integer", "minimum": 1},
                        "end_line": {"type": "integer", "minimum": 1},
                        "commit": {
                            "type": "object",
                            "required": ["sha"],
                            "additionalProperties": False,
                            "properties": {"sha": _TEXT},
                        },
                    },
                }
            ),
        },
    },
}


def ds(report: Report) -> dict[str, Any]:
    text = gitlab.render_dependency_scanning(report)
    doc: dict[str, Any] = json.loads(text)
    jsonschema.validate(doc, DEPENDENCY_SCANNING)
    return doc


def sd(report: Report) -> dict[str, Any]:
    text = gitlab.render_secret_detection(report)
    doc: dict[str, Any] = json.loads(text)
    jsonschema.validate(doc, SECRET_DETECTION)
    return doc


def pkg(
    name: str,
    version: str | None = "1.0.0",
    ecosystem: str = "PyPI",
    path: str = "requirements.txt",
    *,
    direct: bool | None = True,
    dev: bool | None = None,
    requirement: str | None = None,
) -> Package:
    return Package(name, version, ecosystem, Location(path, 1), direct, dev, requirement)


def vuln(
    package: Package,
    rule_id: str,
    *,
    aliases: tuple[str, ...] = (),
    severity: Severity = Severity.HIGH,
    title: str | None = None,
    fix: str | None = "Upgrade to 9.9.9.",
    references: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule_id,
        title=title or f"Problem in {package.name}",
        severity=severity,
        location=package.location,
        fingerprint=fingerprint(
            FindingKind.VULNERABILITY,
            rule_id,
            f"{package.ecosystem}/{package.name}",
            package.location.path,
        ),
        fix=Fix(fix, ("9.9.9",)) if fix else None,
        vulnerability=VulnerabilityDetails(
            package=package,
            advisory_ids=(rule_id, *aliases),
            fixed_versions=("9.9.9",) if fix else (),
            references=references,
        ),
    )


def secret(
    path: str = "config/settings.py",
    line: int | None = 12,
    rule_id: str = "aws-access-key-id",
    severity: Severity = Severity.CRITICAL,
) -> Finding:
    """A synthetic secret finding: like every finding, it carries no secret value."""
    return Finding(
        kind=FindingKind.SECRET,
        rule_id=rule_id,
        title="AWS access key ID (AKIA****************)",
        severity=severity,
        location=Location(path, line),
        fingerprint=fingerprint(FindingKind.SECRET, rule_id, "hmac:1234abcd", path),
        fix=Fix("Revoke the key in AWS IAM, then remove it from the file and its history."),
    )


def report(
    findings: Sequence[Finding] = (),
    packages: Sequence[Package] = (),
    *,
    policy: Policy | None = None,
    baseline: Baseline | None = None,
    problems: Sequence[Problem] = (),
    started_at: str = "2026-03-04T05:06:07Z",
    duration: float = 1.5,
) -> Report:
    return Report(
        target="/builds/acme/shop",
        tool_version="1.2.3",
        started_at=started_at,
        findings=tuple(findings),
        problems=tuple(problems),
        packages=tuple(packages),
        decision=decide(findings, problems, policy or Policy(), baseline=baseline, today=TODAY),
        stats=ScanStats(duration_seconds=duration),
    )


def test_the_fixture_report_as_dependency_scanning() -> None:
    doc = ds(fixture_report())
    assert doc["version"] == "15.0.7"
    assert doc["schema"] == (
        "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
        "v15.0.7/dist/dependency-scanning-report-format.json"
    )
    scan = doc["scan"]
    assert scan["analyzer"] == {
        "id": "glasshouse",
        "name": "Glasshouse",
        "version": "0.0.0-test",
        "vendor": {"name": "Glasshouse"},
    }
    assert scan["scanner"] == scan["analyzer"]
    assert (scan["type"], scan["start_time"], scan["end_time"]) == (
        "dependency_scanning",
        "2026-01-02T03:04:05",
        "2026-01-02T03:04:05",
    )
    # poetry.lock could not be read: the scan is incomplete
    assert scan["status"] == "failure"
    assert scan["messages"] == [
        {
            "level": "warn",
            "value": "poetry.lock: cannot parse as poetrylock: Expected '=' at line 3",
        },
        {
            "level": "info",
            "value": "requirements.txt: 1 dependency not checked, no pinned version: flask >=2",
        },
        {
            "level": "info",
            "value": "1 waived (W-7) by the Glasshouse policy, not listed here: "
            "see the Glasshouse report",
        },
    ]
    found = {v["identifiers"][0]["value"]: v for v in doc["vulnerabilities"]}
    # blocking and allowed findings; the waived pyyaml one and the code finding are not
    assert list(found) == ["CVE-2019-14234", "PYSEC-2021-9", "GO-2020-0015"]
    cve = found["CVE-2019-14234"]
    assert UUID.match(cve["id"])
    assert cve["name"] == "Example problem in Django <b>markup</b> [stays] literal"
    assert cve["description"].startswith(
        "Example problem in Django \\<b\\>markup\\</b\\> \\[stays\\] literal\n\n"
        "Django 2.2 (PyPI), declared in requirements.txt, is affected by CVE-2019-14234."
    )
    assert "Fixed in 1.11.23, 2.1.11, 2.2.4." in cve["description"]
    assert cve["severity"] == "Critical"
    assert cve["solution"] == "Upgrade Django from 2.2 to 2.2.18."
    assert cve["identifiers"] == [
        {
            "type": "cve",
            "name": "CVE-2019-14234",
            "value": "CVE-2019-14234",
            "url": "https://nvd.nist.gov/vuln/detail/CVE-2019-14234",
        },
        {
            "type": "ghsa",
            "name": "GHSA-6r97-cj55-9hrq",
            "value": "GHSA-6r97-cj55-9hrq",
            "url": "https://github.com/advisories/GHSA-6r97-cj55-9hrq",
        },
        {
            "type": "osv",
            "name": "PYSEC-2019-13",
            "value": "PYSEC-2019-13",
            "url": "https://osv.dev/vulnerability/PYSEC-2019-13",
        },
    ]
    assert cve["location"] == {
        "file": "requirements.txt",
        "dependency": {"package": {"name": "Django"}, "version": "2.2", "direct": True},
    }
    assert cve["details"]["glasshouse_gate"]["value"] == "blocking: critical is at or above high"
    assert cve["details"]["glasshouse_baseline"]["value"] == "new"
    assert found["GO-2020-0015"]["severity"] == "Unknown"
    assert found["GO-2020-0015"]["details"]["glasshouse_baseline"]["value"] == (
        "already in the baseline"
    )
    assert found["GO-2020-0015"]["identifiers"][0]["type"] == "osv"
    assert found["PYSEC-2021-9"]["severity"] == "Medium"
    assert doc["dependency_files"] == [
        {
            "path": "requirements.txt",
            "package_manager": "pip",
            "dependencies": [
                {"package": {"name": "Django"}, "version": "2.2"},
                {"package": {"name": "flask"}, "version": ">=2"},
                {"package": {"name": "pyyaml"}, "version": "5.3"},
            ],
        },
        {
            "path": "svc/go.mod",
            "package_manager": "go",
            "dependencies": [{"package": {"name": "golang.org/x/text"}, "version": "v0.3.0"}],
        },
    ]


def test_the_fixture_report_as_secret_detection_is_valid_and_empty() -> None:
    doc = sd(fixture_report())
    assert doc["vulnerabilities"] == []
    assert doc["schema"].endswith("/v15.0.7/dist/secret-detection-report-format.json")
    # the lockfile problems do not concern the secret scan
    assert doc["scan"]["status"] == "success"
    assert "messages" not in doc["scan"]
    assert doc["scan"]["type"] == "secret_detection"


def test_ids_are_stable_across_runs_and_distinct_across_findings() -> None:
    a = vuln(pkg("alpha"), "CVE-2026-0001")
    b = vuln(pkg("alpha", path="web/requirements.txt"), "CVE-2026-0001")
    first = ds(report([a, b]))
    later = ds(report([b, a], started_at="2026-06-01T00:00:00Z", duration=99))
    ids = [v["id"] for v in first["vulnerabilities"]]
    assert len(set(ids)) == 2
    assert sorted(ids) == sorted(v["id"] for v in later["vulnerabilities"])
    assert gitlab.render_dependency_scanning(report([a, b])) == (
        gitlab.render_dependency_scanning(report([a, b]))
    )
    # a secret and a dependency finding never share an id, even with one fingerprint
    leak = secret()
    [in_sd] = sd(report([leak]))["vulnerabilities"]
    assert UUID.match(in_sd["id"])
    assert in_sd["id"] not in ids


@pytest.mark.parametrize(
    ("severity", "label"),
    [
        (Severity.CRITICAL, "Critical"),
        (Severity.HIGH, "High"),
        (Severity.MEDIUM, "Medium"),
        (Severity.LOW, "Low"),
        (Severity.UNKNOWN, "Unknown"),
    ],
)
def test_severities_are_spelled_as_gitlab_expects(severity: Severity, label: str) -> None:
    [found] = ds(report([vuln(pkg("alpha"), "CVE-2026-0001", severity=severity)]))[
        "vulnerabilities"
    ]
    assert found["severity"] == label
    [leak] = sd(report([secret(severity=severity)]))["vulnerabilities"]
    assert leak["severity"] == label


def test_waived_and_ignored_findings_are_left_to_glasshouse_existing_ones_are_listed() -> None:
    blocking = vuln(pkg("alpha"), "CVE-2026-0001")
    allowed = vuln(pkg("beta"), "CVE-2026-0002", severity=Severity.LOW)
    waived = vuln(pkg("gamma"), "CVE-2026-0003")
    existing = vuln(pkg("delta"), "CVE-2026-0004")
    ignored = vuln(pkg("epsilon", dev=True), "CVE-2026-0005")
    policy = Policy(
        scope="new",
        ignore_dev_dependencies=True,
        waivers=(Waiver(id="W-1", reason="r", expires=date(2026, 12, 31), rule="CVE-2026-0003"),),
    )
    baseline = Baseline("baseline.json", {existing.fingerprint: ("CVE-2026-0004", "x")})
    findings = [blocking, allowed, waived, existing, ignored]
    doc = ds(report(findings, policy=policy, baseline=baseline))
    listed = {v["identifiers"][0]["value"]: v for v in doc["vulnerabilities"]}
    assert list(listed) == ["CVE-2026-0001", "CVE-2026-0002", "CVE-2026-0004"]
    assert listed["CVE-2026-0004"]["details"]["glasshouse_gate"]["value"] == (
        "existing: in the baseline; only new findings block"
    )
    assert doc["scan"]["messages"] == [
        {
            "level": "info",
            "value": "1 waived (W-1) and 1 ignored by the Glasshouse policy, not listed here: "
            "see the Glasshouse report",
        }
    ]
    assert doc["scan"]["status"] == "success"
    # the same holds for secrets
    kept, dropped = secret(), secret(path="tests/fixtures/keys.txt", rule_id="private-key")
    policy = Policy(
        waivers=(
            Waiver(
                id="W-9",
                reason="test fixture",
                expires=date(2026, 12, 1),
                path="tests/fixtures/*",
            ),
        )
    )
    doc = sd(report([kept, dropped], policy=policy))
    assert [v["location"]["file"] for v in doc["vulnerabilities"]] == ["config/settings.py"]
    assert doc["scan"]["messages"][0]["value"].startswith("1 waived (W-9) by the Glasshouse")


def test_scan_status_and_messages_follow_the_problems_of_the_scanners_concerned() -> None:
    finding = vuln(pkg("alpha"), "CVE-2026-0001")
    clean = ds(report([finding]))["scan"]
    assert clean["status"] == "success"
    assert "messages" not in clean
    unrelated = Problem("sarif", "cannot read semgrep.sarif", "semgrep.sarif")
    note = Problem("dependencies", "1 dependency not checked, no pinned version: x", "r.txt", False)
    scan = ds(report([finding], problems=[unrelated, note]))["scan"]
    assert scan["status"] == "success"
    assert scan["messages"] == [
        {"level": "info", "value": "r.txt: 1 dependency not checked, no pinned version: x"}
    ]
    nodb = Problem("dependencies", "no advisory database: run `glasshouse db update`")
    scan = ds(report([finding], problems=[nodb]))["scan"]
    assert scan["status"] == "failure"
    assert scan["messages"] == [
        {"level": "warn", "value": "no advisory database: run `glasshouse db update`"}
    ]
    unreadable = Problem("walk", "directory unreadable (Permission denied)", "secret/dir")
    assert sd(report([secret()], problems=[unreadable]))["scan"]["status"] == "failure"
    assert sd(report([secret()], problems=[nodb]))["scan"]["status"] == "success"
    secrets_failed = Problem("secrets", "cannot read .git: bad object")
    assert sd(report([], problems=[secrets_failed]))["scan"]["status"] == "failure"


def test_times_are_utc_seconds_from_the_start_and_duration() -> None:
    scan = ds(report(started_at="2026-01-02T03:04:05.987654+02:00", duration=61.5))["scan"]
    assert (scan["start_time"], scan["end_time"]) == ("2026-01-02T01:04:05", "2026-01-02T01:05:07")


def test_dependency_files_for_every_ecosystem_keep_unpinned_packages() -> None:
    packages = [
        pkg("Django", "4.2.1"),
        pkg("Django", "4.2.1"),  # listed twice by the same file: once in the report
        pkg("flask", None, requirement=">=2"),
        pkg("rich", None),
        pkg("@babel/core", "7.24.0", "npm", "web/package-lock.json"),
        pkg("left-pad", "1.3.0", "npm", "yarn.lock"),
        pkg("golang.org/x/net", "v0.17.0", "Go", "go.mod"),
        pkg("serde", "1.0.197", "crates.io", "Cargo.lock"),
        pkg("org.apache.commons:commons-text", "1.9", "Maven", "pom.xml"),
        pkg("rack", "2.2.8", "RubyGems", "Gemfile.lock"),
        pkg("symfony/http-kernel", "6.4.0", "Packagist", "composer.lock"),
        pkg("Newtonsoft.Json", "13.0.1", "NuGet", "src/packages.lock.json"),
        pkg("requests", "2.31.0", "PyPI", "sbom.cdx.json"),  # an SBOM: by ecosystem
        pkg("plug", "1.15.0", "Hex", "mix.lock"),
    ]
    doc = ds(report(packages=packages))
    files = {f["path"]: f for f in doc["dependency_files"]}
    assert {path: f["package_manager"] for path, f in files.items()} == {
        "requirements.txt": "pip",
        "web/package-lock.json": "npm",
        "yarn.lock": "yarn",
        "go.mod": "go",
        "Cargo.lock": "cargo",
        "pom.xml": "maven",
        "Gemfile.lock": "bundler",
        "composer.lock": "composer",
        "src/packages.lock.json": "nuget",
        "sbom.cdx.json": "pip",
        "mix.lock": "hex",
    }
    assert files["requirements.txt"]["dependencies"] == [
        {"package": {"name": "Django"}, "version": "4.2.1"},
        {"package": {"name": "flask"}, "version": ">=2"},
        {"package": {"name": "rich"}, "version": "unknown"},
    ]
    assert files["pom.xml"]["dependencies"] == [
        {"package": {"name": "org.apache.commons:commons-text"}, "version": "1.9"}
    ]
    assert doc["vulnerabilities"] == []


def test_limits_escaping_and_links() -> None:
    aliases = tuple(f"GHSA-{i:04d}-aaaa-bbbb" for i in range(30))
    finding = vuln(
        pkg("under_score"),
        "CVE-2026-0001",
        aliases=(*aliases, "cve-2026-0001"),
        title="Long *bold* `code` " + "x" * 300,
        fix="y" * 8000,
        references=(
            "https://example.com/advisory",
            "http://example.com/plain",
            "javascript:alert(1)",
            "https://example.com/with space",
            "https://example.com/advisory",
        ),
    )
    [found] = ds(report([finding]))["vulnerabilities"]
    assert len(found["name"]) == 255
    assert found["name"].endswith("...")
    assert len(found["solution"]) == 7000
    assert len(found["identifiers"]) == 20
    assert found["identifiers"][0]["value"] == "CVE-2026-0001"
    assert [i["value"] for i in found["identifiers"]].count("cve-2026-0001") == 0
    assert found["description"].startswith("Long \\*bold\\* \\`code\\` xxx")
    assert "under\\_score" in found["description"]
    assert found["links"] == [
        {"url": "https://nvd.nist.gov/vuln/detail/CVE-2026-0001"},
        {"url": "https://example.com/advisory"},
        {"url": "http://example.com/plain"},
    ]


def test_a_secret_is_located_without_its_value() -> None:
    leak = secret()
    doc = sd(report([leak, vuln(pkg("alpha"), "CVE-2026-0001")]))
    [found] = doc["vulnerabilities"]
    assert set(found) == {
        "id",
        "name",
        "description",
        "severity",
        "solution",
        "identifiers",
        "details",
        "location",
    }
    assert found["location"] == {
        "file": "config/settings.py",
        "start_line": 12,
        "commit": {"sha": "0000000"},
    }
    assert found["identifiers"] == [
        {"type": "glasshouse_rule_id", "name": "aws-access-key-id", "value": "aws-access-key-id"}
    ]
    assert found["name"] == "AWS access key ID (AKIA****************)"
    assert found["description"] == (
        "AWS access key ID (AKIA\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*\\*)\n\n"
        "Found by rule aws-access-key-id in config/settings.py:12. "
        "The value is not included in this report."
    )
    assert found["solution"].startswith("Revoke the key")
    assert found["details"]["glasshouse_gate"]["value"] == (
        "blocking: critical is at or above high"
    )
    # and a secret without a line has no start_line
    [found] = sd(report([secret(line=None)]))["vulnerabilities"]
    assert found["location"] == {"file": "config/settings.py", "commit": {"sha": "0000000"}}
    # the dependency report holds no secret finding
    assert ds(report([leak]))["vulnerabilities"] == []


def test_a_report_without_judgements_lists_everything_without_details() -> None:
    finding = vuln(pkg("alpha"), "CVE-2026-0001")
    bare = Report(
        target="/builds/acme/shop",
        tool_version="1.2.3",
        started_at="2026-03-04T05:06:07Z",
        findings=(finding,),
        problems=(),
        packages=(),
        decision=Decision(Verdict.PASS, ()),
    )
    [found] = ds(bare)["vulnerabilities"]
    assert "details" not in found
