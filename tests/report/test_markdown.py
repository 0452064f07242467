"""The Markdown comment: verdict first, tables that hostile titles cannot break, and
never over GitHub's comment limit."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from glasshouse.gate.policy import Policy
from glasshouse.model import Report
from glasshouse.report import markdown

from . import edge_reports
from .fixture_report import fixture_report

CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def tables(text: str) -> list[list[str]]:
    """Each table's lines; asserts every row has as many cells as its header."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
            continue
        if current:
            width = len(CELL_SEPARATOR.findall(current[0]))
            assert re.fullmatch(r"\|( --- \|)+", current[1]), current[1]
            for row in current:
                assert len(CELL_SEPARATOR.findall(row)) == width, row
                assert row.endswith("|"), row
                assert not row.endswith("\\|"), row
            found.append(current)
            current = []
    return found


def _render(report: Report) -> str:
    text = markdown.render(report)
    assert text == markdown.render(report), "rendering must be deterministic"
    assert len(text) <= markdown.GITHUB_LIMIT
    assert text.count("<details") == text.count("</details>")
    tables(text)
    return text


def test_fixture_leads_with_the_verdict_and_reasons() -> None:
    lines = _render(fixture_report()).splitlines()
    assert lines[:4] == [
        "<!-- glasshouse:report -->",
        "### ❌ Glasshouse gate: FAIL",
        "",
        "- 2 blocking finding(s) (1 critical, 1 high)",
    ]
    assert "- waiver W-9 unused: matched no finding" in lines


def test_fixture_blocking_table() -> None:
    text = _render(fixture_report())
    blocking = tables(text)[0]
    assert blocking[0] == "| Severity | Rule | Where | Finding | Fix |"
    assert blocking[2] == (
        "| **critical** | [CVE-2019-14234](https://osv.dev/vulnerability/CVE-2019-14234) "
        "| `Django 2.2` in `requirements.txt:1` "
        "| Example problem in Django &lt;b&gt;markup&lt;/b&gt; \\[stays\\] literal "
        "| Upgrade Django from 2.2 to 2.2.18. |"
    )
    assert blocking[3].startswith("| **high** | [bandit:B602](https://bandit.readthedocs.io/")
    assert "| `app/run.py:12` |" in blocking[3]
    assert len(blocking) == 4
    assert "<b>" not in text


def test_fixture_collapsed_sections() -> None:
    text = _render(fixture_report())
    assert "<summary>Waived findings (1)</summary>" in text
    assert "W-7 until 2026-12-20: yaml.load is only called with SafeLoader here" in text
    assert "<summary>Allowed findings (below the blocking threshold) (2)</summary>" in text
    assert "<summary>Waivers (3; 1 expired, 1 unused)</summary>" in text
    assert "| W-3 | **expired**: expired on 2026-10-01 | `bandit:B602` |" in text
    assert "| W-9 | **unused**: matched no finding |" in text
    assert "<summary>Baseline (4 new, 1 existing, 1 fixed)</summary>" in text
    assert "- fixed: CVE-2018-1000 in requirements.txt" in text
    # a blocking problem keeps its section open: it explains why the scan is incomplete
    assert "<details open>\n<summary>Problems (2; 1 kept the scan incomplete)</summary>" in text
    assert "- **incomplete** (dependencies): poetry.lock: cannot parse" in text
    assert "flask &gt;=2" in text
    assert "Existing findings" not in text
    assert "Ignored findings" not in text


def test_existing_and_ignored_sections() -> None:
    text = _render(edge_reports.dispositions_report())
    assert "<summary>Existing findings (in the baseline) (1)</summary>" in text
    assert "<summary>Ignored findings (2)</summary>" in text
    assert "rule BANDIT:B101 disabled by policy" in text
    assert edge_reports.SECRET_PREVIEW.replace("*", "\\*") in text


@pytest.mark.parametrize(
    ("make", "heading"),
    [
        (edge_reports.empty_report, "### ✅ Glasshouse gate: PASS"),
        (edge_reports.passing_report, "### ✅ Glasshouse gate: PASS"),
        (edge_reports.incomplete_report, "### ⚠️ Glasshouse gate: INCOMPLETE"),
    ],
    ids=["empty", "passing", "incomplete"],
)
def test_verdict_headings(make: Callable[[], Report], heading: str) -> None:
    text = _render(make())
    assert text.splitlines()[1] == heading


def test_empty_report() -> None:
    text = _render(edge_reports.empty_report())
    assert "- no findings" in text
    assert "Blocking findings" not in text
    assert "<details" not in text


def test_passing_report_says_nothing_blocks() -> None:
    text = _render(edge_reports.passing_report())
    assert "No blocking findings." in text
    assert "<summary>Allowed findings (below the blocking threshold) (1)</summary>" in text


def test_warn_mode_is_not_shown_as_a_clean_pass() -> None:
    report = edge_reports.report([edge_reports.vuln()], policy=Policy(mode="warn"))
    text = _render(report)
    assert text.splitlines()[1] == ("### ⚠️ Glasshouse gate: PASS (evaluated: FAIL, mode: warn)")
    assert "#### Blocking findings (1)" in text


def test_hostile_titles_cannot_break_tables_inject_html_or_mention() -> None:
    text = _render(edge_reports.hostile_report())
    for raw in ("<script", "<img", "</script>", "\x1b", "\u202e"):
        assert raw not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[link\\](javascript:alert(3))" in text
    assert "@octocat" not in text
    assert "@\u200boctocat" in text
    assert "#\u200b1" in text  # links no issue
    assert "Pwn \\| " in text
    assert "second line" in text  # the newline became a space, in the same cell
    assert "javascript:alert(1)" not in text  # the reference is never used as a link
    assert "[GHSA-\\|pipe\\|](https://osv.dev/vulnerability/GHSA-%7Cpipe%7C)" in text
    assert "`dir with space/<odd>\\|name#.txt:1`" in text  # literal inside a code span
    assert "bad &lt;b&gt;file&lt;/b&gt; \\| oops" in text


def test_ten_thousand_findings_fit_in_one_comment() -> None:
    report = edge_reports.many_findings_report(10_000)
    text = _render(report)
    assert len(text) <= markdown.BUDGET
    assert "#### Blocking findings (5,000)" in text
    assert re.search(r"^\.\.\. and [\d,]+ more \(see the full report\)$", text, re.M)
    assert "<summary>Allowed findings (below the blocking threshold) (5,000)</summary>" in text
    # the worst findings are the ones kept
    blocking = tables(text)[0]
    assert all(row.startswith("| **critical** |") for row in blocking[2:])


def test_long_titles_are_cut_in_cells() -> None:
    finding = edge_reports.vuln(title="x" * 5_000)
    text = _render(edge_reports.report([finding]))
    assert "x" * 199 + "…" in text or "x" * 198 + "…" in text
    assert "x" * 201 not in text


def test_findings_without_a_gate_decision() -> None:
    text = _render(edge_reports.unjudged_report())
    assert "<summary>Findings not judged by a gate (2)</summary>" in text
