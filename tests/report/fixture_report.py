"""One shared report that every reporter's golden file is rendered from."""

from __future__ import annotations

from datetime import date

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
    ScanStats,
    Severity,
    VulnerabilityDetails,
    Waiver,
)

TODAY = date(2026, 11, 27)


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
        _vuln(
            Package("pyyaml", "5.3", "PyPI", Location("requirements.txt", 3), direct=True),
            "CVE-2020-14343",
            ("GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"),
            Severity.CRITICAL,
            ("5.4",),
            "5.4",
        ),
        Finding(
            kind=FindingKind.CODE,
            rule_id="bandit:B602",
            title="subprocess call with shell=True identified, security issue.",
            severity=Severity.HIGH,
            location=Location("app/run.py", 12),
            fingerprint=fingerprint(FindingKind.CODE, "bandit:B602", "abc", "app/run.py"),
            fix=Fix("Pass the command as a list and drop shell=True."),
            code=CodeDetails(
                tool="Bandit",
                message="subprocess call with shell=True identified, security issue.",
                tool_version="1.9.4",
                help_uri="https://bandit.readthedocs.io/en/latest/plugins/b602.html",
            ),
        ),
    )
    policy = Policy(
        sources=("/work/project/.glasshouse.toml",),
        waivers=(
            Waiver(
                id="W-7",
                reason="yaml.load is only called with SafeLoader here",
                expires=date(2026, 12, 20),
                rule="PYSEC-2021-142",
                owner="team-api",
                approver="security-lead",
                ticket="SEC-7",
            ),
            Waiver(
                id="W-3",
                reason="old exception",
                expires=date(2026, 10, 1),
                rule="bandit:B602",
            ),
            Waiver(id="W-9", reason="stale", expires=date(2026, 12, 1), rule="CVE-1999-0001"),
        ),
    )
    baseline = Baseline(
        "glasshouse-baseline.json",
        {
            findings[2].fingerprint: ("GO-2020-0015", "svc/go.mod"),
            "0" * 32: ("CVE-2018-1000", "requirements.txt"),
        },
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
        decision=decide(findings, problems, policy, baseline=baseline, today=TODAY),
        policy_sources=policy.sources,
        stats=ScanStats(
            files_scanned=2,
            packages=3,
            unpinned=1,
            duration_seconds=0.25,
            database={"osv:PyPI": "2.0h"},
        ),
    )
