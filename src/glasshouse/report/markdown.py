"""A Markdown summary for pull-request and merge-request comments.

The verdict and its reasons first, then the blocking findings as a table (what to fix),
then collapsed sections for everything the gate let through (waived, existing, ignored,
allowed), the waivers (expired, unused and invalid ones called out) and the problems
that limited the scan. Every text that comes from a finding is escaped: a hostile
advisory title can neither break a table, nor inject HTML, nor mention anyone.

GitHub refuses comments over 65,536 characters: long lists are cut, longest first,
with "... and N more", until the comment fits in ``BUDGET``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from glasshouse.model import (
    Disposition,
    Finding,
    Judgement,
    Report,
    Severity,
    Verdict,
    WaiverStatus,
)
from glasshouse.report import _view
from glasshouse.report._view import markdown_code, markdown_text

GITHUB_LIMIT = 65_536
# Room under GitHub's limit for what CI tools wrap around a comment (sticky-comment
# markers, headers), and for counting differences (UTF-16 units vs characters).
BUDGET = 60_000
MARKER = "<!-- glasshouse:report -->"  # lets a CI job find and update its own comment

_CELL = 200  # characters of a title, fix or reason in a table cell
_SECTIONS = (
    (Disposition.WAIVED, "Waived findings"),
    (Disposition.EXISTING, "Existing findings (in the baseline)"),
    (Disposition.IGNORED, "Ignored findings"),
    (Disposition.ALLOWED, "Allowed findings (below the blocking threshold)"),
)


@dataclass(frozen=True, slots=True)
class _Limits:
    blocking: int  # rows of the blocking table
    others: int  # rows of each collapsed section
    reasons: int


# Tried in order until the comment fits.
_LEVELS = (
    _Limits(1000, 300, 100),
    _Limits(300, 100, 50),
    _Limits(100, 30, 30),
    _Limits(50, 10, 20),
    _Limits(20, 5, 10),
    _Limits(10, 0, 5),
)

_VERDICT_MARK = {Verdict.PASS: "✅", Verdict.FAIL: "❌", Verdict.INCOMPLETE: "⚠️"}


def _more(total: int, shown: int) -> list[str]:
    if total <= shown:
        return []
    return ["", f"... and {total - shown:,} more (see the full report)"]


def _rule(finding: Finding) -> str:
    text = markdown_text(finding.rule_id, 100)
    url = _view.help_url(finding)
    return f"[{text}]({url})" if url else text


def _where(finding: Finding) -> str:
    location = markdown_code(str(finding.location), _CELL)
    label = _view.package_label(finding)
    return f"{markdown_code(label, _CELL)} in {location}" if label else location


def _table(header: Sequence[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _why(judgement: Judgement, report: Report) -> str:
    if judgement.disposition is Disposition.WAIVED and judgement.waiver:
        for use in report.decision.waivers:
            if use.waiver.id == judgement.waiver:
                w = use.waiver
                text = f"{w.id} until {w.expires.isoformat()}: {w.reason}"
                if w.approver:
                    text += f" (approved by {w.approver})"
                return markdown_text(text, _CELL)
    return markdown_text(judgement.reason, _CELL)


def _header(report: Report, limits: _Limits) -> list[str]:
    decision = report.decision
    verdict = decision.verdict
    evaluated = decision.evaluated or verdict
    mark = _VERDICT_MARK[verdict]
    title = f"### {mark} Glasshouse gate: {verdict.value.upper()}"
    if evaluated is not verdict:
        mark = _VERDICT_MARK[Verdict.INCOMPLETE]
        title = (
            f"### {mark} Glasshouse gate: {verdict.value.upper()} "
            f"(evaluated: {evaluated.value.upper()}, mode: {markdown_text(decision.mode)})"
        )
    lines = [MARKER, title, ""]
    if decision.override is not None:
        o = decision.override
        lines += [
            f"**Break-glass override** by {markdown_text(o.actor, 100)} at "
            f"{markdown_text(o.at, 40)}: {markdown_text(o.reason, _CELL)}",
            "",
        ]
    reasons = decision.reasons[: limits.reasons]
    lines += [f"- {markdown_text(reason, 500)}" for reason in reasons]
    lines += _more(len(decision.reasons), len(reasons))
    if reasons:
        lines.append("")
    lines += [_summary(report), ""]
    return lines


def _summary(report: Report) -> str:
    findings = report.findings
    by_severity = Counter(f.severity for f in findings)
    by_disposition = Counter(j.disposition for j in report.decision.judgements)
    parts = [f"**{len(findings):,} finding(s)**"]
    gate = ", ".join(f"{by_disposition[d]:,} {d.value}" for d in Disposition if by_disposition[d])
    if gate:
        parts.append(gate)
    severity = ", ".join(
        f"{by_severity[s]:,} {s.label}" for s in reversed(Severity) if by_severity[s]
    )
    if severity:
        parts.append(severity)
    stats = report.stats
    parts.append(f"{stats.packages:,} package(s) in {stats.files_scanned:,} file(s)")
    if report.problems:
        parts.append(f"{len(report.problems):,} problem(s)")
    return " · ".join(parts)


def _blocking(items: list[_view.Item], limit: int) -> list[str]:
    blocking = [f for f, j in items if j is not None and j.disposition is Disposition.BLOCKING]
    if not blocking:
        return []
    blocking.sort(key=lambda f: (-f.severity, f.rule_id, f.location.path))
    rows = [
        [
            f"**{f.severity.label}**",
            _rule(f),
            _where(f),
            markdown_text(f.title, _CELL),
            markdown_text(_view.fix_text(f), _CELL) or "-",
        ]
        for f in blocking[:limit]
    ]
    lines = [f"#### Blocking findings ({len(blocking):,})", ""]
    lines += _table(("Severity", "Rule", "Where", "Finding", "Fix"), rows)
    lines += _more(len(blocking), len(rows))
    return [*lines, ""]


def _details(summary: str, body: list[str], *, open_: bool = False) -> list[str]:
    return [
        "<details open>" if open_ else "<details>",
        f"<summary>{summary}</summary>",
        "",
        *body,
        "",
        "</details>",
        "",
    ]


def _section(
    items: list[_view.Item], disposition: Disposition, heading: str, limit: int, report: Report
) -> list[str]:
    chosen = [(f, j) for f, j in items if j is not None and j.disposition is disposition]
    if not chosen:
        return []
    chosen.sort(key=lambda i: (-i[0].severity, i[0].rule_id, i[0].location.path))
    rows = [
        [
            f.severity.label,
            _rule(f),
            _where(f),
            markdown_text(f.title, _CELL),
            _why(j, report),
        ]
        for f, j in chosen[:limit]
    ]
    body = _table(("Severity", "Rule", "Where", "Finding", "Why"), rows) if rows else []
    body += _more(len(chosen), len(rows))
    return _details(f"{heading} ({len(chosen):,})", body)


def _unjudged(items: list[_view.Item], limit: int) -> list[str]:
    chosen = [f for f, j in items if j is None]
    if not chosen:
        return []
    rows = [
        [f.severity.label, _rule(f), _where(f), markdown_text(f.title, _CELL)]
        for f in chosen[:limit]
    ]
    body = _table(("Severity", "Rule", "Where", "Finding"), rows) if rows else []
    body += _more(len(chosen), len(rows))
    return _details(f"Findings not judged by a gate ({len(chosen):,})", body)


def _waivers(report: Report, limit: int) -> list[str]:
    uses = report.decision.waivers
    if not uses:
        return []
    counts = Counter(use.status for use in uses)
    flagged = ", ".join(
        f"{counts[s]} {s.value}"
        for s in (WaiverStatus.EXPIRED, WaiverStatus.INVALID, WaiverStatus.UNUSED)
        if counts[s]
    )
    rows = []
    for use in uses[: max(limit, 10)]:
        w = use.waiver
        status = use.status.value
        if use.status is not WaiverStatus.APPLIED:
            status = f"**{status}**"
            if use.message:
                status += f": {markdown_text(use.message, 100)}"
        covers = w.rule or w.package or w.path or w.fingerprint or "-"
        rows.append(
            [
                markdown_text(w.id, 60),
                status,
                markdown_code(covers, 100),
                f"{use.matched:,}",
                w.expires.isoformat(),
                markdown_text(w.approver, 60) if w.approver else "not approved",
                markdown_text(w.reason, _CELL),
            ]
        )
    body = _table(("Waiver", "Status", "Covers", "Matched", "Expires", "Approver", "Reason"), rows)
    body += _more(len(uses), len(rows))
    summary = f"Waivers ({len(uses):,}{'; ' + flagged if flagged else ''})"
    return _details(summary, body)


def _baseline(report: Report, limit: int) -> list[str]:
    comparison = report.decision.baseline
    if comparison is None:
        return []
    fixed = comparison.fixed
    body = [f"Compared with {markdown_text(comparison.source, _CELL)}."]
    shown = fixed[: max(limit, 10)]
    if shown:
        body.append("")
        body += [
            f"- fixed: {markdown_text(f.rule_id, 100)} in {markdown_text(f.path, _CELL)}"
            for f in shown
        ]
        body += _more(len(fixed), len(shown))
    summary = (
        f"Baseline ({comparison.new:,} new, {comparison.existing:,} existing, {len(fixed):,} fixed)"
    )
    return _details(summary, body)


def _problems(report: Report, limit: int) -> list[str]:
    problems = report.problems
    if not problems:
        return []
    blocking = sum(1 for p in problems if p.blocking)
    shown = problems[: max(limit, 10)]
    body = [
        f"- {'**incomplete**' if p.blocking else 'warning'} ({markdown_text(p.scanner, 60)}): "
        + markdown_text(str(p), 300)
        for p in shown
    ]
    body += _more(len(problems), len(shown))
    summary = f"Problems ({len(problems):,}; {blocking:,} kept the scan incomplete)"
    return _details(summary, body, open_=blocking > 0)


def _footer(report: Report) -> list[str]:
    parts = [f"Glasshouse {markdown_text(report.tool_version, 40)}"]
    if report.started_at:
        parts.append(f"scan started {markdown_text(report.started_at, 40)}")
    if report.policy_sources:
        sources = ", ".join(markdown_text(s, 200) for s in report.policy_sources[:5])
        parts.append(f"policy: {sources}")
    return ["<sub>" + " · ".join(parts) + "</sub>"]


def _render(report: Report, limits: _Limits) -> str:
    items = _view.items(report)
    lines = _header(report, limits)
    blocking = _blocking(items, limits.blocking)
    if blocking:
        lines += blocking
    elif report.findings:
        lines += ["No blocking findings.", ""]
    for disposition, heading in _SECTIONS:
        lines += _section(items, disposition, heading, limits.others, report)
    lines += _unjudged(items, limits.others)
    lines += _waivers(report, limits.others)
    lines += _baseline(report, limits.others)
    lines += _problems(report, limits.others)
    lines += _footer(report)
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    text = ""
    for limits in _LEVELS:
        text = _render(report, limits)
        if len(text) <= BUDGET:
            return text
    # Only reachable with pathological inputs (thousands of policy files, say): cut hard.
    notice = "\n\n... comment truncated: see the full report\n"
    return text[: BUDGET - len(notice)] + notice
