"""What the transparency log adds to an upload, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_server_log.py                 # both backends
    .venv/bin/python bench/bench_server_log.py --backends sqlite --runs 100

Each backend gets a fresh database and one in-process app (FastAPI's TestClient: the
whole upload handler, no network). A project registers a signing key; then --runs
uploads are sent one after the other, alternately signed and unsigned, each report of
--findings findings of which --new are new (and the previous run's new ones fixed), so
every upload also logs 2 x --new triage events. The time each upload spends in the log
is measured inside the handler: checking the signed decision against the project's
keys, building the event entries, the compare-and-append (entries, nodes, the stored
checkpoint) and the receipt. Then one first upload of --big new findings (as many
"open" events) and a full audit of the log.

PostgreSQL: a fresh database glasshouse_bench_<random> on --pg (dropped at the end).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from glasshouse.evidence import keys
from glasshouse.model import Severity
from glasshouse.server.app import create_app
from glasshouse.server.settings import ServerSettings
from glasshouse.storage import accounts, signing, tlog
from glasshouse.storage.db import Database, migrate, utcnow
from glasshouse.storage.models import Project
from server import reports, signed  # type: ignore[import-not-found]

SIGNED_RUN = "application/vnd.glasshouse.signed-run+json"


class Timer:
    """Accumulates the time spent in the wrapped functions during one upload."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, module: Any, name: str) -> None:
        inner: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        setattr(module, name, timed)


@contextmanager
def database(backend: str, pg: str) -> Iterator[Database]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            migrate(db)
            yield db
            db.dispose()
        return
    name = f"glasshouse_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(f"postgresql://{pg}/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        db = Database(f"postgresql://{pg}/{name}")
        migrate(db)
        yield db
        db.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    timer = Timer()
    timer.wrap(signing, "check_upload")  # the api module calls signing.check_upload
    timer.wrap(tlog, "append_decision")
    timer.wrap(tlog, "flush_events")  # the commit hook calls tlog.flush_events
    key = keys.generate()
    out: dict[str, Any] = {"backend": backend}
    with database(backend, args.pg) as db:
        with db.write() as session:
            project = accounts.get_or_create_project(session, "shop", at=utcnow())
            token = accounts.create_token(session, "ci", at=utcnow(), project=project).token
            signing.add_key(
                session, project, keys.VerifyingKey(key.public), name="b", actor="b", at=utcnow()
            )
        app = create_app(ServerSettings(database_url=db.url, worker=False), db)
        shared = reports.many(args.findings - args.new, prefix="shared", severity=Severity.LOW)
        timings: dict[str, list[tuple[float, float]]] = {"signed": [], "unsigned": []}
        with TestClient(app) as client:

            def upload(run: str, findings: list[Any], is_signed: bool) -> tuple[float, float]:
                rep = signed.report_object(findings, started_at=f"2026-11-27T{run}Z")
                text, envelope = signed.sign(rep, key)
                body = signed.body(text, envelope) if is_signed else text.encode()
                timer.spent = 0.0
                start = time.perf_counter()
                answer = client.post(
                    "/api/v1/projects/shop/runs",
                    content=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Glasshouse-Run-Id": run,
                        "Glasshouse-Branch": "main",
                        "Content-Type": SIGNED_RUN if is_signed else "application/json",
                    },
                )
                total = time.perf_counter() - start
                assert answer.status_code == 201, answer.text
                assert (answer.json()["receipt"] is not None) == is_signed
                return total * 1000, timer.spent * 1000

            for i in range(args.runs):
                own = reports.many(args.new, prefix=f"run{i}-", severity=Severity.LOW)
                stamp = f"{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
                is_signed = i % 2 == 0
                timings["signed" if is_signed else "unsigned"].append(
                    upload(stamp, [*shared, *own], is_signed)
                )
            big = reports.many(args.big, prefix="big", severity=Severity.LOW)
            with db.write() as session:  # a new branch-less project for the big first run
                other = accounts.get_or_create_project(session, "big", at=utcnow())
                other_token = accounts.create_token(session, "ci", at=utcnow(), project=other)
                signing.add_key(
                    session, other, keys.VerifyingKey(key.public), name="b", actor="b", at=utcnow()
                )
            token = other_token.token
            client_path = "/api/v1/projects/big/runs"
            rep = signed.report_object(big, started_at="2026-11-28T10:00:00Z")
            text, envelope = signed.sign(rep, key)
            timer.spent = 0.0
            start = time.perf_counter()
            answer = client.post(
                client_path,
                content=signed.body(text, envelope),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Glasshouse-Run-Id": "big",
                    "Glasshouse-Branch": "main",
                    "Content-Type": SIGNED_RUN,
                },
            )
            assert answer.status_code == 201, answer.text
            out["big_total_ms"] = (time.perf_counter() - start) * 1000
            out["big_log_ms"] = timer.spent * 1000
        with db.read() as session:
            log = tlog.public_log(session)
            assert log is not None
            start = time.perf_counter()
            result = log.audit()
            out["audit_s"] = time.perf_counter() - start
            assert result.ok, result.problems
            out["log_size"] = log.size
            assert session.scalar(select(Project.id).where(Project.slug == "big")) is not None
    for kind, values in timings.items():
        totals = [t for t, _ in values]
        logged = [lg for _, lg in values]
        out[kind] = {
            "uploads": len(values),
            "total_median_ms": statistics.median(totals),
            "total_p95_ms": percentile(totals, 0.95),
            "log_median_ms": statistics.median(logged),
            "log_p95_ms": percentile(logged, 0.95),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--findings", type=int, default=100)
    parser.add_argument("--new", type=int, default=10)
    parser.add_argument("--big", type=int, default=1000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432")
    args = parser.parse_args()
    print(
        f"{args.runs} uploads of {args.findings} findings ({args.new} new, {args.new} fixed "
        f"each), alternately signed; then one first upload of {args.big} new findings"
    )
    for backend in args.backends.split(","):
        r = bench(backend, args)
        print(f"\n{backend}: log of {r['log_size']} entries, full audit {r['audit_s']:.2f} s")
        for kind in ("unsigned", "signed"):
            k = r[kind]
            print(
                f"  {kind:8} upload median {k['total_median_ms']:6.1f} ms "
                f"(p95 {k['total_p95_ms']:6.1f}), of which the log "
                f"{k['log_median_ms']:5.1f} ms (p95 {k['log_p95_ms']:5.1f})"
            )
        print(
            f"  first signed upload of {args.big} new findings: {r['big_total_ms']:.0f} ms, "
            f"of which the log {r['big_log_ms']:.0f} ms ({args.big} events and the decision)"
        )


if __name__ == "__main__":
    main()
