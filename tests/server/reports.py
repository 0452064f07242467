"""Reports exactly as the CLI writes them: real Finding objects through the JSON reporter."""

from __future__ import annotations

import json
from typing import Any

from glasshouse.fingerprint import fingerprint
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Problem,
    Report,
    SecretDetails,
    SecretOccurrence,
    Severity,
    VulnerabilityDetails,
)
from glasshouse.report.json_report import to_dict

STARTED = "2026-11-27T10:00:00Z"


def vuln(
    name: str, rule: str, severity: Severity = Severity.HIGH, path: str = "requirements.txt"
) -> Finding:
    package = Package(name=name, version="1.0.0", ecosystem="PyPI", location=Location(path, 3))
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule,
        title=f"{rule} in {name}",
        severity=severity,
        location=package.location,
        fingerprint=fingerprint(FindingKind.VULNERABILITY, rule, f"PyPI/{name}", path),
        fix=Fix(f"Upgrade {name} from 1.0.0 to 1.0.1.", ("1.0.1",)),
        vulnerability=VulnerabilityDetails(
            package=package, advisory_ids=(rule, f"CVE-{rule[-9:]}"), fixed_versions=("1.0.1",)
        ),
    )


def secret(
    path: str, secret_hash: str = "ab" * 32, severity: Severity = Severity.CRITICAL
) -> Finding:
    return Finding(
        kind=FindingKind.SECRET,
        rule_id="aws-access-key",
        title="AWS access key",
        severity=severity,
        location=Location(path, 7),
        fingerprint=fingerprint(FindingKind.SECRET, "aws-access-key", secret_hash, path),
        fix=Fix("Rotate the key, then remove it from the repository."),
        secret=SecretDetails(
            preview="AKIA…MPLE", secret_hash=secret_hash, occurrences=(SecretOccurrence(path, 7),)
        ),
    )


def report(
    findings: list[Finding],
    *,
    policy: Policy | None = None,
    problems: tuple[Problem, ...] = (),
    started_at: str = STARTED,
) -> dict[str, Any]:
    decision = decide(tuple(findings), problems, policy or Policy())
    rep = Report(
        target=".",
        tool_version="0.1.0",
        started_at=started_at,
        findings=tuple(findings),
        problems=problems,
        packages=(),
        decision=decision,
    )
    return to_dict(rep)


def many(count: int, *, prefix: str = "pkg", severity: Severity = Severity.MEDIUM) -> list[Finding]:
    return [vuln(f"{prefix}{i}", f"GHSA-test-{i:04d}-xxxx", severity) for i in range(count)]


def body(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
