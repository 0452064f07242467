"""`glasshouse db import` of the real exports, then `glasshouse scan` on a tree of old pins.

The expected advisories are worked out here, independently of the matcher, with a
plain interval check over each advisory's ranges (packaging's PEP 440 for PyPI, a
small SemVer comparison for Go and crates.io: the pins are chosen to be plain).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "src" / "glasshouse" / "report" / "schemas" / "report-1.json"
GLASSHOUSE = [sys.executable, "-m", "glasshouse"]

PYPI_PINS = {
    "django": "2.2",
    "requests": "2.19.0",
    "pyyaml": "5.3",
    "jinja2": "2.10",
    "urllib3": "1.24.1",
}
GO_PINS = {
    "golang.org/x/text": "v0.3.0",
    "github.com/gin-gonic/gin": "v1.6.0",
    "golang.org/x/crypto": "v0.1.0",
}
CRATE_PINS = {"smallvec": "0.6.9", "time": "0.1.40", "hyper": "0.14.0", "regex": "1.5.4"}

REQUIREMENTS = "\n".join(f"{n}=={v}" for n, v in PYPI_PINS.items()) + "\n"
GO_MOD = (
    "module example.com/app\n\ngo 1.22\n\nrequire (\n"
    + "".join(f"\t{n} {v}\n" for n, v in GO_PINS.items())
    + ")\n"
)
CARGO_LOCK = "version = 3\n\n" + "".join(
    f'[[package]]\nname = "{n}"\nversion = "{v}"\n'
    'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
    for n, v in CRATE_PINS.items()
)


def semver_key(text: str) -> tuple[tuple[int, ...], int, str]:
    core, _, pre = text.lstrip("v").split("+")[0].partition("-")
    numbers = tuple(int(x) for x in re.findall(r"\d+", core)[:3])
    numbers += (0,) * (3 - len(numbers))
    return numbers, 0 if pre else 1, pre


def affected(version: str, rng: dict[str, Any], pypi: bool) -> bool:
    key = Version if pypi else semver_key
    v = key(version)
    inside = False
    for event in rng["events"]:  # real exports list events in ascending order
        ((kind, bound),) = event.items()
        b = None if bound in ("0", "0.0.0-0") else key(bound)
        if kind == "introduced" and (b is None or v >= b):  # type: ignore[operator]
            inside = True
        elif (kind == "fixed" and b is not None and v >= b) or (
            kind == "last_affected" and b is not None and v > b
        ):  # type: ignore[operator]
            inside = False
    return inside


def expected_ids(export: Path, ecosystem: str, pins: dict[str, str]) -> set[tuple[str, str]]:
    found = set()
    pypi = ecosystem == "PyPI"
    with zipfile.ZipFile(export) as archive:
        for name in archive.namelist():
            doc = json.loads(archive.read(name))
            if doc.get("withdrawn"):
                continue
            for entry in doc["affected"]:
                package = entry["package"]
                pkg = package["name"].lower() if pypi else package["name"]
                if package["ecosystem"] != ecosystem or pkg not in pins:
                    continue
                version = pins[pkg]
                hit = version in entry.get("versions", [])
                hit = hit or any(
                    affected(version, r, pypi)
                    for r in entry.get("ranges", [])
                    if r["type"] != "GIT"
                )
                if hit:
                    found.add((pkg, doc["id"]))
    return found


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


@pytest.fixture
def project(tmp_path: Path) -> Path:
    tree = tmp_path / "project"
    (tree / "service").mkdir(parents=True)
    (tree / "requirements.txt").write_text(REQUIREMENTS)
    (tree / "service" / "go.mod").write_text(GO_MOD)
    (tree / "Cargo.lock").write_text(CARGO_LOCK)
    return tree


def test_import_then_scan_reports_every_affecting_advisory(
    project: Path, tmp_path: Path, osv_exports: dict[str, Path]
) -> None:
    cache = tmp_path / "cache"
    imported = run(["db", "import", *map(str, osv_exports.values())], cache)
    assert imported.returncode == 0, imported.stderr

    result = run(["scan", str(project), "--offline", "--format", "json"], cache)
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    assert result.returncode == report["decision"]["exit_code"] == 1
    assert report["decision"]["verdict"] == "fail"

    reported: dict[str, set[tuple[str, str]]] = {"PyPI": set(), "Go": set(), "crates.io": set()}
    for finding in report["findings"]:
        package = finding["vulnerability"]["package"]
        name = package["name"].lower() if package["ecosystem"] == "PyPI" else package["name"]
        for advisory_id in finding["vulnerability"]["advisory_ids"]:
            reported[package["ecosystem"]].add((name, advisory_id))
        assert finding["fix"]["summary"]
        assert finding["location"]["path"] in ("requirements.txt", "service/go.mod", "Cargo.lock")
    for ecosystem, pins in (("PyPI", PYPI_PINS), ("Go", GO_PINS), ("crates.io", CRATE_PINS)):
        expected = expected_ids(osv_exports[ecosystem], ecosystem, pins)
        assert expected, ecosystem
        assert expected <= reported[ecosystem], sorted(expected - reported[ecosystem])
    # Every finding names a version to upgrade to, or says there is none.
    django = [f for f in report["findings"] if f["vulnerability"]["package"]["name"] == "django"]
    assert django
    assert all(f["fix"]["versions"] for f in django)

    table = run(["scan", str(project), "--offline"], cache)
    assert table.returncode == 1
    assert "django 2.2" in table.stdout
    assert "gate: FAIL" in table.stdout


def test_outputs_written_beside_stdout(project: Path, tmp_path: Path, imported_cache: Path) -> None:
    out = tmp_path / "reports" / "gate.json"
    text = tmp_path / "reports" / "gate.txt"
    result = run(
        ["scan", str(project), "--offline", "--output", f"json={out}", "--output", f"table={text}"],
        imported_cache,
    )
    assert result.returncode == 1
    assert json.loads(out.read_text())["decision"]["verdict"] == "fail"
    assert "gate: FAIL" in text.read_text()


def test_no_database_is_incomplete_and_names_the_command(project: Path, tmp_path: Path) -> None:
    result = run(["scan", str(project), "--offline"], tmp_path / "empty-cache")
    assert result.returncode == 2
    assert "glasshouse db update" in result.stdout
    assert "gate: INCOMPLETE" in result.stdout


def test_broken_lockfile_is_named_and_the_rest_is_scanned(
    project: Path, imported_cache: Path
) -> None:
    (project / "poetry.lock").write_bytes(b'[[package]]\nname = "x"\nversion = ')
    (project / "package-lock.json").write_bytes(b"\xff\xfe\x00garbage")
    result = run(["scan", str(project), "--offline", "--format", "json"], imported_cache)
    report = json.loads(result.stdout)
    blocking = {p["path"] for p in report["problems"] if p["blocking"]}
    assert {"poetry.lock", "package-lock.json"} <= blocking
    assert report["findings"]  # the good lockfiles were still scanned
    assert result.returncode == 1  # failing findings win over incompleteness
    assert "Traceback" not in result.stderr


def test_clean_tree_passes(tmp_path: Path, imported_cache: Path) -> None:
    tree = tmp_path / "clean"
    tree.mkdir()
    (tree / "requirements.txt").write_text("requests==2.32.3\n")
    result = run(["scan", str(tree), "--offline"], imported_cache)
    assert result.returncode == 0, result.stdout
    assert "gate: PASS" in result.stdout


def test_usage_errors_exit_3(tmp_path: Path, imported_cache: Path) -> None:
    assert run(["scan", str(tmp_path / "missing")], imported_cache).returncode == 3
    bad = run(["scan", str(tmp_path), "--output", "nope=x"], imported_cache)
    assert bad.returncode == 3
    assert "unknown format" in bad.stderr
    assert run(["scan", "--no-such-flag"], imported_cache).returncode == 3


def test_ecosystem_missing_from_the_database_is_incomplete_not_clean(
    tmp_path: Path, imported_cache: Path
) -> None:
    tree = tmp_path / "js"
    tree.mkdir()
    lock = {
        "name": "app",
        "lockfileVersion": 3,
        "packages": {"": {"name": "app"}, "node_modules/lodash": {"version": "4.17.4"}},
    }
    (tree / "package-lock.json").write_text(json.dumps(lock))
    result = run(["scan", str(tree), "--offline"], imported_cache)
    assert result.returncode == 2, result.stdout
    assert "no npm advisories in the database" in result.stdout
    assert "glasshouse db update --ecosystem npm" in result.stdout


@pytest.mark.parametrize("name", ["[/x]", "[bold]red", "[link=evil]x"])
def test_user_text_is_never_read_as_terminal_markup(tmp_path: Path, name: str) -> None:
    result = run(["scan", str(tmp_path / name)], tmp_path / "cache")
    assert result.returncode == 3
    assert name in result.stderr
    assert "internal error" not in result.stderr
    policy = run(["scan", str(tmp_path), "--policy", str(tmp_path / name)], tmp_path / "cache")
    assert policy.returncode == 3
    assert name in policy.stderr
