"""The secrets gate end to end: planted secrets in realistic files, git history and the
index, suppression, and no raw secret in any output stream or report file.

Every rule's own examples are planted, each in a file of a realistic type, and must be
found by that rule on the right line; the catalogue's decoys must produce nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from glasshouse.report.registry import RENDERERS
from glasshouse.secrets.catalogue import VALIDATORS, load_rules, shannon_entropy
from glasshouse.secrets.detector import Detector

GLASSHOUSE = [sys.executable, "-m", "glasshouse"]


def run(args: list[str], cache: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache), "CI": "true"}
    return subprocess.run(
        [*GLASSHOUSE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=cwd,
        check=False,
    )


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Dev One", "-c", "user.email=dev@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def detector(tmp_path_factory: pytest.TempPathFactory) -> Detector:
    return Detector(
        load_rules(), VALIDATORS, shannon_entropy, cache_dir=tmp_path_factory.mktemp("hs-cache")
    )


def _skeleton(kind: str, example: str) -> tuple[str, str, int]:
    """A realistic file holding ``example``; returns (file name, text, first line of it)."""
    if kind == "env":
        return ".env", f"# local settings\nDEBUG=false\n{example}\nLOG_LEVEL=info\n", 3
    if kind == "yaml":
        head = "service:\n  name: payments\n  replicas: 2\n# credentials\n"
        return "config.yaml", f"{head}{example}\n", 5
    if kind == "python":
        head = '"""Deployment settings."""\n\nimport os\n\nDEBUG = False\n'
        return "settings.py", f"{head}{example}\nTIMEOUT = 30\n", 6
    if kind == "json":
        body = json.dumps({"service": "payments", "note": example}, indent=2)
        return "settings.json", body + "\n", 3
    if kind == "notebook":
        notebook = {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": [example],
                    "outputs": [],
                    "execution_count": None,
                }
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        text = json.dumps(notebook, indent=1)
        lines = text.splitlines()
        line = lines.index(next(x for x in lines if "source" in x)) + 2
        return "analysis.ipynb", text + "\n", line
    return "app.conf", f"[main]\nname = demo\n{example}\n", 3


def _kind_for(index: int, example: str) -> str:
    kinds = ("env", "yaml", "python", "json", "notebook", "conf")
    kind = kinds[index % len(kinds)]
    needs_raw = "\n" in example.strip() or '"' in example or "\\" in example
    if kind in ("json", "notebook") and needs_raw:
        return "conf"
    if "\n" in example.strip():
        return "conf"
    return kind


@pytest.fixture(scope="module")
def planted(
    tmp_path_factory: pytest.TempPathFactory, detector: Detector
) -> tuple[Path, dict[tuple[str, int], set[str]], set[str]]:
    """A tree with every rule's examples: {(path, line): rule ids}, and the raw secrets."""
    tree = tmp_path_factory.mktemp("planted")
    expected: dict[tuple[str, int], set[str]] = {}
    secrets: set[str] = set()
    for index, rule in enumerate(load_rules()):
        for number, example in enumerate(rule.examples):
            own = [m for m in detector.scan(example.encode(), "x").matches if m.rule.id == rule.id]
            assert own, f"{rule.id}: its example is not found by the detector"
            kind = _kind_for(index + number, example)
            name, text, first = _skeleton(kind, example)
            folder = tree / rule.id / str(number)
            folder.mkdir(parents=True)
            (folder / name).write_text(text)
            path = f"{rule.id}/{number}/{name}"
            if kind in ("json", "notebook"):
                lines = [i + 1 for i, x in enumerate(text.splitlines()) if own[0].secret in x]
                line = lines[0]
            else:
                line = first + own[0].line - 1
            expected.setdefault((path, line), set()).add(rule.id)
            secrets.update(m.secret for m in own)
    return tree, expected, secrets


def test_every_planted_secret_is_found_by_its_rule_on_its_line(
    planted: tuple[Path, dict[tuple[str, int], set[str]], set[str]], tmp_path: Path
) -> None:
    tree, expected, _ = planted
    result = run(["scan", str(tree), "--offline", "--format", "json"], tmp_path / "cache")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    found: dict[tuple[str, int], set[str]] = {}
    for finding in report["findings"]:
        if finding["kind"] != "secret":
            continue
        for occurrence in finding["secret"]["occurrences"]:
            found.setdefault((occurrence["path"], occurrence["line"]), set()).add(
                finding["rule_id"]
            )
    missing = sorted(
        f"{path}:{line} {rule}"
        for (path, line), rules in expected.items()
        for rule in rules - found.get((path, line), set())
    )
    assert missing == []
    assert len(load_rules()) >= 120


def test_decoys_produce_nothing(tmp_path: Path) -> None:
    tree = tmp_path / "decoys"
    tree.mkdir()
    decoys = [d for rule in load_rules() for d in rule.decoys]
    assert len(decoys) >= 120
    (tree / "placeholders.txt").write_text("\n\n".join(decoys) + "\n")
    (tree / "docs.md").write_text(
        "Set `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE` and\n"
        "`AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.\n"
        "token: <your-token>\npassword: ${DB_PASSWORD}\napi_key = os.environ['API_KEY']\n"
        "secret: changeme\ntoken = 'xxxxxxxxxxxxxxxxxxxxxxxx'\n"
    )
    (tree / "package-lock.json").write_text(
        json.dumps(
            {
                "name": "app",
                "lockfileVersion": 3,
                "packages": {
                    "node_modules/x": {
                        "version": "1.0.0",
                        "integrity": "sha512-" + "Qk9PTUVSQU5HRVIhIQ" * 4 + "==",
                        "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz",
                    }
                },
            }
        )
    )
    (tree / "ids.py").write_text(
        'RUN_ID = "6f1c2a9e-3b7d-4c8e-9f0a-1b2c3d4e5f60"\n'
        'COMMIT = "3f2a9c0d1e5b7a8f9c0d1e2f3a4b5c6d7e8f9a0b"\n'
        'LOGO = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42'
        'mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="\n'
    )
    result = run(["scan", str(tree), "--offline", "--format", "json"], tmp_path / "cache")
    report = json.loads(result.stdout)
    secrets = [(f["rule_id"], f["location"]) for f in report["findings"] if f["kind"] == "secret"]
    assert secrets == []


def test_no_raw_secret_reaches_any_output(
    planted: tuple[Path, dict[tuple[str, int], set[str]], set[str]], tmp_path: Path
) -> None:
    tree, _, secrets = planted
    outputs = tmp_path / "out"
    args = ["scan", str(tree), "--offline"]
    for fmt in sorted(RENDERERS):
        args += ["--output", f"{fmt}={outputs / ('report.' + fmt)}"]
    streams = []
    for fmt in ("table", "json"):
        result = run([*args, "--format", fmt], tmp_path / "cache")
        assert result.returncode == 1  # critical secrets block
        streams += [result.stdout, result.stderr]
    texts = streams + [p.read_text(encoding="utf-8") for p in sorted(outputs.iterdir())]
    assert len(texts) == 4 + len(RENDERERS)
    leaked = sorted({s[:6] + "…" for s in secrets for text in texts if s in text})
    assert leaked == []


def test_history_finds_a_key_added_then_deleted_and_the_tree_does_not(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("print('hello')\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    token = next(r for r in load_rules() if r.id == "github-pat-classic").examples[0]
    (repo / "settings.py").write_text(f"DEBUG = True\n{token}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "add settings")
    leaked_in = git(repo, "rev-parse", "HEAD")
    (repo / "settings.py").write_text("DEBUG = True\n")
    git(repo, "commit", "-q", "-am", "remove the token")
    cache = tmp_path / "cache"
    tree_only = json.loads(run(["scan", ".", "--offline", "--format", "json"], cache, repo).stdout)
    assert [f for f in tree_only["findings"] if f["kind"] == "secret"] == []
    result = run(["scan", ".", "--offline", "--history", "--format", "json"], cache, repo)
    assert result.returncode == 1
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "secret"]
    assert finding["rule_id"] == "github-pat-classic"
    (occurrence,) = finding["secret"]["occurrences"]
    assert (occurrence["commit"], occurrence["path"], occurrence["line"]) == (
        leaked_in,
        "settings.py",
        2,
    )
    assert occurrence["author"] == "Dev One"
    ranged = run(
        ["scan", ".", "--offline", "--history", "HEAD~1..HEAD", "--format", "json"], cache, repo
    )
    assert [f for f in json.loads(ranged.stdout)["findings"] if f["kind"] == "secret"] == []
    bad = run(["scan", ".", "--offline", "--history", "--output=/tmp/x"], cache, repo)
    assert bad.returncode == 3


def test_staged_sees_only_the_index(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    rules = {r.id: r for r in load_rules()}
    staged_example = rules["github-pat-classic"].examples[0]
    unstaged_example = rules["slack-bot-token"].examples[0]
    (repo / "staged.py").write_text(f"{staged_example}\n")
    git(repo, "add", "staged.py")
    (repo / "unstaged.py").write_text(f"{unstaged_example}\n")
    result = run(["scan", ".", "--offline", "--staged", "--format", "json"], tmp_path / "c", repo)
    found = {f["rule_id"] for f in json.loads(result.stdout)["findings"] if f["kind"] == "secret"}
    assert found == {"github-pat-classic"}


def test_suppressed_secret_is_listed_as_suppressed(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    example = next(r for r in load_rules() if r.id == "github-pat-classic").examples[0].strip()
    (tree / "docs.py").write_text(
        f"# glasshouse:allow github-pat-classic revoked token kept for the incident report\n"
        f"{example}\n"
    )
    result = run(["scan", str(tree), "--offline", "--format", "json"], tmp_path / "cache")
    assert result.returncode == 0
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "secret"]
    assert finding["gate"]["disposition"] == "ignored"
    assert finding["suppression"] == "revoked token kept for the incident report"
    table = run(["scan", str(tree), "--offline"], tmp_path / "cache")
    assert "ignored" in table.stdout


def test_a_project_rule_without_keywords_finds_its_secret(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".glasshouse.toml").write_text(
        "[[secrets.rule]]\n"
        'id = "acme-internal-token"\n'
        'title = "ACME internal service token"\n'
        'severity = "high"\n'
        "pattern = 'acme_tok_(?P<secret>[a-z0-9]{24})'\n"
    )
    token = "acme_tok_" + "k3j9x0q2w8e7r6t5y4u1i0o9"
    (tree / "client.py").write_text(f'TOKEN = "{token}"\n')
    result = run(["scan", str(tree), "--offline", "--format", "json"], tmp_path / "cache")
    assert result.returncode == 1
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "secret"]
    assert (finding["rule_id"], finding["location"]["line"]) == ("acme-internal-token", 1)
    assert token not in result.stdout
