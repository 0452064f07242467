"""SARIF 2.1.0, for GitHub code scanning and any SARIF viewer.

One run. Every finding is a result, whatever the gate made of it: waived, existing and
ignored findings carry a ``suppressions`` entry (viewers show them as suppressed, GitHub
as dismissed) instead of disappearing. ``level`` says what the gate did (``error``
blocks); rules carry ``security-severity`` for GitHub's severity column. Fingerprints
go into ``partialFingerprints`` so alerts follow a finding across runs. The verdict,
its reasons, waivers and the baseline comparison ride in ``run.properties``; every
problem that limited the scan is a tool execution notification.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from glasshouse.model import (
    Disposition,
    Finding,
    Judgement,
    Location,
    Problem,
    Report,
    Severity,
    Verdict,
    WaiverUse,
)
from glasshouse.report import _view
from glasshouse.report._view import markdown_text, one_line
from glasshouse.report.purl import purl

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "Glasshouse"
# Placeholder until the project has a public home; viewers link the tool name to it.
FINGERPRINT_KEY = "glasshouseFingerprint/v1"
SRCROOT = "%SRCROOT%"

# GitHub's scale: over 9.0 is critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, under 4 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
# GitHub limits some texts (shortDescription to 1024 characters); long titles are cut.
_SHORT = 1024
_TAGS = 20  # GitHub reads at most 20 tags a rule


def _level(finding: Finding, judgement: Judgement | None) -> str:
    """``error`` is what failed the gate; anything else is a warning or a note."""
    if judgement is not None and judgement.disposition is Disposition.BLOCKING:
        return "error"
    if judgement is None and finding.severity >= Severity.HIGH:
        return "error"  # no gate ran: say what the severity says
    return "warning" if finding.severity >= Severity.MEDIUM else "note"


def _uri(path: str) -> str:
    return quote(path, safe="/")


def _location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(location.path), "uriBaseId": SRCROOT}
    }
    if location.line is not None and location.line >= 1:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _base_uri(target: str) -> str | None:
    """``file:`` URI of the scan root, ending in a slash, when the report names one."""
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(target)
        if path.is_absolute():
            uri = path.as_uri()
            return uri if uri.endswith("/") else uri + "/"
    return None


def _rule(finding: Finding, severities: list[Severity], tags: list[str]) -> dict[str, Any]:
    title = one_line(finding.title, _SHORT)
    fix = _view.fix_text(finding)
    url = _view.help_url(finding)
    vuln = finding.vulnerability
    full = one_line(finding.title)
    text_lines: list[str] = []
    md_lines: list[str] = []
    if vuln is not None and len(vuln.advisory_ids) > 1:
        aliases = ", ".join(vuln.advisory_ids[1:])
        full += f" (also known as {aliases})"
    if finding.code is not None:
        tool = finding.code.tool + (
            f" {finding.code.tool_version}" if finding.code.tool_version else ""
        )
        full = f"{one_line(finding.code.message)} (reported by {tool})"
    if fix:
        text_lines.append(f"Fix: {one_line(fix)}")
        md_lines.append(f"**Fix:** {markdown_text(fix, inert_references=False)}")
    if vuln is not None and vuln.fixed_versions:
        versions = ", ".join(vuln.fixed_versions)
        text_lines.append(f"Fixed in: {versions}")
        md_lines.append(f"**Fixed in:** {markdown_text(versions, inert_references=False)}")
    if vuln is not None and vuln.cvss_vectors:
        vectors = ", ".join(vuln.cvss_vectors)
        text_lines.append(f"CVSS: {vectors}")
        md_lines.append(f"**CVSS:** {markdown_text(vectors, inert_references=False)}")
    if url:
        text_lines.append(f"More information: {url}")
        md_lines.append(f"[More information]({url})")
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {
            "text": "\n".join(text_lines) or title,
            "markdown": "\n\n".join(md_lines) or markdown_text(title, inert_references=False),
        },
    }
    if url:
        rule["helpUri"] = url
    properties: dict[str, Any] = {}
    worst = max(severities)
    if worst in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[worst]
    properties["tags"] = tags[:_TAGS]
    rule["properties"] = properties
    return rule


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One rule per distinct rule id, in order of first appearance."""
    first: dict[str, Finding] = {}
    severities: dict[str, list[Severity]] = {}
    tags: dict[str, dict[str, None]] = {}
    for finding in report.findings:
        first.setdefault(finding.rule_id, finding)
        severities.setdefault(finding.rule_id, []).append(finding.severity)
        rule_tags = tags.setdefault(finding.rule_id, {"security": None, finding.kind.value: None})
        rule_tags.update(dict.fromkeys(finding.tags))
    rules = [_rule(f, severities[rid], list(tags[rid])) for rid, f in first.items()]
    return rules, {rid: i for i, rid in enumerate(first)}


def _suppression(
    finding: Finding, judgement: Judgement, waivers: dict[str, WaiverUse], report: Report
) -> dict[str, Any] | None:
    disposition = judgement.disposition
    if disposition is Disposition.WAIVED:
        use = waivers.get(judgement.waiver or "")
        if use is None:
            justification = judgement.reason
            props: dict[str, Any] = {"waiver": judgement.waiver}
        else:
            w = use.waiver
            details = [f"approved by {w.approver}" if w.approver else "not approved"]
            details.append(f"until {w.expires.isoformat()}")
            if w.ticket:
                details.append(w.ticket)
            justification = f"{w.id}: {one_line(w.reason)} ({', '.join(details)})"
            props = {
                "waiver": w.id,
                "expires": w.expires.isoformat(),
                "owner": w.owner,
                "approver": w.approver,
                "ticket": w.ticket,
            }
        return {
            "kind": "external",
            "status": "accepted",
            "justification": justification,
            "properties": props,
        }
    if disposition is Disposition.EXISTING:
        baseline = report.decision.baseline
        source = f" ({baseline.source})" if baseline is not None else ""
        return {
            "kind": "external",
            "status": "accepted",
            "justification": f"{judgement.reason}{source}",
        }
    if disposition is Disposition.IGNORED:
        in_source = "suppressed-in-source" in finding.tags
        return {
            "kind": "inSource" if in_source else "external",
            "status": "accepted",
            "justification": judgement.reason,
        }
    return None


def _message(finding: Finding) -> str:
    text = one_line(finding.title)
    label = _view.package_label(finding)
    if label is not None and finding.vulnerability is not None:
        text = f"{label} ({finding.vulnerability.package.ecosystem}): {text}"
    fix = _view.fix_text(finding)
    if fix:
        text = text if text.endswith((".", "!", "?")) else text + "."
        text += f" Fix: {one_line(fix)}"
    return text


def _result(
    finding: Finding,
    judgement: Judgement | None,
    rule_index: int,
    waivers: dict[str, WaiverUse],
    report: Report,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _level(finding, judgement),
        "message": {"text": _message(finding)},
    }
    if finding.location.path:
        result["locations"] = [_location(finding.location)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if judgement is not None:
        suppression = _suppression(finding, judgement, waivers, report)
        if suppression is not None:
            result["suppressions"] = [suppression]
        if judgement.new is not None:
            result["baselineState"] = "new" if judgement.new else "unchanged"
    properties: dict[str, Any] = {"kind": finding.kind.value, "severity": finding.severity.label}
    if judgement is not None:
        properties["gate"] = {
            "disposition": judgement.disposition.value,
            "reason": judgement.reason,
            "waiver": judgement.waiver,
            "new": judgement.new,
        }
    vuln = finding.vulnerability
    if vuln is not None:
        pkg = vuln.package
        properties["package"] = {
            "name": pkg.name,
            "version": pkg.version,
            "ecosystem": pkg.ecosystem,
            "purl": purl(pkg),
            "requirement": pkg.requirement,
        }
        properties["advisoryIds"] = list(vuln.advisory_ids)
        properties["fixedVersions"] = list(vuln.fixed_versions)
        if vuln.cvss_vectors:
            properties["cvssVectors"] = list(vuln.cvss_vectors)
    if finding.code is not None:
        properties["producer"] = {"name": finding.code.tool, "version": finding.code.tool_version}
    if finding.tags:
        properties["tags"] = list(finding.tags)
    result["properties"] = properties
    return result


def _notification(problem: Problem) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error" if problem.blocking else "warning",
        "message": {"text": one_line(str(problem))},
    }
    if problem.path:
        notification["locations"] = [_location(Location(problem.path))]
    notification["properties"] = {"scanner": problem.scanner, "blocking": problem.blocking}
    return notification


def _run_properties(report: Report) -> dict[str, Any]:
    decision = report.decision
    properties: dict[str, Any] = {
        "verdict": decision.verdict.value,
        "evaluatedVerdict": (decision.evaluated or decision.verdict).value,
        "exitCode": int(decision.exit_code),
        "mode": decision.mode,
        "reasons": list(decision.reasons),
        "policySources": list(report.policy_sources),
        "reportSchemaVersion": report.schema_version,
    }
    if decision.override is not None:
        o = decision.override
        properties["override"] = {"reason": o.reason, "actor": o.actor, "at": o.at}
    properties["waivers"] = [
        {
            "id": use.waiver.id,
            "status": use.status.value,
            "matched": use.matched,
            "message": use.message,
            "expires": use.waiver.expires.isoformat(),
        }
        for use in decision.waivers
    ]
    if decision.baseline is not None:
        b = decision.baseline
        properties["baseline"] = {
            "source": b.source,
            "new": b.new,
            "existing": b.existing,
            "fixed": [
                {"ruleId": f.rule_id, "path": f.path, "fingerprint": f.fingerprint} for f in b.fixed
            ],
        }
    return properties


def to_dict(report: Report) -> dict[str, Any]:
    decision = report.decision
    rules, index = _rules(report)
    waivers = {use.waiver.id: use for use in decision.waivers}
    results = [
        _result(finding, judgement, index[finding.rule_id], waivers, report)
        for finding, judgement in _view.items(report)
    ]
    incomplete = (
        decision.verdict is Verdict.INCOMPLETE
        or decision.evaluated is Verdict.INCOMPLETE
        or any(p.blocking for p in report.problems)
    )
    invocation: dict[str, Any] = {
        "executionSuccessful": not incomplete,
        "exitCode": int(decision.exit_code),
        "exitCodeDescription": f"gate {decision.verdict.value}",
    }
    if report.started_at:
        invocation["startTimeUtc"] = report.started_at
    invocation["toolExecutionNotifications"] = [_notification(p) for p in report.problems]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "fullName": f"{TOOL_NAME} {report.tool_version}",
                "version": report.tool_version,
                "rules": rules,
            }
        },
        "invocations": [invocation],
    }
    base = _base_uri(report.target)
    if base is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base}}
    run["results"] = results
    run["properties"] = _run_properties(report)
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
