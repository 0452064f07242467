"""Helpers shared by the evidence tests."""

from __future__ import annotations

from datetime import date

from glasshouse.evidence import keys
from glasshouse.fingerprint import fingerprint
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Report,
    ScanStats,
    Severity,
    VulnerabilityDetails,
    Waiver,
)


def public(key: keys.SigningKey) -> keys.VerifyingKey:
    return keys.VerifyingKey(key.public)


def sample_report(*, waived: bool = True, override: str | None = None) -> Report:
    """A small report: a critical vulnerability (waived or blocking) and a medium one."""
    today = date(2026, 11, 27)
    package = Package("pyyaml", "5.3", "PyPI", Location("requirements.txt", 3), direct=True)
    findings = tuple(
        Finding(
            kind=FindingKind.VULNERABILITY,
            rule_id=rule,
            title=f"{rule} in pyyaml <script>alert(1)</script>",
            severity=severity,
            location=package.location,
            fingerprint=fingerprint(FindingKind.VULNERABILITY, rule, "PyPI/pyyaml", "r.txt"),
            fix=Fix("Upgrade pyyaml to 5.4.", ("5.4",)),
            vulnerability=VulnerabilityDetails(
                package=package,
                advisory_ids=(rule,),
                fixed_versions=("5.4",),
                cvss_vectors=(),
                severity_source="osv",
                references=(),
            ),
        )
        for rule, severity in (
            ("CVE-2020-14343", Severity.CRITICAL),
            ("CVE-2020-1747", Severity.MEDIUM),
        )
    )
    waivers = (
        (
            Waiver(
                id="W-7",
                reason="yaml.load only with SafeLoader <b>here</b>",
                expires=date(2026, 12, 20),
                rule="CVE-2020-14343",
                owner="team-api",
                approver="security-lead",
                ticket="SEC-7",
                created=date(2026, 11, 20),
            ),
        )
        if waived
        else ()
    )
    policy = Policy(sources=(".glasshouse.toml",), waivers=waivers)
    return Report(
        target=".",
        tool_version="0.0.0-test",
        started_at="2026-11-27T10:00:00Z",
        findings=findings,
        problems=(),
        packages=(package,),
        decision=decide(findings, (), policy, override=override, actor="alice", today=today),
        policy_sources=policy.sources,
        stats=ScanStats(files_scanned=1, packages=1, database={"osv:PyPI": "2.0h"}),
    )
