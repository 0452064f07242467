"""Two real server processes (uvicorn) on one PostgreSQL: parallel uploads lose and
duplicate nothing, and a run id raced from both sides is stored once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from glasshouse.model import Severity
from glasshouse.storage import accounts
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import Finding, Run, RunFinding
from glasshouse.storage.triage import state_drift

from . import reports
from .conftest import empty_postgres, live_server


def test_parallel_uploads_to_two_processes(pg_url: str) -> None:
    db = empty_postgres(pg_url)
    with db.write() as session:
        project = accounts.get_or_create_project(session, "shop", at=utcnow())
        token = accounts.create_token(session, "ci", at=utcnow(), project=project).token
    # 20 runs on two branches; each shares 50 findings with the others and adds 50 of its own
    shared = reports.many(50, prefix="common")
    bodies = []
    for i in range(20):
        own = reports.many(50, prefix=f"run{i}-", severity=Severity.LOW)
        started = f"2026-11-27T10:{i:02d}:00Z"
        bodies.append(
            (
                f"run-{i}",
                "main" if i % 2 else "dev",
                reports.body(reports.report([*shared, *own], started_at=started)),
            )
        )
    with live_server(pg_url, "--no-worker") as one, live_server(pg_url, "--no-worker") as two:

        def send(job: tuple[int, tuple[str, str, bytes]]) -> int:
            index, (run_id, branch, body) = job
            url = one if index % 2 else two
            answer = httpx.post(
                f"{url}/api/v1/projects/shop/runs",
                content=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Glasshouse-Run-Id": run_id,
                    "Glasshouse-Branch": branch,
                },
                timeout=120,
            )
            return answer.status_code

        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(send, enumerate(bodies)))
        assert statuses == [201] * 20

        # the same run raced through both processes: stored once, the rest told so
        race = ("raced", "main", bodies[0][2])
        with ThreadPoolExecutor(6) as pool:
            raced = sorted(pool.map(send, enumerate([race] * 6)))
        assert raced == [201, 409, 409, 409, 409, 409]

    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 21
        # per branch: 50 shared + 50 own per run on it; the raced run brought run 0's 50
        # own findings to main
        assert session.scalar(select(func.count()).select_from(Finding)) == 2 * 50 + 21 * 50
        assert session.scalar(select(func.count()).select_from(RunFinding)) == 21 * 100
        assert state_drift(session) == []
        # whatever order they arrived in, each branch's newest run (by scan time) decides
        # what is open there: its 50 own findings and the 50 shared ones
        for branch, newest in (("main", 19), ("dev", 18)):
            still_open = set(
                session.scalars(
                    select(Finding.package).where(Finding.branch == branch, Finding.state == "open")
                )
            )
            own = {f"run{newest}-{i}@1.0.0" for i in range(50)}
            common = {f"common{i}@1.0.0" for i in range(50)}
            assert still_open == own | common, branch
    db.dispose()
