"""Benchmark of the dependency gate: a monorepo of 200 lockfiles holding 20,000 pins.

Prints, side by side in one run:
- `db import` time of the three real OSV exports of ../shared/osv;
- the floor: only loading those lockfiles (json / tomllib / yaml CSafeLoader / reading
  the text formats) in this process;
- the whole scan in this process (walk, parse, look up, match, decide), and its ratio
  to the floor;
- the whole scan as a user runs it, `glasshouse scan --offline --format json`, in a fresh
  process: wall time and peak memory.

Run: python bench/bench_dependency_scan.py [--files 200] [--pins 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from glasshouse.advisories.importer import import_path
from glasshouse.advisories.store import AdvisoryStore
from glasshouse.scan import ScanOptions, run_scan
from glasshouse.scanners.dependencies import DependencyScanner
from monorepo import build, real_names

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_only(files: list[tuple[Path, str]]) -> int:
    """The floor: read and decode every lockfile with the standard loaders."""
    count = 0
    for path, kind in files:
        data = path.read_bytes()
        if kind == "json":
            json.loads(data)
        elif kind == "toml":
            tomllib.loads(data.decode("utf-8"))
        elif kind == "yaml":
            yaml.load(data, Loader=LOADER)  # noqa: S506 - CSafeLoader is the safe loader
        else:
            data.decode("utf-8").splitlines()
        count += 1
    return count


def best_of(repeat: int, fn: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--pins", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--real-share",
        type=float,
        default=0.5,
        help="share of pins (PyPI, Go, crates.io) naming a package that has advisories",
    )
    args = parser.parse_args()

    exports = {eco: SHARED / "osv" / eco / "all.zip" for eco in ("PyPI", "Go", "crates.io")}
    with tempfile.TemporaryDirectory(prefix="glasshouse-bench-") as tmp:
        work = Path(tmp)
        cache = work / "cache"
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")

        start = time.perf_counter()
        with AdvisoryStore.in_dir(cache) as store:
            counts = {}
            for eco, path in exports.items():
                t0 = time.perf_counter()
                result = import_path(store, path)
                counts[eco] = (result.imported, time.perf_counter() - t0)
        import_total = time.perf_counter() - start
        for eco, (n, seconds) in counts.items():
            print(f"db import {eco:10s} {n:6d} advisories in {seconds:6.2f} s")
        print(
            f"db import total     {sum(n for n, _ in counts.values()):6d} advisories"
            f" in {import_total:6.2f} s"
        )

        names = {eco: real_names(path, eco) for eco, path in exports.items()}
        repo = work / "monorepo"
        files = build(
            repo, names, files=args.files, pins_per_file=args.pins, real_share=args.real_share
        )
        pins = args.files * args.pins
        size = sum(p.stat().st_size for p, _ in files)
        print(f"monorepo: {len(files)} lockfiles, {pins} pins, {size / 1e6:.1f} MB")

        floor = best_of(args.repeat, lambda: load_only(files))
        options = ScanOptions(target=repo, cache_dir=cache, offline=True)
        # The dependency gate alone (what the floor compares with), then every scanner
        # as `glasshouse scan` runs them (the secrets scanner reads every file too).
        only_deps = (DependencyScanner(),)
        report = run_scan(options, scanners=only_deps)
        scan = best_of(args.repeat, lambda: run_scan(options, scanners=only_deps))
        run_scan(options)
        scan_all = best_of(args.repeat, lambda: run_scan(options))
        print(
            f"scan result: {report.stats.packages} packages, {len(report.findings)} findings, "
            f"{len(report.problems)} problems"
            f" ({sum(p.blocking for p in report.problems)} blocking),"
            f" verdict {report.decision.verdict.value}"
        )
        go_files = sum(1 for p, _ in files if p.name == "go.mod")
        if report.stats.packages != pins + go_files:  # each go.mod adds the Go stdlib
            print(f"WARNING: expected {pins + go_files} packages, got {report.stats.packages}")
        for problem in report.problems[:5]:
            print(f"  problem: {problem}")

        env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache), "CI": "true"}
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "glasshouse",
                "scan",
                str(repo),
                "--offline",
                "--scanners",
                "dependencies",
                "--format",
                "json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
        cli_wall = time.perf_counter() - start
        peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024

        print()
        print(f"floor (load lockfiles only)      {floor:6.3f} s   {pins / floor:9.0f} pins/s")
        print(f"scan in process                  {scan:6.3f} s   {pins / scan:9.0f} pins/s")
        print(f"  with every scanner (+secrets)  {scan_all:6.3f} s")
        print(f"ratio scan / floor               {scan / floor:6.2f}x  (target <= 2x)")
        print(
            f"glasshouse scan (fresh process)  {cli_wall:6.3f} s   peak RSS {peak_mb:.0f} MB"
            f"   exit {completed.returncode}  (target < 2 s)"
        )


if __name__ == "__main__":
    main()
