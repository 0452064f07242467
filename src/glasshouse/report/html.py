"""A self-contained HTML report: one file, inline CSS, no script, no external resource.

The verdict and its reasons lead; then counts by severity and by gate disposition; the
findings grouped by kind (each with its severity, what the gate made of it and why,
the waiver that covers it, the fix); the waivers; the baseline comparison; the problems
that limited the scan. Every text taken from the report goes through ``html.escape``,
links are emitted only for http(s) URLs, and a Content-Security-Policy forbids scripts,
fetches and forms, so a hostile advisory title stays text.
"""

from __future__ import annotations

import html
from collections import Counter

from glasshouse.model import (
    Disposition,
    Finding,
    FindingKind,
    Judgement,
    Problem,
    Report,
    Severity,
    Verdict,
    WaiverStatus,
    WaiverUse,
)
from glasshouse.report import _view
from glasshouse.report._view import KIND_HEADING, clean

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:var(--fg); background:#fff; }
main, header > div { max-width:1280px; margin:0 auto; padding:0 24px; }
header { padding:20px 0 16px; border-bottom:4px solid; margin-bottom:16px; }
header h1 { margin:0 0 4px; font-size:26px; }
header .meta { color:var(--muted); margin:0 0 8px; word-break:break-all; }
header ul { margin:8px 0 0; padding-left:20px; }
.v-pass { background:#dafbe1; border-color:#1a7f37; }
.v-fail { background:#ffebe9; border-color:#cf222e; }
.v-incomplete, .v-warn { background:#fff8c5; border-color:#9a6700; }
h2 { font-size:20px; margin:28px 0 8px; display:inline; }
section { margin:0 0 24px; }
summary { cursor:pointer; margin:28px 0 8px; }
.cards { display:flex; flex-wrap:wrap; gap:8px; margin:8px 0; }
.card { border:1px solid var(--line); border-radius:6px; padding:6px 12px; min-width:96px;
  background:var(--bg); }
.card b { display:block; font-size:20px; }
table { border-collapse:collapse; width:100%; margin:8px 0; }
th, td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left;
  vertical-align:top; }
th { background:var(--bg); font-weight:600; }
td { overflow-wrap:anywhere; }
.badge { display:inline-block; border-radius:10px; padding:0 8px; font-size:12px;
  font-weight:600; white-space:nowrap; border:1px solid transparent; }
.s-critical { background:#82071e; color:#fff; }
.s-high { background:#cf222e; color:#fff; }
.s-medium { background:#bf8700; color:#fff; }
.s-low { background:#ddf4ff; color:#0969da; border-color:#54aeff; }
.s-unknown { background:#eaeef2; color:#59636e; border-color:#d1d9e0; }
.d-blocking { background:#cf222e; color:#fff; }
.d-allowed { background:#eaeef2; color:#424a53; }
.d-waived { background:#fbefff; color:#8250df; border-color:#c297ff; }
.d-existing { background:#ddf4ff; color:#0969da; }
.d-ignored { background:#f6f8fa; color:#59636e; border-color:#d1d9e0; }
.d-none { background:#f6f8fa; color:#59636e; }
.w-applied { background:#fbefff; color:#8250df; }
.w-unused, .w-expired, .w-invalid { background:#fff8c5; color:#7d4e00; border-color:#d4a72c; }
.p-error { background:#ffebe9; color:#a40e26; }
.p-warning { background:#fff8c5; color:#7d4e00; }
.nowrap { white-space:nowrap; }
.new { color:#0969da; font-size:12px; font-weight:600; }
.small, .why { color:var(--muted); font-size:12px; }
.title { font-weight:600; }
code, .path { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
tr.r-blocking td:first-child { box-shadow:inset 3px 0 0 #cf222e; }
a { color:#0969da; }
footer { color:var(--muted); font-size:12px; margin:32px 0; }
"""

_VERDICT_CLASS = {
    Verdict.PASS: "v-pass",
    Verdict.FAIL: "v-fail",
    Verdict.INCOMPLETE: "v-incomplete",
}


def _e(text: object) -> str:
    """Escaped text: every string from the report passes through here."""
    return html.escape(clean(str(text)), quote=True)


def _link(url: str | None, text: str) -> str:
    safe = _view.safe_url(url)
    if safe is None:
        return _e(text)
    return f'<a href="{_e(safe)}" rel="noopener noreferrer">{_e(text)}</a>'


def _badge(css: str, text: str) -> str:
    return f'<span class="badge {css}">{_e(text)}</span>'


def _severity(severity: Severity) -> str:
    return _badge(f"s-{severity.label}", severity.label)


def _header(report: Report) -> list[str]:
    decision = report.decision
    verdict = decision.verdict
    evaluated = decision.evaluated or verdict
    css = _VERDICT_CLASS[verdict] if evaluated is verdict else "v-warn"
    title = f"Glasshouse gate: {verdict.value.upper()}"
    if evaluated is not verdict:
        title += f" (evaluated: {evaluated.value.upper()}, mode: {decision.mode})"
    meta = [
        f"target {_e(report.target)}",
        f"started {_e(report.started_at)}",
        f"Glasshouse {_e(report.tool_version)}",
        f"exit code {int(decision.exit_code)}",
    ]
    if decision.mode != "enforce":
        meta.append(f"mode {_e(decision.mode)}")
    lines = [f'<header class="{css}"><div>', f"<h1>{_e(title)}</h1>"]
    lines.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if decision.override is not None:
        o = decision.override
        lines.append(
            f"<p><strong>Break-glass override</strong> by {_e(o.actor)} at {_e(o.at)}: "
            f"{_e(o.reason)}</p>"
        )
    if decision.reasons:
        lines.append("<ul>")
        lines += [f"<li>{_e(reason)}</li>" for reason in decision.reasons]
        lines.append("</ul>")
    lines.append("</div></header>")
    return lines


def _card(label: str, count: int, css: str = "") -> str:
    badge = _badge(css, label) if css else _e(label)
    return f'<div class="card"><b>{count:,}</b>{badge}</div>'


def _summary(report: Report) -> list[str]:
    by_severity = Counter(f.severity for f in report.findings)
    by_disposition = Counter(j.disposition for j in report.decision.judgements)
    stats = report.stats
    lines = ['<section id="summary">', "<h2>Summary</h2>", '<div class="cards">']
    lines.append(_card("findings", len(report.findings)))
    lines += [_card(s.label, by_severity[s], f"s-{s.label}") for s in reversed(Severity)]
    lines += ["</div>", '<div class="cards">']
    lines += [_card(d.value, by_disposition[d], f"d-{d.value}") for d in Disposition]
    lines.append(_card("problems", len(report.problems)))
    lines.append("</div>")
    facts = [
        f"{stats.files_scanned:,} file(s)",
        f"{stats.packages:,} package(s), {stats.unpinned:,} unpinned",
        f"{stats.duration_seconds:.2f} s",
    ]
    if stats.database:
        ages = ", ".join(f"{_e(k)} {_e(v)} old" for k, v in sorted(stats.database.items()))
        facts.append(f"advisory database: {ages}")
    if report.policy_sources:
        facts.append("policy: " + ", ".join(_e(s) for s in report.policy_sources))
    lines.append(f'<p class="small">{" · ".join(facts)}</p>')
    lines.append("</section>")
    return lines


def _waiver_text(use: WaiverUse) -> str:
    w = use.waiver
    parts = [f"until {_e(w.expires.isoformat())}"]
    parts.append(f"approved by {_e(w.approver)}" if w.approver else "not approved")
    if w.owner:
        parts.append(f"owner {_e(w.owner)}")
    if w.ticket:
        parts.append(_e(w.ticket))
    return f'{_e(w.reason)} <span class="small">({", ".join(parts)})</span>'


def _gate(judgement: Judgement | None, waivers: dict[str, WaiverUse]) -> str:
    if judgement is None:
        return _badge("d-none", "not judged")
    cell = _badge(f"d-{judgement.disposition.value}", judgement.disposition.value)
    if judgement.new is True:
        cell += ' <span class="new">new</span>'
    cell += f'<div class="why">{_e(judgement.reason)}</div>'
    use = waivers.get(judgement.waiver or "")
    if use is not None:
        cell += f'<div class="small">waiver {_e(use.waiver.id)}: {_waiver_text(use)}</div>'
    return cell


def _identity(finding: Finding) -> str:
    parts = [_link(_view.help_url(finding), finding.rule_id)]
    vuln = finding.vulnerability
    if vuln is not None:
        parts += [_e(alias) for alias in vuln.advisory_ids[1:] if alias != finding.rule_id]
    if finding.code is not None:
        tool = finding.code.tool
        if finding.code.tool_version:
            tool += f" {finding.code.tool_version}"
        parts.append(f"reported by {_e(tool)}")
    return (
        f'<div class="title">{_e(finding.title)}</div>'
        f'<div class="small"><code>{" · ".join(parts)}</code></div>'
    )


def _where(finding: Finding) -> str:
    path = f'<div class="path">{_e(finding.location)}</div>'
    vuln = finding.vulnerability
    if vuln is None:
        return path
    pkg = vuln.package
    version = pkg.version or f"unpinned {pkg.requirement or ''}".strip()
    scope = [] if pkg.direct is None else ["direct" if pkg.direct else "transitive"]
    if pkg.dev:
        scope.append("dev")
    extra = f' <span class="small">{_e(", ".join(scope))}</span>' if scope else ""
    ecosystem = f'<span class="small">{_e(pkg.ecosystem)}</span>'
    return f"<b>{_e(pkg.name)}</b> {_e(version)} {ecosystem}{extra}{path}"


def _fix(finding: Finding) -> str:
    parts = [_e(_view.fix_text(finding))] if finding.fix is not None else []
    vuln = finding.vulnerability
    if vuln is not None:
        fixed = ", ".join(vuln.fixed_versions) or "no fixed version known"
        parts.append(f'<div class="small">fixed in: {_e(fixed)}</div>')
        if vuln.cvss_vectors:
            parts.append(
                f'<div class="small"><code>{_e(", ".join(vuln.cvss_vectors))}</code></div>'
            )
    return "".join(parts) or "-"


def _findings(report: Report) -> list[str]:
    waivers = {use.waiver.id: use for use in report.decision.waivers}
    grouped: dict[FindingKind, list[_view.Item]] = {}
    for item in _view.items(report):
        grouped.setdefault(item[0].kind, []).append(item)
    lines: list[str] = []
    for kind in FindingKind:
        items = grouped.get(kind)
        if not items:
            continue
        blocking = sum(1 for _, j in items if j and j.disposition is Disposition.BLOCKING)
        lines += [
            f'<section id="{kind.value}"><details open>',
            f"<summary><h2>{_e(KIND_HEADING[kind])} ({len(items):,})</h2>"
            f' <span class="small">{blocking:,} blocking</span></summary>',
            "<table>",
            "<thead><tr><th>Severity</th><th>Gate</th><th>Finding</th><th>Where</th>"
            "<th>Fix</th></tr></thead>",
            "<tbody>",
        ]
        for finding, judgement in _view.by_disposition(items):
            row = f"r-{judgement.disposition.value}" if judgement else "r-none"
            lines.append(
                f'<tr class="{row}"><td>{_severity(finding.severity)}</td>'
                f"<td>{_gate(judgement, waivers)}</td><td>{_identity(finding)}</td>"
                f"<td>{_where(finding)}</td><td>{_fix(finding)}</td></tr>"
            )
        lines += ["</tbody>", "</table>", "</details></section>"]
    if not lines:
        lines = [
            '<section id="findings">',
            "<h2>Findings</h2>",
            "<p>No findings.</p>",
            "</section>",
        ]
    return lines


def _waivers(report: Report) -> list[str]:
    uses = report.decision.waivers
    if not uses:
        return []
    lines = [
        '<section id="waivers">',
        "<h2>Waivers</h2>",
        "<table>",
        "<thead><tr><th>Waiver</th><th>Status</th><th>Covers</th><th>Matched</th>"
        "<th>Reason</th><th>Owner</th><th>Approver</th><th>Ticket</th><th>Created</th>"
        "<th>Expires</th><th>Source</th></tr></thead>",
        "<tbody>",
    ]
    for use in uses:
        w = use.waiver
        status = _badge(f"w-{use.status.value}", use.status.value)
        if use.status is not WaiverStatus.APPLIED and use.message:
            status += f'<div class="why">{_e(use.message)}</div>'
        covers = [
            f"{label} <code>{_e(value)}</code>"
            for label, value in (
                ("rule", w.rule),
                ("package", w.package),
                ("path", w.path),
                ("fingerprint", w.fingerprint),
            )
            if value
        ]
        cells = [
            f"<code>{_e(w.id)}</code>",
            status,
            "<br>".join(covers) or "-",
            f"{use.matched:,}",
            _e(w.reason),
            _e(w.owner or "-"),
            _e(w.approver or "not approved"),
            _e(w.ticket or "-"),
            f'<span class="nowrap">{_e(w.created.isoformat() if w.created else "-")}</span>',
            f'<span class="nowrap">{_e(w.expires.isoformat())}</span>',
            f'<span class="path">{_e(w.source or "-")}</span>',
        ]
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines += ["</tbody>", "</table>", "</section>"]
    return lines


def _baseline(report: Report) -> list[str]:
    comparison = report.decision.baseline
    if comparison is None:
        return []
    lines = [
        '<section id="baseline">',
        "<h2>Baseline</h2>",
        f'<p>Compared with <span class="path">{_e(comparison.source)}</span>: '
        f"{comparison.new:,} new, {comparison.existing:,} existing, "
        f"{len(comparison.fixed):,} fixed since the baseline.</p>",
    ]
    if comparison.fixed:
        lines += [
            "<table>",
            "<thead><tr><th>Fixed</th><th>Path</th><th>Fingerprint</th></tr></thead>",
            "<tbody>",
        ]
        lines += [
            f'<tr><td>{_e(f.rule_id)}</td><td class="path">{_e(f.path)}</td>'
            f"<td><code>{_e(f.fingerprint)}</code></td></tr>"
            for f in comparison.fixed
        ]
        lines += ["</tbody>", "</table>"]
    lines.append("</section>")
    return lines


def _problem(problem: Problem) -> str:
    badge = _badge("p-error", "incomplete") if problem.blocking else _badge("p-warning", "warning")
    path = f'<span class="path">{_e(problem.path)}</span>: ' if problem.path else ""
    cells = (badge, _e(problem.scanner), path + _e(problem.message))
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _problems(report: Report) -> list[str]:
    if not report.problems:
        return []
    return [
        '<section id="problems">',
        "<h2>Problems</h2>",
        '<p class="small">What could not be read or checked; "incomplete" ones keep the scan '
        "from being complete.</p>",
        "<table>",
        "<thead><tr><th>Effect</th><th>Scanner</th><th>Problem</th></tr></thead>",
        "<tbody>",
        *(_problem(p) for p in report.problems),
        "</tbody>",
        "</table>",
        "</section>",
    ]


def render(report: Report) -> str:
    decision = report.decision
    title = f"Glasshouse: {decision.verdict.value.upper()} · {report.target}"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *_header(report),
        "<main>",
        *_summary(report),
        *_findings(report),
        *_waivers(report),
        *_baseline(report),
        *_problems(report),
        f"<footer>Glasshouse {_e(report.tool_version)} · report schema "
        f"{_e(report.schema_version)} · scan started {_e(report.started_at)}</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"
