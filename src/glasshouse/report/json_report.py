"""The JSON report: the versioned contract between the CLI and the server.

Its shape is described by ``schemas/report-1.json`` (JSON Schema 2020-12); a test
validates every report the CLI writes against it. Secrets never appear here: findings
carry only redacted previews and hashes.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from glasshouse.model import Finding, Package, Problem, Report, Severity
from glasshouse.report.purl import purl


def _package(package: Package) -> dict[str, Any]:
    return {
        "name": package.name,
        "version": package.version,
        "ecosystem": package.ecosystem,
        "purl": purl(package),
        "status": package.status.value,
        "requirement": package.requirement,
        "direct": package.direct,
        "dev": package.dev,
        "location": {"path": package.location.path, "line": package.location.line},
    }


def _finding(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": finding.kind.value,
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.label,
        "fingerprint": finding.fingerprint,
        "location": {"path": finding.location.path, "line": finding.location.line},
        "fix": None
        if finding.fix is None
        else {"summary": finding.fix.summary, "versions": list(finding.fix.versions)},
    }
    vuln = finding.vulnerability
    if vuln is not None:
        data["vulnerability"] = {
            "package": _package(vuln.package),
            "advisory_ids": list(vuln.advisory_ids),
            "fixed_versions": list(vuln.fixed_versions),
            "cvss_vectors": list(vuln.cvss_vectors),
            "severity_source": vuln.severity_source,
            "references": list(vuln.references),
        }
    return data


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "scanner": problem.scanner,
        "path": problem.path,
        "message": problem.message,
        "blocking": problem.blocking,
    }


def to_dict(report: Report) -> dict[str, Any]:
    counts = Counter(f.severity for f in report.findings)
    return {
        "schema_version": report.schema_version,
        "tool": {"name": "glasshouse", "version": report.tool_version},
        "target": report.target,
        "started_at": report.started_at,
        "decision": {
            "verdict": report.decision.verdict.value,
            "exit_code": int(report.decision.exit_code),
            "reasons": list(report.decision.reasons),
        },
        "summary": {
            "findings": len(report.findings),
            "by_severity": {s.label: counts.get(s, 0) for s in reversed(Severity)},
            "problems": len(report.problems),
            "blocking_problems": sum(1 for p in report.problems if p.blocking),
            "packages": report.stats.packages,
            "unpinned_packages": report.stats.unpinned,
            "files": report.stats.files_scanned,
            "duration_seconds": report.stats.duration_seconds,
        },
        "database": dict(report.stats.database),
        "findings": [_finding(f) for f in report.findings],
        "problems": [_problem(p) for p in report.problems],
        "packages": [_package(p) for p in report.packages],
    }


def render(report: Report) -> str:
    # Compact: the C encoder only serves unindented output, and reports of monorepos
    # run to megabytes (indenting tripled the rendering time). Pipe to `jq` to read.
    return json.dumps(to_dict(report), ensure_ascii=False, separators=(",", ":")) + "\n"
