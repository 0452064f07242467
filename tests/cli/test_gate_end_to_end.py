"""The gate end to end, in a real git repository: policy, waivers, baseline, warn mode.

The pin urllib3==1.24.1 is affected by CVE-2023-43804 (PYSEC-2023-192, GHSA-v845-jxx5-vc9f),
rated high from its CVSS vector in the real PyPI export.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

GLASSHOUSE = [sys.executable, "-m", "glasshouse"]
TODAY = date.today()


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def run(args: list[str], cache: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache), "CI": "true", **env}
    return subprocess.run(
        [*GLASSHOUSE, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        cwd=cwd,
        check=False,
    )


def scan_json(repo: Path, cache: Path, *extra: str, **env: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run(["scan", ".", "--offline", "--format", "json", *extra], cache, repo, **env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout) if result.stdout else {}


def waiver(rule: str, expires: date, wid: str = "W-1", **extra: str) -> str:
    lines = [
        "[[waiver]]",
        f'id = "{wid}"',
        f'rule = "{rule}"',
        'reason = "Only talks to our own proxy; upgrade planned in SEC-12"',
        'owner = "team-api"',
        'approver = "security-lead"',
        'ticket = "SEC-12"',
        f"expires = {expires.isoformat()}",
    ]
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "service"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "requirements.txt").write_text("urllib3==1.24.1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "pin urllib3")
    return repo


def commit_policy(repo: Path, text: str) -> None:
    (repo / ".glasshouse.toml").write_text(text)
    git(repo, "add", ".glasshouse.toml")
    git(repo, "commit", "-q", "-m", "policy")


def test_failing_pin_blocks(repo: Path, imported_cache: Path) -> None:
    code, report = scan_json(repo, imported_cache)
    assert code == 1
    blocking = [f for f in report["findings"] if f["gate"]["disposition"] == "blocking"]
    assert [f["rule_id"] for f in blocking] == ["CVE-2023-43804"]


def test_waiver_written_with_an_alias_passes_and_is_listed(
    repo: Path, imported_cache: Path
) -> None:
    commit_policy(repo, waiver("PYSEC-2023-192", TODAY + timedelta(days=30)))
    code, report = scan_json(repo, imported_cache)
    assert code == 0, report["decision"]
    (waived,) = [f for f in report["findings"] if f["gate"]["disposition"] == "waived"]
    assert (waived["rule_id"], waived["gate"]["waiver"]) == ("CVE-2023-43804", "W-1")
    assert report["waivers"][0]["status"] == "applied"
    assert report["policy"]["sources"] == [str(Path(".glasshouse.toml"))]
    table = run(["scan", ".", "--offline"], imported_cache, repo)
    assert table.returncode == 0
    assert "waived W-1" in table.stdout
    assert "W-1 applied" in table.stdout


def test_expired_waiver_blocks_again_and_is_reported(repo: Path, imported_cache: Path) -> None:
    commit_policy(repo, waiver("CVE-2023-43804", TODAY - timedelta(days=1)))
    code, report = scan_json(repo, imported_cache)
    assert code == 1
    assert report["waivers"][0]["status"] == "expired"
    assert any("W-1 expired" in r for r in report["decision"]["reasons"])


def test_unused_waiver_is_reported(repo: Path, imported_cache: Path) -> None:
    commit_policy(
        repo,
        waiver("CVE-2023-43804", TODAY + timedelta(days=30))
        + waiver("CVE-1999-0001", TODAY + timedelta(days=30), wid="W-2"),
    )
    code, report = scan_json(repo, imported_cache)
    assert code == 0
    assert {w["id"]: w["status"] for w in report["waivers"]} == {"W-1": "applied", "W-2": "unused"}


def test_baseline_with_scope_new_passes_old_and_blocks_new(
    repo: Path, imported_cache: Path
) -> None:
    created = run(
        ["baseline", "create", ".", "--offline", "-o", "gate-baseline.json"], imported_cache, repo
    )
    assert created.returncode == 0, created.stderr
    git(repo, "add", "gate-baseline.json")
    commit_policy(repo, '[gate]\nscope = "new"\n')
    code, report = scan_json(repo, imported_cache, "--baseline", "gate-baseline.json")
    assert code == 0
    assert report["baseline"]["existing"] == len(report["findings"])
    assert {f["gate"]["disposition"] for f in report["findings"]} <= {"existing", "allowed"}
    # moving the pin down a few lines keeps every fingerprint: still existing
    (repo / "requirements.txt").write_text("# pinned\n\nurllib3==1.24.1\n")
    assert scan_json(repo, imported_cache, "--baseline", "gate-baseline.json")[0] == 0
    # a new vulnerable dependency blocks
    (repo / "svc").mkdir()
    (repo / "svc" / "requirements.txt").write_text("urllib3==1.24.1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "new service")
    code, report = scan_json(repo, imported_cache, "--baseline", "gate-baseline.json")
    assert code == 1
    blocking = [f for f in report["findings"] if f["gate"]["disposition"] == "blocking"]
    assert {f["location"]["path"] for f in blocking} == {"svc/requirements.txt"}
    assert all(f["gate"]["new"] for f in blocking)
    # the fixed side: upgrading the old pin lists its findings as fixed
    (repo / "requirements.txt").write_text("urllib3==2.2.2\n")
    _, report = scan_json(repo, imported_cache, "--baseline", "gate-baseline.json")
    assert {f["path"] for f in report["baseline"]["fixed"]} == {"requirements.txt"}


def test_warn_mode_never_blocks(repo: Path, imported_cache: Path) -> None:
    commit_policy(repo, '[gate]\nmode = "warn"\n')
    (repo / "poetry.lock").write_text("[[package]\n")
    code, report = scan_json(repo, imported_cache)
    assert code == 0
    assert (report["decision"]["verdict"], report["decision"]["evaluated"]) == ("pass", "fail")


def test_invalid_policy_exits_3_naming_key_and_file(repo: Path, imported_cache: Path) -> None:
    commit_policy(repo, '[gate]\nfail_on = "severe"\n')
    result = run(["scan", ".", "--offline"], imported_cache, repo)
    assert result.returncode == 3
    assert ".glasshouse.toml: gate.fail_on: must be one of" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_file_is_incomplete(repo: Path, imported_cache: Path) -> None:
    (repo / "requirements.txt").write_text("requests==2.32.3\n")
    (repo / "Cargo.lock").write_bytes(b"\x00\x01garbage")
    code, report = scan_json(repo, imported_cache)
    assert code == 2
    assert report["decision"]["verdict"] == "incomplete"


def test_break_glass_override_records_who_and_why(repo: Path, imported_cache: Path) -> None:
    code, report = scan_json(
        repo, imported_cache, "--override", "hotfix for INC-7", GITHUB_ACTOR="alice"
    )
    assert code == 0
    override = report["decision"]["override"]
    assert (override["reason"], override["actor"]) == ("hotfix for INC-7", "alice (GITHUB_ACTOR)")
    assert report["decision"]["evaluated"] == "fail"
    commit_policy(repo, "[gate]\nallow_override = false\n")
    code, report = scan_json(repo, imported_cache, "--override", "please")
    assert code == 1
    assert report["decision"]["override"] is None


def test_policy_show_prints_the_merge(repo: Path, imported_cache: Path, tmp_path: Path) -> None:
    org = tmp_path / "org.toml"
    org.write_text('[gate]\nfail_on = "medium"\n')
    commit_policy(repo, '[gate]\nfail_on = "critical"\n')
    result = run(["policy", "show", ".", "--org-policy", str(org)], imported_cache, repo)
    assert result.returncode == 0
    assert 'fail_on = "medium"' in result.stdout
    assert "ignored: the organization policy requires medium" in result.stdout


def _tool(name: str) -> str:
    import shutil

    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return found


def test_sarif_findings_are_judged_under_the_same_policy(repo: Path, imported_cache: Path) -> None:
    (repo / "requirements.txt").write_text("requests==2.32.3\n")
    (repo / "app").mkdir()
    (repo / "app" / "run.py").write_text(
        "import subprocess\n\n\ndef run(command):\n"
        "    return subprocess.call(command, shell=True)\n"
    )
    bandit = subprocess.run(
        [_tool("bandit"), "-r", "app", "-f", "sarif", "-o", "bandit.sarif", "-q"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (repo / "bandit.sarif").exists(), bandit.stderr
    code, report = scan_json(repo, imported_cache, "--sarif", "bandit.sarif")
    assert code == 1  # B602 (shell=True) is rated high
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "bandit:B602"]
    assert finding["kind"] == "code"
    assert finding["location"] == {"path": "app/run.py", "line": 5}
    assert finding["gate"]["disposition"] == "blocking"
    commit_policy(repo, waiver("bandit:B602", TODAY + timedelta(days=30), path="app/*"))
    code, report = scan_json(repo, imported_cache, "--sarif", "bandit.sarif")
    assert code == 0, report["decision"]
    missing = run(["scan", ".", "--offline", "--sarif", "nope.sarif"], imported_cache, repo)
    assert missing.returncode == 2
    assert "nope.sarif" in missing.stdout
