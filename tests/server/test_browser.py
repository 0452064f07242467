"""In real headless Chromium: security logs in, sees the uploaded run, approves a waiver,
and the next scan's gate passes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from glasshouse.secrets.catalogue import load_rules

from .conftest import PASSWORD, cli, live_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_security_approves_a_waiver_in_the_browser_and_the_gate_passes(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    database = f"sqlite:///{tmp_path / 'glasshouse.db'}"
    env = {"GLASSHOUSE_DATABASE_URL": database, "GLASSHOUSE_PASSWORD": PASSWORD}
    cli("server", "create-user", "sec", "--role", "security", **env)
    cli("server", "create-user", "dev", "--role", "developer", "--project", "shop", **env)
    ci = cli("server", "create-token", "--project", "shop", **env).stdout.strip()
    dev = cli("server", "create-token", "--user", "dev", **env).stdout.strip()
    repo = tmp_path / "repo"
    repo.mkdir()
    rule = next(r for r in load_rules() if r.id == "github-pat-classic")
    (repo / "deploy.sh").write_text(rule.examples[0])

    with live_server(database) as url:

        def scan(run: str) -> int:
            result = cli(
                "scan", str(repo), "--scanners", "secrets", "--offline", "--no-progress",
                "--server", url, "--upload", url, "--format", "json", check=False,
                GLASSHOUSE_TOKEN=ci, GLASSHOUSE_RUN_ID=run, GLASSHOUSE_BRANCH="main",
            )  # fmt: skip
            assert result.returncode in (0, 1), result.stderr
            assert json.loads(result.stdout)["decision"]["verdict"] in ("pass", "fail")
            return result.returncode

        assert scan("first") == 1
        expires = (date.today() + timedelta(days=14)).isoformat()
        asked = httpx.post(
            f"{url}/api/v1/projects/shop/waivers",
            json={"rule": rule.id, "reason": "a revoked test token", "expires": expires},
            headers={"Authorization": f"Bearer {dev}"},
        )
        assert asked.status_code == 201

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            page.goto(f"{url}/")
            assert page.url.startswith(f"{url}/login")
            page.fill("input[name=username]", "sec")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/")
            assert page.locator("svg.chart").count() == 4
            assert "1 waivers waiting" in page.inner_text(".tiles").replace("\n", " ")
            page.click("text=shop")
            page.wait_for_url(f"{url}/projects/shop")
            assert page.locator("td .verdict-fail").count() == 1
            page.click("text=#1")
            assert "github-pat-classic" in page.content()
            assert "Rotate" in page.content() or "revoke" in page.content().lower()
            page.goto(f"{url}/waivers")
            row = page.locator("#waiver-1")
            assert "requested" in row.inner_text()
            row.locator("input[name=reason]").fill("token revoked already")
            row.locator("button[value=approve]").click()
            page.wait_for_url(f"{url}/waivers")
            assert "approved by sec" in page.locator("#waiver-1").inner_text()

            assert scan("second") == 0

            page.goto(f"{url}/projects/shop")
            verdicts = page.locator("td .verdict").all_inner_texts()
            assert [v.lower() for v in verdicts] == ["pass", "fail"]
            page.goto(f"{url}/events")
            log = page.inner_text("table")
            assert "waiver approved" in log
            assert "token revoked already" in log
            browser.close()
