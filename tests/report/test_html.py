"""The HTML report: self-contained, well formed, strict CSP, and every text escaped."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from glasshouse.model import Report
from glasshouse.report import html

from . import edge_reports
from .fixture_report import fixture_report

VOID = {"meta", "br"}
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "div",
    "section", "details", "summary", "h1", "h2", "p", "ul", "li", "table", "thead",
    "tbody", "tr", "th", "td", "span", "b", "strong", "code", "a", "br",
}  # fmt: skip
ALLOWED_ATTRS = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "rel", "open",
}  # fmt: skip


class Page(HTMLParser):
    """Collects tags, links and text, and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.attrs: set[str] = set()
        self.text: list[str] = []
        self.meta: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.update(name for name, _ in attrs)
        values = dict(attrs)
        if tag == "a":
            self.hrefs.append(values.get("href") or "")
        if tag == "meta":
            self.meta.append(values)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] != "style":
            self.text.append(data)


def parse(report: Report) -> tuple[str, Page]:
    text = html.render(report)
    assert text == html.render(report), "rendering must be deterministic"
    assert text.startswith("<!DOCTYPE html>\n")
    page = Page()
    page.feed(text)
    page.close()
    assert page.stack == []
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    assert page.attrs <= ALLOWED_ATTRS, page.attrs - ALLOWED_ATTRS
    for href in page.hrefs:
        assert href.startswith(("https://", "http://")), href
    return text, page


def test_fixture_is_self_contained_with_a_strict_csp() -> None:
    text, page = parse(fixture_report())
    csp = [m for m in page.meta if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    policy = csp[0]["content"] or ""
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert "script" not in page.tags
    assert "link" not in page.tags
    assert "img" not in page.tags
    assert not re.search(r"\b(src|srcset|action|style)=", text)  # nothing loads, no inline styles
    assert "url(" not in text
    assert "@import" not in text


def test_fixture_title_is_escaped() -> None:
    text, page = parse(fixture_report())
    assert "<b>markup</b>" not in text
    assert "Example problem in Django &lt;b&gt;markup&lt;/b&gt; [stays] literal" in text
    assert "Example problem in Django <b>markup</b> [stays] literal" in "".join(page.text)


def test_fixture_content() -> None:
    text, page = parse(fixture_report())
    body = " ".join(" ".join(page.text).split())
    assert "Glasshouse gate: FAIL" in body
    assert "2 blocking finding(s) (1 critical, 1 high)" in body
    assert body.index("Glasshouse gate: FAIL") < body.index("Vulnerable dependencies (4)")
    assert "Code findings (1)" in body
    assert "critical is at or above high" in body
    assert "waiver W-7: yaml.load is only called with SafeLoader here" in body
    assert "Upgrade Django from 2.2 to 2.2.18." in body
    assert "fixed in: 1.11.23, 2.1.11, 2.2.4" in body
    assert "expired on 2026-10-01" in body
    assert "matched no finding" in body
    assert "4 new, 1 existing, 1 fixed since the baseline" in body
    assert "CVE-2018-1000" in body
    assert "cannot parse as poetrylock: Expected '=' at line 3" in body
    assert "https://osv.dev/vulnerability/CVE-2019-14234" in page.hrefs
    assert "https://bandit.readthedocs.io/en/latest/plugins/b602.html" in page.hrefs
    # summary cards: counts by severity and by disposition
    assert '<div class="card"><b>2</b><span class="badge s-critical">critical</span></div>' in text
    assert '<div class="card"><b>1</b><span class="badge d-waived">waived</span></div>' in text
    # blocking first within a kind
    vulns = text[text.index('id="vulnerability"') : text.index('id="code"')]
    assert vulns.index("r-blocking") < vulns.index("r-waived") < vulns.index("r-allowed")


def test_hostile_text_stays_text() -> None:
    text, page = parse(edge_reports.hostile_report())
    for raw in ("<script", "<img", "\x1b", "\u202e"):
        assert raw not in text
    assert 'href="javascript' not in text  # the reference exists, but is never a link
    visible = "".join(page.text)
    assert "<script>alert(1)</script> <img src=x onerror=alert(2)>" in visible
    assert "x/<y>.lock" in visible
    assert "bad <b>file</b> | oops" in visible
    assert page.hrefs[0] == "https://example.org/a%20b?q=%3Cx%3E"


@pytest.mark.parametrize(
    ("make", "css", "heading"),
    [
        (edge_reports.empty_report, "v-pass", "Glasshouse gate: PASS"),
        (edge_reports.passing_report, "v-pass", "Glasshouse gate: PASS"),
        (edge_reports.incomplete_report, "v-incomplete", "Glasshouse gate: INCOMPLETE"),
        (edge_reports.dispositions_report, "v-fail", "Glasshouse gate: FAIL"),
    ],
    ids=["empty", "passing", "incomplete", "dispositions"],
)
def test_verdicts(make: Callable[[], Report], css: str, heading: str) -> None:
    text, _ = parse(make())
    assert f'<header class="{css}"><div>\n<h1>{heading}</h1>' in text


def test_empty_report_says_so() -> None:
    text, _ = parse(edge_reports.empty_report())
    assert "<p>No findings.</p>" in text
    assert 'id="waivers"' not in text
    assert 'id="problems"' not in text


def test_dispositions_report_shows_every_finding() -> None:
    report = edge_reports.dispositions_report()
    text, page = parse(report)
    assert text.count('<tr class="r-') == len(report.findings)
    body = " ".join(page.text)
    assert "in the baseline; only new findings block" in body
    assert "Secrets (1)" in body
    assert edge_reports.SECRET_PREVIEW in body


def test_many_findings() -> None:
    report = edge_reports.many_findings_report(10_000)
    text, _ = parse(report)
    assert text.count('<tr class="r-') == 10_000


def test_findings_without_a_gate_decision() -> None:
    text, _ = parse(edge_reports.unjudged_report())
    assert text.count('<tr class="r-none">') == 2
    assert '<span class="badge d-none">not judged</span>' in text
