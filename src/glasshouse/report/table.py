"""The terminal report: findings grouped by kind, then by package or file, each with
what the gate made of it and the fix; then waivers, the baseline comparison, the
problems that limited the scan, and the verdict with its reasons. Nothing is hidden:
waived, ignored and existing findings are listed too, marked as such."""

from __future__ import annotations

from collections import defaultdict
from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from glasshouse.model import (
    Disposition,
    Finding,
    FindingKind,
    Judgement,
    Report,
    Severity,
    Verdict,
    WaiverStatus,
)

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "dim",
}
VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.FAIL: "bold red",
    Verdict.INCOMPLETE: "bold yellow",
}
DISPOSITION_STYLE = {
    Disposition.BLOCKING: "bold red",
    Disposition.ALLOWED: "dim",
    Disposition.WAIVED: "magenta",
    Disposition.EXISTING: "blue",
    Disposition.IGNORED: "dim",
}
KIND_HEADING = {
    FindingKind.VULNERABILITY: "Vulnerable dependencies",
    FindingKind.SECRET: "Secrets",
    FindingKind.MISCONFIGURATION: "Misconfigurations",
    FindingKind.CODE: "Code findings",
}
WAIVER_STYLE = {
    WaiverStatus.APPLIED: "magenta",
    WaiverStatus.UNUSED: "yellow",
    WaiverStatus.EXPIRED: "bold yellow",
    WaiverStatus.INVALID: "bold yellow",
}

Item = tuple[Finding, Judgement | None]


def _group_key(finding: Finding) -> tuple[str, str]:
    """Vulnerabilities group by package and file; other kinds by file."""
    vuln = finding.vulnerability
    if vuln is not None:
        pkg = vuln.package
        return (
            f"{pkg.name} {pkg.version or ''}".strip(),
            f"({pkg.ecosystem})  {finding.location.path}",
        )
    return (finding.location.path, "")


def _gate_cell(judgement: Judgement | None) -> Text:
    if judgement is None:
        return Text("")
    label = judgement.disposition.value
    if judgement.waiver:
        label += f" {judgement.waiver}"
    if judgement.new:
        label += " (new)"
    return Text(label, style=DISPOSITION_STYLE[judgement.disposition])


def _findings_table(items: list[Item], kind: FindingKind) -> Table:
    table = Table(box=None, show_header=True, header_style="dim", pad_edge=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("gate", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    if kind is FindingKind.VULNERABILITY:
        table.add_column("fixed in", max_width=28)
    else:
        table.add_column("line", no_wrap=True, justify="right")
    table.add_column("title", ratio=1, min_width=30)
    for finding, judgement in sorted(items, key=lambda i: (-i[0].severity, i[0].rule_id)):
        vuln = finding.vulnerability
        rule = Text(finding.rule_id)
        for alias in vuln.advisory_ids[1:3] if vuln else ():
            rule.append(f"\n{alias}", style="dim")
        if vuln is not None:
            middle = Text(", ".join(vuln.fixed_versions) if vuln.fixed_versions else "-")
        else:
            middle = Text(str(finding.location.line or ""))
        title = finding.title if len(finding.title) <= 120 else finding.title[:117] + "..."
        if finding.secret is not None:
            commits = {o.commit for o in finding.secret.occurrences if o.commit}
            title += f"\n{finding.secret.preview}"
            if commits:
                title += f", in {len(commits)} commit(s)"
        table.add_row(
            Text(finding.severity.label, style=SEVERITY_STYLE[finding.severity]),
            _gate_cell(judgement),
            rule,
            middle,
            Text(title),
        )
    return table


def write(report: Report, console: Console) -> None:
    judgements: list[Judgement | None] = list(report.decision.judgements) or [None] * len(
        report.findings
    )
    by_kind: dict[FindingKind, dict[tuple[str, str], list[Item]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for finding, judgement in zip(report.findings, judgements, strict=True):
        by_kind[finding.kind][_group_key(finding)].append((finding, judgement))
    for kind in FindingKind:
        groups = by_kind.get(kind)
        if not groups:
            continue
        total = sum(len(items) for items in groups.values())
        console.print(Text(f"{KIND_HEADING[kind]} ({total})", style="bold underline"))
        console.print()
        ordered = sorted(groups.items(), key=lambda kv: (-max(f.severity for f, _ in kv[1]), kv[0]))
        for (title, subtitle), items in ordered:
            heading = Text(title, style="bold")
            if subtitle:
                heading.append(f"  {subtitle}", style="dim")
            console.print(heading)
            console.print(_findings_table(items, kind))
            fixes = dict.fromkeys(f.fix.summary for f, _ in items if f.fix is not None)
            for fix in list(fixes)[:3]:
                console.print(Text("  fix: ", style="bold green") + Text(fix), soft_wrap=True)
            console.print()
    _write_waivers(report, console)
    _write_baseline(report, console)
    if report.problems:
        console.print(Text("Not everything could be checked:", style="bold yellow"))
        for problem in report.problems:
            marker = "✗" if problem.blocking else "!"
            style = "yellow" if problem.blocking else "dim"
            console.print(Text(f"  {marker} {problem}", style=style), soft_wrap=True)
        console.print()
    summary = (
        f"{report.stats.files_scanned} file(s), {report.stats.packages} package(s), "
        f"{len(report.findings)} finding(s) in {report.stats.duration_seconds:.2f}s"
    )
    if report.policy_sources:
        summary += f"; policy: {', '.join(report.policy_sources)}"
    console.print(Text(summary, style="dim"), soft_wrap=True)
    decision = report.decision
    line = Text(f"gate: {decision.verdict.value.upper()}", style=VERDICT_STYLE[decision.verdict])
    if decision.evaluated is not None and decision.evaluated is not decision.verdict:
        line.append(f" (evaluated: {decision.evaluated.value.upper()})", style="bold")
    if decision.reasons:
        line.append(" - " + "; ".join(decision.reasons))
    console.print(line, soft_wrap=True)


def _write_waivers(report: Report, console: Console) -> None:
    if not report.decision.waivers:
        return
    console.print(Text("Waivers:", style="bold"))
    for use in report.decision.waivers:
        w = use.waiver
        who = ", ".join(
            part
            for part in (
                f"owner {w.owner}" if w.owner else "",
                f"approved by {w.approver}" if w.approver else "not approved",
                w.ticket or "",
            )
            if part
        )
        text = Text(f"  {w.id} ", style="bold")
        text.append(use.status.value, style=WAIVER_STYLE[use.status])
        text.append(
            f"  {w.rule or w.fingerprint}: {use.matched} finding(s), until "
            f"{w.expires.isoformat()}; {who}; {w.reason}"
        )
        if use.message:
            text.append(f" ({use.message})", style="yellow")
        console.print(text, soft_wrap=True)
    console.print()


def _write_baseline(report: Report, console: Console) -> None:
    comparison = report.decision.baseline
    if comparison is None:
        return
    console.print(
        Text(
            f"Baseline {comparison.source}: {comparison.new} new, {comparison.existing} "
            f"existing, {len(comparison.fixed)} fixed",
            style="bold",
        ),
        soft_wrap=True,
    )
    for fixed in comparison.fixed[:10]:
        console.print(Text(f"  fixed: {fixed.rule_id} in {fixed.path}", style="green"))
    if len(comparison.fixed) > 10:
        console.print(Text(f"  ... and {len(comparison.fixed) - 10} more fixed", style="green"))
    console.print()


def render(report: Report) -> str:
    """Plain text, for files (``--output table=FILE``)."""
    buffer = StringIO()
    write(report, Console(file=buffer, width=120, no_color=True, highlight=False, markup=False))
    return buffer.getvalue()
