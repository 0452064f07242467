"""One shared report that every reporter's golden file is rendered from."""

from __future__ import annotations

from glasshouse.fingerprint import fingerprint
from glasshouse.gate.decision import decide
from glasshouse.model import (
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Problem,
    Report,
    ScanStats,
    Severity,
    VulnerabilityDetails,
)


def _vuln(
    package: Package,
    rule_id: str,
    ids: tuple[str, ...],
    severity: Severity,
    fixed: tuple[str, ...],
    upgrade: str | None,
) -> Finding:
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule_id,
        title=f"Example problem in {package.name} <b>markup</b> [stays] literal",
        severity=severity,
        location=package.location,
        fingerprint=fingerprint(
            FindingKind.VULNERABILITY,
            rule_id,
            f"{package.ecosystem}/{package.name}",
            package.location.path,
        ),
        fix=Fix(f"Upgrade {package.name} from {package.version} to {upgrade}.", (upgrade,))
        if upgrade
        else Fix(f"No fixed version of {package.name} is known yet: remove it or mitigate."),
        vulnerability=VulnerabilityDetails(
            package=package,
            advisory_ids=(rule_id, *ids),
            fixed_versions=fixed,
            cvss_vectors=("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",)
            if severity is Severity.CRITICAL
            else (),
            severity_source="cvss_v3" if severity is Severity.CRITICAL else "unknown",
            references=(f"https://osv.dev/vulnerability/{rule_id}",),
        ),
    )


def fixture_report() -> Report:
    django = Package("Django", "2.2", "PyPI", Location("requirements.txt", 1), direct=True)
    text = Package("golang.org/x/text", "v0.3.0", "Go", Location("svc/go.mod", 7), direct=False)
    flask = Package("flask", None, "PyPI", Location("requirements.txt", 2), True, requirement=">=2")
    findings = (
        _vuln(
            django,
            "CVE-2019-14234",
            ("GHSA-6r97-cj55-9hrq", "PYSEC-2019-13"),
            Severity.CRITICAL,
            ("1.11.23", "2.1.11", "2.2.4"),
            "2.2.18",
        ),
        _vuln(django, "PYSEC-2021-9", (), Severity.MEDIUM, ("2.2.18",), "2.2.18"),
        _vuln(text, "GO-2020-0015", ("CVE-2020-14040",), Severity.UNKNOWN, (), None),
    )
    problems = (
        Problem(
            "dependencies", "cannot parse as poetrylock: Expected '=' at line 3", "poetry.lock"
        ),
        Problem(
            "dependencies",
            "1 dependency not checked, no pinned version: flask >=2",
            "requirements.txt",
            blocking=False,
        ),
    )
    return Report(
        target="/work/project",
        tool_version="0.0.0-test",
        started_at="2026-01-02T03:04:05Z",
        findings=findings,
        problems=problems,
        packages=(django, flask, text),
        decision=decide(findings, problems),
        stats=ScanStats(
            files_scanned=2,
            packages=3,
            unpinned=1,
            duration_seconds=0.25,
            database={"osv:PyPI": "2.0h"},
        ),
    )
