"""The glass house under load: ingest throughput, then page latency over a big store.

    .venv/bin/python bench/bench_server_ingest.py              # 100 x 1,000, then 1,000,000 stored
    .venv/bin/python bench/bench_server_ingest.py --findings 200000   # a quicker latency phase
    .venv/bin/python bench/bench_server_ingest.py --backends sqlite
    .venv/bin/python bench/bench_server_ingest.py --all-open   # no finding fixed in phase 2

Phase 1 sends 100 runs of 1,000 findings over HTTP to a real `glasshouse server`
process (uvicorn), one after the other, as CI would: gzip JSON, schema validation,
fingerprint tracking, events, all of it. The runs go to 10 projects; each run keeps 80%
of its project's previous findings, drops the rest (fixed) and adds new ones.
Phase 2 fills the store to --findings tracked findings (through the same ingest code,
in-process, to save time) and measures the p95 latency of the overview and of
findings searches, logged in as a security user over HTTP.

By default a phase-2 run fixes the findings of the previous run of its branch (one of
7), so most stored findings end up fixed; --all-open gives each run a branch of its own,
so every stored finding stays open: the overview's worst case.

PostgreSQL: a fresh database glasshouse_bench_<random> on --pg (dropped at the end;
--keep leaves it, and the SQLite file, behind and says where).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from glasshouse.storage import accounts
from glasshouse.storage.db import Database, migrate, utcnow
from glasshouse.storage.ingest import RunMeta, ingest
from glasshouse.storage.models import Project

SEVERITIES = ("critical", "high", "medium", "low", "unknown")
PASSWORD = "bench password, long enough"  # noqa: S105 - a throwaway bench user
GLASSHOUSE = str(Path(sys.executable).with_name("glasshouse"))


def finding(project: int, n: int) -> dict[str, Any]:
    fp = hashlib.sha256(f"{project}:{n}".encode()).hexdigest()[:32]
    name = f"package-{n % 5000}"
    rule = f"GHSA-{n:04x}-{project:04x}-bench"
    path = f"services/s{n % 40}/requirements.txt"
    package = {
        "name": name,
        "version": "1.0.0",
        "ecosystem": "PyPI",
        "purl": f"pkg:pypi/{name}@1.0.0",
        "status": "pinned",
        "requirement": None,
        "direct": True,
        "dev": False,
        "location": {"path": path, "line": 3},
    }
    return {
        "kind": "vulnerability",
        "rule_id": rule,
        "title": f"Example advisory {n} in {name}",
        "severity": SEVERITIES[n % 5],
        "fingerprint": fp,
        "location": {"path": path, "line": 3},
        "fix": {"summary": f"Upgrade {name} from 1.0.0 to 1.0.1.", "versions": ["1.0.1"]},
        "tags": [],
        "gate": {"disposition": "blocking", "reason": "high", "waiver": None, "new": None},
        "vulnerability": {
            "package": package,
            "advisory_ids": [rule, f"CVE-2026-{n}"],
            "fixed_versions": ["1.0.1"],
            "cvss_vectors": [],
            "severity_source": "database",
            "references": [],
        },
    }


def report(findings: list[dict[str, Any]], minute: int) -> dict[str, Any]:
    day, hour, mins = 1 + minute // 1440, minute // 60 % 24, minute % 60
    stamp = f"2026-11-{day:02d}T{hour:02d}:{mins:02d}:00Z"
    by = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        by[f["severity"]] += 1
    return {
        "schema_version": "1.1",
        "tool": {"name": "glasshouse", "version": "0.1.0"},
        "target": ".",
        "started_at": stamp,
        "decision": {
            "verdict": "fail",
            "exit_code": 1,
            "reasons": ["blocking findings"],
            "evaluated": "fail",
            "mode": "enforce",
            "override": None,
        },
        "summary": {
            "findings": len(findings),
            "by_severity": by,
            "problems": 0,
            "blocking_problems": 0,
            "packages": 0,
            "unpinned_packages": 0,
            "files": 1,
            "duration_seconds": 1.0,
            "by_disposition": {},
        },
        "policy": {"sources": []},
        "waivers": [],
        "baseline": None,
        "database": {},
        "findings": findings,
        "problems": [],
        "packages": [],
    }


@contextmanager
def database(backend: str, pg: str, keep: bool = False) -> Iterator[str]:
    """A fresh database; ``keep`` leaves it behind (and says where) to study it after."""
    if backend == "sqlite":
        if keep:
            tmp = tempfile.mkdtemp(prefix="glasshouse-bench-")
            print(f"sqlite: keeping sqlite:///{tmp}/bench.db", flush=True)
            yield f"sqlite:///{tmp}/bench.db"
            return
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    admin = psycopg.connect(pg, autocommit=True)
    name = f"glasshouse_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = pg.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        if keep:
            print(f"postgresql: keeping {url}", flush=True)
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def server(url: str) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            GLASSHOUSE,
            "server",
            "--database-url",
            url,
            "--port",
            str(port),
            "--no-worker",
            "--max-upload-mb",
            "64",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def bench(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"backend": backend}
    with database(backend, args.pg, args.keep) as url:
        db = Database(url)
        migrate(db)
        tokens = {}
        with db.write() as session:
            now = utcnow()
            for p in range(args.projects):
                project = accounts.get_or_create_project(session, f"project-{p}", at=now)
                tokens[p] = accounts.create_token(session, "ci", at=now, project=project).token
            accounts.create_user(session, "sec", "security", PASSWORD, at=now)
        # phase 1: ingest over HTTP
        bodies = []
        counters = dict.fromkeys(range(args.projects), 0)
        current: dict[int, list[int]] = {p: [] for p in range(args.projects)}
        for r in range(args.runs):
            p = r % args.projects
            keep = current[p][: int(args.per_run * 0.8)]
            fresh = list(range(counters[p], counters[p] + args.per_run - len(keep)))
            counters[p] += len(fresh)
            current[p] = fresh + keep
            data = report([finding(p, n) for n in current[p]], minute=r)
            bodies.append((p, f"bench-{r}", gzip.compress(json.dumps(data).encode(), 6)))
        with server(url) as base, httpx.Client(timeout=300) as client:
            started = time.perf_counter()
            for p, run_id, body in bodies:
                answer = client.post(
                    f"{base}/api/v1/projects/project-{p}/runs",
                    content=body,
                    headers={
                        "Authorization": f"Bearer {tokens[p]}",
                        "Glasshouse-Run-Id": run_id,
                        "Glasshouse-Branch": "main",
                        "Content-Encoding": "gzip",
                        "Content-Type": "application/json",
                    },
                )
                assert answer.status_code == 201, answer.text
            elapsed = time.perf_counter() - started
        total = args.runs * args.per_run
        out["ingest_findings"] = total
        out["ingest_seconds"] = round(elapsed, 2)
        out["findings_per_second"] = round(total / elapsed)
        print(
            f"{backend}: ingested {total:,} findings in {elapsed:.1f} s: {total / elapsed:,.0f}/s",
            flush=True,
        )

        # phase 2: fill to --findings tracked findings, in-process, then measure pages
        with db.read() as session:
            from sqlalchemy import func, select

            from glasshouse.storage.models import Finding

            stored = session.scalar(select(func.count()).select_from(Finding)) or 0
        fill_start = time.perf_counter()
        r = args.runs
        while stored < args.findings:
            p = r % args.projects
            n0 = counters[p]
            counters[p] += args.per_run
            data = report([finding(p, n) for n in range(n0, n0 + args.per_run)], minute=r)
            with db.write() as session:
                project = session.scalars(
                    select(Project).where(Project.slug == f"project-{p}")
                ).one()
                ingest(
                    session,
                    project,
                    data,
                    RunMeta(f"fill-{r}", f"branch-{r}" if args.all_open else f"branch-{r % 7}"),
                    digest=str(r),
                    token_id=None,
                    now=utcnow(),
                )
            stored += args.per_run
            r += 1
            if r % 100 == 0:
                print(
                    f"  filled {stored:,} findings ({time.perf_counter() - fill_start:.0f} s)",
                    flush=True,
                )
        out.update(measure(db, args.samples))
        db.dispose()
    return out


PAGES = {
    "overview": "/",
    "search: open": "/findings",
    "search: critical": "/findings?severity=critical",
    "search: project+kind": "/findings?project=project-3&kind=vulnerability",
    "search: text": "/findings?q=package-42",
    "search: rare text": "/findings?q=0a5a-0003",  # one rule id in a million
    "search: rule": "/findings?rule=GHSA-002a-0003-bench&state=any",
}


def measure(db: Database, samples: int) -> dict[str, Any]:
    """Statistics first (as autovacuum would have them), then each page's p95 over HTTP."""
    from sqlalchemy import func, select

    from glasshouse.storage.models import Finding

    out: dict[str, Any] = {}
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    with db.read() as session:
        out["stored_findings"] = session.scalar(select(func.count()).select_from(Finding)) or 0
        out["open_findings"] = (
            session.scalar(select(func.count()).where(Finding.state.in_(("open", "confirmed"))))
            or 0
        )
    print(
        f"  {out['stored_findings']:,} findings stored, {out['open_findings']:,} open",
        flush=True,
    )
    with (
        server(db.url) as base,
        httpx.Client(base_url=base, timeout=120, follow_redirects=True) as client,
    ):
        login = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        done = client.post(
            "/login", data={"username": "sec", "password": PASSWORD, "csrf_token": csrf}
        )
        assert done.status_code == 200, done.text[:300]
        latencies = {}
        for label, path in PAGES.items():
            taken = []
            for i in range(samples + 2):
                t = time.perf_counter()
                answer = client.get(path)
                took = time.perf_counter() - t
                assert answer.status_code == 200, (path, answer.status_code)
                if i >= 2:  # warm-up
                    taken.append(took * 1000)
            latencies[label] = round(p95(taken), 1)
            print(f"  {label:24} p95 {latencies[label]:8.1f} ms", flush=True)
    out["p95_ms"] = latencies
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--per-run", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument(
        "--findings", type=int, default=1_000_000, help="tracked findings for phase 2"
    )
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument(
        "--all-open",
        action="store_true",
        help="phase 2 puts every run on a branch of its own, so no finding is fixed: the "
        "overview then counts every stored finding (by default a run fixes the findings "
        "of the previous run of its branch, one of 7)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (to study them) and say where"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("GLASSHOUSE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument(
        "--measure",
        metavar="URL",
        help="only measure the pages of a database a --keep run left (migrate it first)",
    )
    args = parser.parse_args()
    if args.measure:
        db = Database(args.measure)
        print(json.dumps({"backend": db.dialect, **measure(db, args.samples)}, indent=2))
        db.dispose()
        return
    results = [bench(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    out = Path(__file__).with_name("out")
    out.mkdir(exist_ok=True)
    (out / "server_ingest.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(
        "DefectDojo (its own published figures): ~40 s to import 700 findings (~18/s); "
        "over 10 minutes for 30,000 (< 50/s)."
    )
    for r in results:
        ratio = r["findings_per_second"] / 50
        latency = ", ".join(f"{k} {v} ms" for k, v in r["p95_ms"].items())
        print(
            f"Glasshouse on {r['backend']}: {r['findings_per_second']:,}/s, about {ratio:,.0f}x "
            f"that; p95 with {r['stored_findings']:,} findings stored "
            f"({r['open_findings']:,} open): {latency}"
        )


if __name__ == "__main__":
    main()
