"""The pages, read as a person would without a script: posture, runs, search, the log."""

from __future__ import annotations

from glasshouse.model import Severity

from . import reports
from .conftest import World


def populate(world: World) -> None:
    token = world.ci_token("shop")
    found = [
        reports.vuln("django", "GHSA-crit-0001-aaaa", Severity.CRITICAL),
        reports.vuln("flask", "GHSA-low-0002-bbbb", Severity.LOW),
        reports.secret("config/prod.env"),
    ]
    answer = world.upload(
        token, "shop", reports.body(reports.report(found)), "1", Glasshouse_Commit="f" * 40
    )
    assert answer.status_code == 201
    world.user("sec", "security")


def test_overview_shows_posture_with_inline_svg_charts(world: World) -> None:
    populate(world)
    page = world.browser("sec").client.get("/")
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 4
    assert "<script" not in html
    assert "Open findings by severity" in html
    assert "critical: 2" in html  # the SVG's tooltips carry the numbers
    assert "gate runs today" in html
    assert ">shop<" in html
    assert "Failed gates today" in html


def test_run_page_shows_verdict_reasons_and_fixes(world: World) -> None:
    populate(world)
    page = world.browser("sec").client.get("/projects/shop/runs/1")
    assert page.status_code == 200
    assert "verdict-fail" in page.text
    assert "Upgrade django from 1.0.0 to 1.0.1." in page.text
    assert "Rotate the key" in page.text
    assert "f" * 40 in page.text


def test_findings_search_filters(world: World) -> None:
    populate(world)
    client = world.browser("sec").client

    def rules(query: str) -> set[str]:
        text = client.get(f"/findings?{query}").text
        return {
            r for r in ("GHSA-crit-0001-aaaa", "GHSA-low-0002-bbbb", "aws-access-key") if r in text
        }

    assert rules("") == {"GHSA-crit-0001-aaaa", "GHSA-low-0002-bbbb", "aws-access-key"}
    assert rules("severity=critical") == {"GHSA-crit-0001-aaaa", "aws-access-key"}
    assert rules("kind=secret") == {"aws-access-key"}
    assert rules("q=flask") == {"GHSA-low-0002-bbbb"}
    assert rules("q=100%25_") == set()  # LIKE wildcards are searched for literally
    assert rules("rule=GHSA-low-0002-bbbb") == {"GHSA-low-0002-bbbb"}
    assert rules("state=fixed") == set()
    assert rules("project=shop&branch=other") == set()
    assert client.get("/findings?severity=bogus").status_code == 422
    assert client.get("/findings?project=nope").status_code == 404


def test_findings_search_pages_by_keyset(world: World) -> None:
    token = world.ci_token("shop")
    assert (
        world.upload(token, "shop", reports.body(reports.report(reports.many(60))), "1").status_code
        == 201
    )
    world.user("sec", "security")
    client = world.browser("sec").client
    first = client.get("/findings")
    assert first.text.count('href="/findings/') == 50
    assert "Older findings" in first.text
    second = client.get("/findings?state=open&before=11")
    assert second.text.count('href="/findings/') == 10
    assert "Older findings" not in second.text


def test_event_log_lists_runs_and_decisions(world: World) -> None:
    populate(world)
    page = world.browser("sec").client.get("/events")
    assert "run uploaded" in page.text
    assert "main: gate fail, 3 finding(s), 3 new, 0 fixed" in page.text
    assert "user created" in page.text
