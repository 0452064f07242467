"""Two real server processes (uvicorn) on one PostgreSQL: parallel uploads lose and
duplicate nothing, a run id raced from both sides is stored once, and the one
transparency log both append to stays whole."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import httpx
from sqlalchemy import func, select

from glasshouse.evidence import keys
from glasshouse.evidence.note import parse_vkey
from glasshouse.evidence.verify import Expectations, LogTrust, verify_consistency, verify_receipt
from glasshouse.model import Severity
from glasshouse.storage import accounts, signing, tlog
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import Event, Finding, LogEntryRow, LogState, Run, RunFinding
from glasshouse.storage.triage import state_drift

from . import reports, signed
from .conftest import PASSWORD, empty_postgres, live_server


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


def test_parallel_signed_uploads_and_waivers_through_two_processes_share_one_log(
    pg_url: str,
) -> None:
    """Both processes append to one log: compare-and-append loses and duplicates no
    entry, every receipt verifies, and every earlier checkpoint is extended by the last."""
    db = empty_postgres(pg_url)
    key = keys.generate()
    with db.write() as session:
        now = utcnow()
        project = accounts.get_or_create_project(session, "shop", at=now)
        token = accounts.create_token(session, "ci", at=now, project=project).token
        dev = accounts.create_user(session, "dev", "developer", PASSWORD, at=now)
        accounts.add_member(session, dev, project, at=now)
        dev_token = accounts.create_token(session, "dev", at=now, user=dev).token
        signing.add_key(
            session, project, keys.VerifyingKey(key.public), name="ci", actor="t", at=now
        )
    jobs: list[tuple[str, str, bytes]] = []
    for i in range(16):
        findings = reports.many(3, prefix=f"run{i}-")  # three new findings each
        rep = signed.report_object(findings, started_at=f"2026-11-27T11:{i:02d}:00Z")
        text, envelope = signed.sign(rep, key)
        jobs.append(("run", f"signed-{i}", signed.body(text, envelope)))
    expires = (date.today() + timedelta(days=5)).isoformat()
    for i in range(8):
        waiver = {"rule": f"GHSA-{i}", "reason": "later", "expires": expires}
        jobs.append(("waiver", str(i), json.dumps(waiver).encode()))

    with live_server(pg_url, "--no-worker") as one, live_server(pg_url, "--no-worker") as two:

        def send(job: tuple[int, tuple[str, str, bytes]]) -> httpx.Response:
            index, (kind, name, body) = job
            url = one if index % 2 else two
            if kind == "waiver":
                return httpx.post(
                    f"{url}/api/v1/projects/shop/waivers",
                    content=body,
                    headers={
                        "Authorization": f"Bearer {dev_token}",
                        "Content-Type": "application/json",
                    },
                    timeout=120,
                )
            return httpx.post(
                f"{url}/api/v1/projects/shop/runs",
                content=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Glasshouse-Run-Id": name,
                    "Glasshouse-Branch": name,  # one branch each: no run closes another's
                    "Content-Type": signed.SIGNED_RUN,
                },
                timeout=120,
            )

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(send, enumerate(jobs)))
        assert [a.status_code for a in answers] == [201] * len(jobs), [a.text for a in answers]
        vkey = httpx.get(f"{one}/api/v1/log/key", headers={"Authorization": f"Bearer {token}"})
        final = httpx.get(
            f"{two}/api/v1/log/checkpoint", headers={"Authorization": f"Bearer {token}"}
        ).text
        verifier = parse_vkey(vkey.json()["vkey"])
        trust = LogTrust(verifier.key, verifier.name)
        receipts = [a.json()["receipt"] for a in answers if "receipt" in a.json()]
        assert len(receipts) == 16
        for receipt in receipts:
            assert verify_receipt(receipt, keys.VerifyingKey(key.public), Expectations(), trust).ok
            size = int(receipt["checkpoint"].split("\n")[1])
            proof = httpx.get(
                f"{one}/api/v1/log/proof/consistency?from={size}",
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            assert verify_consistency(receipt["checkpoint"], final, proof, trust).ok

    expected = 16 * (1 + 3) + 8  # a decision and three "open" events per run; the requests
    with db.read() as session:
        indices = list(session.scalars(select(LogEntryRow.idx).order_by(LogEntryRow.idx)))
        assert indices == list(range(expected))
        assert session.scalar(select(LogState.size)) == expected
        decisions = session.scalars(
            select(LogEntryRow.run_id).where(LogEntryRow.kind == "decision")
        ).all()
        assert len(decisions) == len(set(decisions)) == 16
        logged_events = session.scalars(
            select(LogEntryRow.event_id).where(LogEntryRow.event_id.is_not(None))
        ).all()
        events = session.scalars(
            select(Event.id).where((Event.action == "triage") | Event.action.like("waiver_%"))
        ).all()
        assert sorted(logged_events) == sorted(events)
        assert len(events) == 16 * 3 + 8
        log = tlog.public_log(session)
        assert log is not None
        assert log.audit().ok
        assert (
            len(log.storage.checkpoints())
            == len({int(r["checkpoint"].split("\n")[1]) for r in receipts}) + 8
        )  # one per append: each run's batch, each waiver request
    db.dispose()
