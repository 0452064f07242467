"""The HTML report in a real browser: Debian's chromium, driven by Playwright.

It must render the verdict and findings, show hostile text literally, run no script,
and load nothing from anywhere (the page is self-contained under a strict CSP).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from glasshouse.report import html

from .fixture_report import fixture_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_html_report_renders_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    page_file = tmp_path / "report.html"
    page_file.write_text(html.render(fixture_report()), encoding="utf-8")
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            body = page.inner_text("body")
            assert "FAIL" in body
            assert "CVE-2019-14234" in body
            assert "Example problem in Django <b>markup</b> [stays] literal" in body
            assert page.locator("b", has_text="markup").count() == 0
            assert "W-7" in body
            assert "expired" in body
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing but the page itself
