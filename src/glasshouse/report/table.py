"""The terminal report: findings grouped by package, each with its fix, then the
problems that limited the scan, then the verdict and why."""

from __future__ import annotations

from collections import defaultdict
from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from glasshouse.model import Finding, Report, Severity, Verdict

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


def _package_key(finding: Finding) -> tuple[str, str, str, str]:
    vuln = finding.vulnerability
    if vuln is None:
        return ("", finding.location.path, finding.rule_id, "")
    pkg = vuln.package
    return (pkg.ecosystem, pkg.name, pkg.version or "", pkg.location.path)


def write(report: Report, console: Console) -> None:
    groups: dict[tuple[str, str, str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        groups[_package_key(finding)].append(finding)
    ordered = sorted(
        groups.items(), key=lambda kv: (-max(f.severity for f in kv[1]), kv[0][3], kv[0][1])
    )
    for (ecosystem, name, version, _), findings in ordered:
        first = findings[0]
        heading = Text()
        heading.append(f"{name} {version}", style="bold")
        heading.append(f"  ({ecosystem})  ", style="dim")
        heading.append(str(first.location), style="underline")
        console.print(heading)
        table = Table(box=None, show_header=True, header_style="dim", pad_edge=False, expand=False)
        table.add_column("severity", no_wrap=True)
        table.add_column("advisory", no_wrap=True)
        table.add_column("fixed in", max_width=28)
        table.add_column("title", ratio=1, min_width=30)
        for finding in sorted(findings, key=lambda f: (-f.severity, f.rule_id)):
            vuln = finding.vulnerability
            advisory = Text(finding.rule_id)
            for alias in vuln.advisory_ids[1:3] if vuln else ():
                advisory.append(f"\n{alias}", style="dim")
            fixed = ", ".join(vuln.fixed_versions) if vuln and vuln.fixed_versions else "-"
            title = finding.title if len(finding.title) <= 120 else finding.title[:117] + "..."
            table.add_row(
                Text(finding.severity.label, style=SEVERITY_STYLE[finding.severity]),
                advisory,
                Text(fixed),
                Text(title),
            )
        console.print(table)
        if first.fix is not None:
            console.print(
                Text("  fix: ", style="bold green") + Text(first.fix.summary), soft_wrap=True
            )
        console.print()
    if report.problems:
        console.print(Text("Not everything could be checked:", style="bold yellow"))
        for problem in report.problems:
            marker = "✗" if problem.blocking else "!"
            style = "yellow" if problem.blocking else "dim"
            console.print(Text(f"  {marker} {problem}", style=style), soft_wrap=True)
        console.print()
    summary = (
        f"{report.stats.files_scanned} lockfile(s), {report.stats.packages} package(s), "
        f"{len(report.findings)} finding(s) in {report.stats.duration_seconds:.2f}s"
    )
    console.print(Text(summary, style="dim"))
    verdict = report.decision.verdict
    line = Text(f"gate: {verdict.value.upper()}", style=VERDICT_STYLE[verdict])
    if report.decision.reasons:
        line.append(" - " + "; ".join(report.decision.reasons))
    console.print(line, soft_wrap=True)


def render(report: Report) -> str:
    """Plain text, for files (``--output table=FILE``)."""
    buffer = StringIO()
    write(report, Console(file=buffer, width=120, no_color=True, highlight=False))
    return buffer.getvalue()
