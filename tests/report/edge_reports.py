"""Small reports for the edge cases of the SARIF, JUnit, Markdown and HTML reporters.

Decisions come from the real gate (``decide``), so dispositions and reasons are the
ones a scan would produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from glasshouse.fingerprint import fingerprint
from glasshouse.gate.baseline import Baseline
from glasshouse.gate.decision import SUPPRESSED_TAG, decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    CodeDetails,
    Decision,
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Problem,
    Report,
    Severity,
    Verdict,
    VulnerabilityDetails,
)

TODAY = date(2026, 11, 27)
HOSTILE_TITLE = (
    "Pwn | <script>alert(1)</script> <img src=x onerror=alert(2)> **bold** _it_ "
    "`code` [link](javascript:alert(3)) @octocat #1 & &amp;\x1b[31m\u202eevil\nsecond line"
)
SECRET_PREVIEW = "AKIA****************"  # what a secret finding carries: redacted


def report(
    findings: Sequence[Finding] = (),
    problems: Sequence[Problem] = (),
    policy: Policy | None = None,
    baseline: Baseline | None = None,
) -> Report:
    policy = policy or Policy()
    return Report(
        target="/work/project",
        tool_version="0.0.0-test",
        started_at="2026-01-02T03:04:05Z",
        findings=tuple(findings),
        problems=tuple(problems),
        packages=(),
        decision=decide(findings, problems, policy, baseline=baseline, today=TODAY),
        policy_sources=policy.sources,
    )


def vuln(
    name: str = "Django",
    rule_id: str = "CVE-2019-14234",
    severity: Severity = Severity.HIGH,
    title: str = "SQL injection",
    path: str = "requirements.txt",
    line: int | None = 1,
    references: tuple[str, ...] = (),
) -> Finding:
    package = Package(name, "2.2", "PyPI", Location(path, line), direct=True)
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule_id,
        title=title,
        severity=severity,
        location=package.location,
        fingerprint=fingerprint(FindingKind.VULNERABILITY, rule_id, f"PyPI/{name}", path),
        fix=Fix(f"Upgrade {name} from 2.2 to 2.2.18.", ("2.2.18",)),
        vulnerability=VulnerabilityDetails(
            package=package,
            advisory_ids=(rule_id,),
            fixed_versions=("2.2.18",),
            references=references,
        ),
    )


def secret(path: str = "config/.env", line: int = 3, identity: str = "hash-1") -> Finding:
    return Finding(
        kind=FindingKind.SECRET,
        rule_id="aws-access-key-id",
        title=f"AWS access key ID {SECRET_PREVIEW}",
        severity=Severity.CRITICAL,
        location=Location(path, line),
        fingerprint=fingerprint(FindingKind.SECRET, "aws-access-key-id", identity, path),
        fix=Fix("Rotate the key, then remove it from the repository and its history."),
    )


def code(
    rule_id: str = "bandit:B602",
    severity: Severity = Severity.MEDIUM,
    tags: tuple[str, ...] = (),
    help_uri: str | None = "https://bandit.readthedocs.io/en/latest/plugins/b602.html",
) -> Finding:
    return Finding(
        kind=FindingKind.CODE,
        rule_id=rule_id,
        title="subprocess call with shell=True",
        severity=severity,
        location=Location("app/run.py", 12, 5),
        fingerprint=fingerprint(FindingKind.CODE, rule_id, "abc", "app/run.py"),
        code=CodeDetails(tool="Bandit", message="shell=True", help_uri=help_uri),
        tags=tags,
    )


def empty_report() -> Report:
    return report()


def passing_report() -> Report:
    """Only a finding below the threshold: the gate passes."""
    return report([vuln(severity=Severity.LOW)])


def incomplete_report() -> Report:
    problem = Problem("dependencies", "cannot parse as poetrylock: bad", "poetry.lock")
    return report([vuln(severity=Severity.LOW)], [problem])


def dispositions_report() -> Report:
    """Existing (baseline, new-only scope), ignored (disabled rule and suppressed in
    source), blocking new and an allowed finding, with a baseline."""
    old = vuln(name="pyyaml", rule_id="CVE-2020-14343", severity=Severity.CRITICAL, line=3)
    findings = [
        vuln(severity=Severity.CRITICAL),
        old,
        code(rule_id="bandit:B101"),
        code(rule_id="bandit:B602", severity=Severity.HIGH, tags=(SUPPRESSED_TAG,)),
        secret(),
        vuln(name="flask", rule_id="PYSEC-2023-62", severity=Severity.LOW, line=2),
    ]
    policy = Policy(scope="new", disabled_rules=frozenset({"bandit:B101"}))
    baseline = Baseline("baseline.json", {old.fingerprint: (old.rule_id, old.location.path)})
    return report(findings, policy=policy, baseline=baseline)


def hostile_report() -> Report:
    findings = [
        vuln(
            title=HOSTILE_TITLE,
            path="dir with space/<odd>|name#.txt",
            references=("javascript:alert(1)", "https://example.org/a b?q=<x>"),
        ),
        vuln(name="evil", rule_id="GHSA-|pipe|", title=HOSTILE_TITLE, severity=Severity.LOW),
    ]
    problems = [Problem("dependencies", "bad <b>file</b> | oops", "x/<y>.lock")]
    return report(findings, problems)


def many_findings_report(count: int = 10_000) -> Report:
    findings = [
        vuln(
            name=f"pkg{i}",
            rule_id=f"CVE-2024-{i:05d}",
            severity=(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)[i % 4],
            title=f"Problem number {i} " + "with a rather long title " * 8,
            line=i + 1,
        )
        for i in range(count)
    ]
    return report(findings)


def unjudged_report() -> Report:
    """Findings without judgements: a report written before (or without) the gate."""
    findings = (vuln(severity=Severity.CRITICAL), code())
    return Report(
        target="relative/dir",
        tool_version="0.0.0-test",
        started_at="2026-01-02T03:04:05Z",
        findings=findings,
        problems=(),
        packages=(),
        decision=Decision(verdict=Verdict.PASS, reasons=()),
    )
