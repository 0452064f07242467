"""The real CLI against a real server process: `scan --upload`, `scan --server`,
`waiver request`, and the `glasshouse server ...` administration commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from glasshouse.client import run_context
from glasshouse.secrets.catalogue import load_rules

from .conftest import PASSWORD, cli, live_server

SECRET_RULE = "github-pat-classic"


def leaked_text() -> str:
    """The rule catalogue's own true-positive example (a real-looking, checksummed token)."""
    rule = next(r for r in load_rules() if r.id == SECRET_RULE)
    return rule.examples[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A server on SQLite with a CI token, a developer and a security user (via the CLI)."""
    url_db = f"sqlite:///{tmp_path_factory.mktemp('srv') / 'glasshouse.db'}"
    env = {"GLASSHOUSE_DATABASE_URL": url_db, "GLASSHOUSE_PASSWORD": PASSWORD}
    cli("server", "migrate", **env)
    cli("server", "create-user", "sec", "--role", "security", **env)
    cli("server", "create-user", "dev", "--role", "developer", "--project", "shop", **env)
    tokens = {
        "ci": cli("server", "create-token", "--project", "shop", **env).stdout.strip(),
        "dev": cli("server", "create-token", "--user", "dev", **env).stdout.strip(),
        "sec": cli("server", "create-token", "--user", "sec", **env).stdout.strip(),
    }
    with live_server(url_db) as url:
        yield url, url_db, tokens


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "deploy.sh").write_text(leaked_text())
    return root


GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "acme/shop",
    "GITHUB_SERVER_URL": "https://github.example",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_RUN_ATTEMPT": "1",
    "GITHUB_JOB": "gate",
    "GITHUB_REF_NAME": "main",
    "GITHUB_SHA": "c0ffee" * 6 + "abcd",
}


def scan(root: Path, url: str, token: str, **env: str) -> tuple[int, dict[str, object], str]:
    result = cli(
        "scan", str(root), "--scanners", "secrets", "--offline", "--format", "json",
        "--server", url, "--upload", url, "--no-progress",
        check=False, GLASSHOUSE_TOKEN=token, CI="true", **env,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def test_scan_uploads_then_a_waiver_approved_on_the_server_passes_the_gate(
    server: tuple[str, str, dict[str, str]], tmp_path: Path
) -> None:
    url, _db, tokens = server
    root = repo(tmp_path)
    code, report, stderr = scan(root, url, tokens["ci"], **GITHUB)
    assert code == 1
    assert "uploaded to shop as run" in stderr
    assert report["policy"]["sources"][0].startswith(url)  # type: ignore[index]
    runs = httpx.get(
        f"{url}/api/v1/projects/shop/runs", headers={"Authorization": f"Bearer {tokens['sec']}"}
    ).json()["runs"]
    first = runs[0]
    assert first["run_id"] == "github:acme/shop:4242:1:gate"
    assert first["branch"] == "main"
    assert first["commit"] == GITHUB["GITHUB_SHA"]
    assert first["pipeline_url"] == "https://github.example/acme/shop/actions/runs/4242"
    assert first["ci"] == "github-actions"
    assert first["verdict"] == "fail"

    # a second, different scan under the same CI job's run id is refused, clearly
    again = cli(
        "scan", str(root), "--scanners", "secrets", "--offline", "--no-progress",
        "--upload", url, check=False, GLASSHOUSE_TOKEN=tokens["ci"], **GITHUB,
    )  # fmt: skip
    assert again.returncode == 2
    assert "HTTP 409" in again.stderr
    assert "use a new run id" in again.stderr

    expires = (date.today() + timedelta(days=20)).isoformat()
    asked = cli(
        "waiver", "request", SECRET_RULE, "--reason", "test fixture, rotated",
        "--expires", expires, "--project", "shop", "--server", url,
        GLASSHOUSE_TOKEN=tokens["dev"],
    )  # fmt: skip
    assert "SRV-1 requested in shop" in asked.stderr

    gitlab = {
        "GITLAB_CI": "true", "CI_PROJECT_PATH": "acme/shop", "CI_JOB_ID": "77",
        "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_SHA": "d" * 40,
        "CI_JOB_URL": "https://gitlab.example/acme/shop/-/jobs/77",
        "CI_PROJECT_URL": "https://gitlab.example/acme/shop",
    }  # fmt: skip
    code, report, _ = scan(root, url, tokens["ci"], **gitlab)
    assert code == 1, "a waiver only asked for does not apply"
    # the branch baseline came from the server: the finding is not new
    assert report["baseline"]["existing"] == 1  # type: ignore[index]
    assert report["baseline"]["new"] == 0  # type: ignore[index]

    decided = httpx.post(
        f"{url}/api/v1/waivers/1/decision",
        json={"approve": True, "reason": "rotated already"},
        headers={"Authorization": f"Bearer {tokens['sec']}"},
    )
    assert decided.status_code == 200, decided.text
    jenkins = {
        "JENKINS_URL": "https://jenkins.example/", "JOB_NAME": "shop/main", "BUILD_NUMBER": "9",
        "GIT_BRANCH": "origin/main", "GIT_COMMIT": "e" * 40,
        "BUILD_URL": "https://jenkins.example/job/shop/9/",
    }  # fmt: skip
    code, report, stderr = scan(root, url, tokens["ci"], **jenkins)
    assert code == 0, stderr
    waivers = {w["id"]: w for w in report["waivers"]}  # type: ignore[attr-defined]
    assert waivers["SRV-1"]["status"] == "applied"
    assert waivers["SRV-1"]["approver"] == "sec"
    last = httpx.get(
        f"{url}/api/v1/projects/shop/runs", headers={"Authorization": f"Bearer {tokens['ci']}"}
    ).json()["runs"][0]
    assert (last["verdict"], last["branch"], last["ci"]) == ("pass", "main", "jenkins")
    assert last["run_id"] == "jenkins:shop/main:9"


def test_scan_server_fails_closed_when_the_server_cannot_answer(tmp_path: Path) -> None:
    root = repo(tmp_path)
    result = cli(
        "scan", str(root), "--scanners", "secrets", "--offline", "--no-progress",
        "--server", "http://127.0.0.1:9", check=False, GLASSHOUSE_TOKEN="gh_x",
    )  # fmt: skip
    assert result.returncode == 2
    assert "127.0.0.1:9" in result.stderr


def test_a_wrong_token_is_a_clear_error(
    server: tuple[str, str, dict[str, str]], tmp_path: Path
) -> None:
    url, _db, _tokens = server
    result = cli(
        "scan", str(repo(tmp_path)), "--scanners", "secrets", "--offline", "--no-progress",
        "--upload", url, "--project", "shop", check=False,
        GLASSHOUSE_TOKEN="gh_0123456789abcdef_" + "A" * 43,
    )  # fmt: skip
    assert result.returncode == 2
    assert "invalid or revoked API token" in result.stderr


def test_server_commands_honour_the_database_url_option_and_variable(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    cli("server", "--database-url", f"sqlite:///{a}", "create-token", "--project", "one")
    cli("server", "create-token", "--project", "two", GLASSHOUSE_DATABASE_URL=f"sqlite:///{b}")
    cli("server", "create-token", "--project", "three", "--database-url", f"sqlite:///{b}")
    assert a.exists()
    assert b.exists()
    bad = cli("server", "--database-url", "mysql://x/y", "migrate", check=False)
    assert bad.returncode != 0
    assert "unsupported database" in bad.stderr
    weak = cli(
        "server", "--database-url", f"sqlite:///{a}", "create-user", "x", "--role", "admin",
        check=False, GLASSHOUSE_PASSWORD="short",
    )  # fmt: skip
    assert weak.returncode == 3
    assert "at least 12 characters" in weak.stderr


def test_run_context_from_each_ci(tmp_path: Path) -> None:
    github = run_context(
        {**GITHUB, "GITHUB_HEAD_REF": "feature", "GITHUB_BASE_REF": "main"}, tmp_path
    )
    assert (github.branch, github.target_branch) == ("feature", "main")
    jenkins = run_context(
        {"JENKINS_URL": "x", "GIT_BRANCH": "origin/dev", "BUILD_NUMBER": "3"}, tmp_path
    )
    assert jenkins.branch == "dev"
    local = run_context({"GLASSHOUSE_BRANCH": "release"}, tmp_path)
    assert local.branch == "release"
    assert local.run_id.startswith("local:")


def test_signed_scan_uploads_its_decision_and_writes_the_logs_receipt(
    server: tuple[str, str, dict[str, str]], tmp_path: Path
) -> None:
    """keys generate, add-signing-key, scan --sign-key --upload (receipt beside the
    attestation), verify it offline with `server log-key`, require signatures, audit the
    log, and export an evidence pack from the server as an auditor."""
    url, url_db, tokens = server
    env = {"GLASSHOUSE_DATABASE_URL": url_db}
    root = repo(tmp_path)
    keys_dir = tmp_path / "keys"
    cli("keys", "generate", "--out", str(keys_dir))
    cli("server", "add-signing-key", "--project", "shop", str(keys_dir / "glasshouse.pub"), **env)
    (tmp_path / "log.vkey").write_text(cli("server", "log-key", **env).stdout)
    attestation = tmp_path / "out" / "decision.intoto.json"
    signed_env = {**GITHUB, "GITHUB_RUN_ID": "5151"}
    result = cli(
        "scan", str(root), "--scanners", "secrets", "--offline", "--no-progress",
        "--upload", url, "--sign-key", str(keys_dir / "glasshouse.key"),
        "--attestation", str(attestation), "--commit", "f" * 40,
        check=False, GLASSHOUSE_TOKEN=tokens["ci"], **signed_env,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # the leaked token fails the gate
    assert "decision logged as entry" in result.stderr
    receipt = tmp_path / "out" / "decision.receipt.json"
    assert json.loads(receipt.read_text())["type"] == "glasshouse.receipt"
    verified = cli(
        "verify", str(receipt), "--key", str(keys_dir / "glasshouse.pub"),
        "--log-key", str(tmp_path / "log.vkey"), "--commit", "f" * 40, "--allow-failed",
        check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ok      inclusion" in verified.stdout

    # once the project requires signatures, an unsigned upload is refused
    cli("server", "require-signatures", "--project", "shop", **env)
    unsigned = cli(
        "scan", str(root), "--scanners", "secrets", "--offline", "--no-progress",
        "--upload", url, check=False, GLASSHOUSE_TOKEN=tokens["ci"],
        **{**GITHUB, "GITHUB_RUN_ID": "5152"},
    )  # fmt: skip
    assert unsigned.returncode == 2
    assert "HTTP 403" in unsigned.stderr
    assert "requires a signed gate decision" in unsigned.stderr
    cli("server", "require-signatures", "--project", "shop", "--off", **env)

    audited = cli("server", "audit-log", "--checkpoint", str(receipt_checkpoint(receipt)), **env)
    assert audited.stdout.startswith("ok  log ")

    cli("server", "create-user", "aud", "--role", "auditor", GLASSHOUSE_PASSWORD=PASSWORD, **env)
    auditor = cli("server", "create-token", "--user", "aud", **env).stdout.strip()
    today = date.today()
    pack = tmp_path / "pack.zip"
    exported = cli(
        "evidence", "export", "--server", url, "--framework", "soc2",
        "--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat(),
        "--out", str(pack), GLASSHOUSE_TOKEN=auditor,
    )  # fmt: skip
    assert "1 decision(s) (0 passed, 1 failed), 1 receipt(s) verified" in exported.stdout
    refused = cli(
        "evidence", "export", "--server", url, "--framework", "soc2",
        "--from", today.isoformat(), "--to", today.isoformat(), "--out", str(pack),
        check=False, GLASSHOUSE_TOKEN=tokens["dev"],
    )  # fmt: skip
    assert refused.returncode == 2
    assert "HTTP 403" in refused.stderr


def receipt_checkpoint(receipt: Path) -> Path:
    note = json.loads(receipt.read_text())["checkpoint"]
    path = receipt.with_name("receipt.checkpoint")
    path.write_text(note)
    return path
