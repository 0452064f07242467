"""The JSON report: the versioned contract between the CLI and the server.

Its shape is described by ``schemas/report-1.json`` (JSON Schema 2020-12); a test
validates every report the CLI writes against it. Secrets never appear here: findings
carry only redacted previews and hashes.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from glasshouse.model import (
    BaselineComparison,
    Disposition,
    Finding,
    Judgement,
    Package,
    Problem,
    Report,
    Severity,
    WaiverUse,
)
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


def _judgement(judgement: Judgement | None) -> dict[str, Any] | None:
    if judgement is None:
        return None
    return {
        "disposition": judgement.disposition.value,
        "reason": judgement.reason,
        "waiver": judgement.waiver,
        "new": judgement.new,
    }


def _waiver(use: WaiverUse) -> dict[str, Any]:
    w = use.waiver
    return {
        "id": w.id,
        "status": use.status.value,
        "matched": use.matched,
        "message": use.message,
        "rule": w.rule,
        "package": w.package,
        "path": w.path,
        "fingerprint": w.fingerprint,
        "reason": w.reason,
        "owner": w.owner,
        "approver": w.approver,
        "ticket": w.ticket,
        "created": w.created.isoformat() if w.created else None,
        "expires": w.expires.isoformat(),
        "source": w.source,
    }


def _baseline(comparison: BaselineComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "source": comparison.source,
        "new": comparison.new,
        "existing": comparison.existing,
        "fixed": [
            {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path}
            for f in comparison.fixed
        ],
    }


def _finding(finding: Finding, judgement: Judgement | None = None) -> dict[str, Any]:
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
        "tags": list(finding.tags),
        "gate": _judgement(judgement),
    }
    if finding.suppression is not None:
        data["suppression"] = finding.suppression
    if finding.secret is not None:
        data["secret"] = {
            "preview": finding.secret.preview,
            "secret_hash": finding.secret.secret_hash,
            "occurrences": [
                {
                    "path": o.path,
                    "line": o.line,
                    "commit": o.commit,
                    "author": o.author,
                    "date": o.date,
                }
                for o in finding.secret.occurrences
            ],
        }
    if finding.code is not None:
        data["code"] = {
            "tool": finding.code.tool,
            "tool_version": finding.code.tool_version,
            "message": finding.code.message,
            "help_uri": finding.code.help_uri,
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
    decision = report.decision
    judgements: list[Judgement | None] = list(decision.judgements) or [None] * len(report.findings)
    override = decision.override
    return {
        "schema_version": report.schema_version,
        "tool": {"name": "glasshouse", "version": report.tool_version},
        "target": report.target,
        "started_at": report.started_at,
        "decision": {
            "verdict": decision.verdict.value,
            "exit_code": int(decision.exit_code),
            "reasons": list(decision.reasons),
            "evaluated": (decision.evaluated or decision.verdict).value,
            "mode": decision.mode,
            "override": None
            if override is None
            else {"reason": override.reason, "actor": override.actor, "at": override.at},
        },
        "policy": {"sources": list(report.policy_sources)},
        "waivers": [_waiver(use) for use in decision.waivers],
        "baseline": _baseline(decision.baseline),
        "summary": {
            "findings": len(report.findings),
            "by_severity": {s.label: counts.get(s, 0) for s in reversed(Severity)},
            "by_disposition": {
                d.value: sum(1 for j in decision.judgements if j.disposition is d)
                for d in Disposition
            },
            "problems": len(report.problems),
            "blocking_problems": sum(1 for p in report.problems if p.blocking),
            "packages": report.stats.packages,
            "unpinned_packages": report.stats.unpinned,
            "files": report.stats.files_scanned,
            "duration_seconds": report.stats.duration_seconds,
        },
        "database": dict(report.stats.database),
        "findings": [_finding(f, j) for f, j in zip(report.findings, judgements, strict=True)],
        "problems": [_problem(p) for p in report.problems],
        "packages": [_package(p) for p in report.packages],
    }


def render(report: Report) -> str:
    # Compact: the C encoder only serves unindented output, and reports of monorepos
    # run to megabytes (indenting tripled the rendering time). Pipe to `jq` to read.
    return json.dumps(to_dict(report), ensure_ascii=False, separators=(",", ":")) + "\n"
