"""Benchmark of the infrastructure gate: Glasshouse against Checkov on one realistic tree.

The tree (``iac_tree.py``): a platform repository of 111 files across Terraform (stacks
calling local modules, variables, tfvars, locals), CloudFormation (YAML and JSON),
Kubernetes, Dockerfiles, Compose, GitHub Actions and GitLab CI, with 18 high-severity
problems planted in known files. Both tools scan the same directory, side by side in one
run; the best wall time of ``--repeat`` runs is kept for each.

- Glasshouse: ``python -m glasshouse scan TREE --offline --scanners iac --format json``
- Checkov (pinned, from PyPI, in its own venv under ``bench/.peers/``), offline:
  ``BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE checkov -d TREE
  --skip-download -o json --quiet``

It prints both wall times, their ratio, and which planted problems each tool found,
plus how many findings each reports in files where nothing was planted.

Run: .venv/bin/python bench/bench_iac.py [--repeat N] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import iac_tree  # noqa: E402  (a sibling module of this script, not a package)

CHECKOV = "checkov==3.3.30"
PYTHON = "python3.11"
TIMEOUT = 600


@dataclass
class Run:
    tool: str
    walls: list[float] = field(default_factory=list)
    results: list[tuple[str, str, str]] = field(default_factory=list)  # (id, path, resource)
    error: str | None = None

    @property
    def best(self) -> float:
        return min(self.walls) if self.walls else float("nan")


def note(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def ensure_checkov(cache: Path) -> Path | None:
    """The checkov executable in its own venv (created once), or None if it cannot be."""
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# benchmark cache: venvs and trees; never committed\n*\n")
    venv = cache / "checkov"
    marker = venv / ".bench-ready"
    if not (marker.is_file() and marker.read_text() == CHECKOV):
        python = shutil.which(PYTHON)
        if python is None:
            note(f"{PYTHON} is not on PATH: Checkov cannot be installed")
            return None
        if venv.exists():
            shutil.rmtree(venv)
        note(f"creating a venv for {CHECKOV} (pip, once)")
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        done = subprocess.run([*pip, CHECKOV], capture_output=True, text=True, check=False)
        if done.returncode:
            note(f"pip install {CHECKOV} failed: {done.stderr.strip().splitlines()[-1:]}")
            return None
        marker.write_text(CHECKOV)
    return venv / "bin" / "checkov"


def compile_glasshouse() -> None:
    """Byte-compile Glasshouse as `pip install` does for Checkov: an editable checkout
    under PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every run."""
    import glasshouse

    package = Path(glasshouse.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def run_glasshouse(tree: Path, cache: Path, repeat: int) -> Run:
    compile_glasshouse()
    run = Run("glasshouse")
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache / "glasshouse-cache")}
    argv = [sys.executable, "-m", "glasshouse", "scan", str(tree), "--offline"]
    argv += ["--scanners", "iac", "--format", "json", "--no-progress"]
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=TIMEOUT)
        run.walls.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            run.error = f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
            return run
    report = json.loads(done.stdout)
    run.results = [
        (f["rule_id"], f["location"]["path"], f["title"])
        for f in report["findings"]
        if f["kind"] == "misconfiguration"
    ]
    return run


def run_checkov(checkov: Path, tree: Path, repeat: int) -> Run:
    run = Run("checkov")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}
    argv = [str(checkov), "-d", str(tree), "--skip-download", "-o", "json", "--quiet"]
    with tempfile.TemporaryDirectory() as work:
        for _ in range(repeat):
            started = time.perf_counter()
            done = subprocess.run(
                argv, capture_output=True, text=True, env=env, timeout=TIMEOUT, cwd=work
            )
            run.walls.append(time.perf_counter() - started)
            if done.returncode not in (0, 1):
                run.error = f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
                return run
    reports: Any = json.loads(done.stdout)
    for report in reports if isinstance(reports, list) else [reports]:
        for check in report["results"]["failed_checks"]:
            path = check["file_path"].lstrip("/")
            run.results.append((check["check_id"], path, check["resource"]))
    return run


def found(planted: iac_tree.Planted, run: Run, tool: str) -> bool:
    ids = planted.glasshouse if tool == "glasshouse" else planted.checkov
    return any(
        rule in ids and path == planted.path and planted.resource in resource
        for rule, path, resource in run.results
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool; best kept")
    parser.add_argument("--cache", type=Path, default=BENCH / ".peers")
    args = parser.parse_args()
    checkov = ensure_checkov(args.cache)
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "platform"
        count = iac_tree.build(tree)
        size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
        note(f"tree: {count} files, {size / 1024:.0f} KiB")
        glasshouse = run_glasshouse(tree, args.cache, args.repeat)
        peer = run_checkov(checkov, tree, args.repeat) if checkov else Run("checkov")
    if checkov is None:
        peer.error = "not installed"
    print(f"\nIaC tree: {count} files, {size / 1024:.0f} KiB; best of {args.repeat} runs\n")
    print("| tool | wall (s) | findings | in files with nothing planted |")
    print("| --- | ---: | ---: | ---: |")
    planted_paths = {p.path for p in iac_tree.PLANTED}
    for run in (glasshouse, peer):
        if run.error:
            print(f"| {run.tool} | failed: {run.error} | | |")
            continue
        elsewhere = sum(1 for _, path, _ in run.results if path not in planted_paths)
        print(f"| {run.tool} | {run.best:.2f} | {len(run.results)} | {elsewhere} |")
    if not (glasshouse.error or peer.error):
        print(f"\nGlasshouse is {peer.best / glasshouse.best:.1f}x faster than Checkov.\n")
    print("| planted high-severity problem | Glasshouse | Checkov |")
    print("| --- | :---: | :---: |")
    totals = {"glasshouse": 0, "checkov": 0}
    for planted in iac_tree.PLANTED:
        marks = []
        for run in (glasshouse, peer):
            hit = not run.error and found(planted, run, run.tool)
            totals[run.tool] += hit
            marks.append("found" if hit else "missed")
        print(f"| {planted.what} | {marks[0]} | {marks[1]} |")
    total = len(iac_tree.PLANTED)
    print(f"| **found** | **{totals['glasshouse']}/{total}** | **{totals['checkov']}/{total}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
