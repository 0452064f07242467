"""The durable job queue and the signed webhooks it delivers, against a real receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from glasshouse.server.worker import SIGNATURE_HEADER, TIMESTAMP_HEADER, Worker, verify
from glasshouse.storage import jobs
from glasshouse.storage.db import Database, utcnow
from glasshouse.storage.models import Job, Webhook

from . import reports
from .conftest import World

SECRET = "a shared secret of some length"


class Receiver:
    """A webhook endpoint on a loopback port that answers with the statuses it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def add_hook(db: Database, url: str, events: str = "*") -> None:
    with db.write() as session:
        session.add(
            Webhook(url=url, secret=SECRET, events=events, active=True, created_at=utcnow())
        )


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def test_a_failed_gate_and_a_new_critical_finding_are_announced_signed(
    world: World, receiver: Receiver
) -> None:
    add_hook(world.db, receiver.url)
    token = world.ci_token("shop")
    data = reports.report([reports.secret("prod.env")])
    assert world.upload(token, "shop", reports.body(data), "1").status_code == 201
    worker = Worker(world.db)
    assert worker.drain() == 2
    assert sorted(receiver.events()) == ["critical_finding", "gate_failed"]
    for headers, body in receiver.received:
        assert verify(
            SECRET, headers[TIMESTAMP_HEADER.lower()], body, headers[SIGNATURE_HEADER.lower()]
        )
        assert not verify(
            "another secret",
            headers[TIMESTAMP_HEADER.lower()],
            body,
            headers[SIGNATURE_HEADER.lower()],
        )
        payload = json.loads(body)
        assert "shop (main)" in payload["text"]  # Slack shows "text"
        assert "AKIA" not in body.decode()  # never the secret, not even the preview
    # a passing run with nothing new says nothing
    assert world.upload(token, "shop", reports.body(reports.report([])), "2").status_code == 201
    assert worker.drain() == 0


def test_failed_deliveries_are_retried_with_backoff_then_given_up(
    world: World, receiver: Receiver
) -> None:
    add_hook(world.db, receiver.url, "gate_failed")
    receiver.statuses = [500, 503]
    token = world.ci_token("shop")
    assert (
        world.upload(
            token, "shop", reports.body(reports.report([reports.secret("a")])), "1"
        ).status_code
        == 201
    )
    # the clock starts after the upload: a job queued in a later second than the clock's
    # would not be due yet
    clock = Clock()
    worker = Worker(world.db, clock=clock)
    assert worker.drain() == 1  # attempt 1 fails
    assert worker.drain() == 0  # not due yet
    clock.now += timedelta(seconds=11)
    assert worker.drain() == 1  # attempt 2 fails
    clock.now += timedelta(seconds=21)
    assert worker.drain() == 1  # attempt 3 succeeds
    assert len(receiver.received) == 3
    with world.db.read() as session:
        job = session.scalars(select(Job).where(Job.kind == "webhook")).one()
        assert (job.status, job.attempts) == ("done", 3)

    receiver.statuses = [500] * 10
    assert (
        world.upload(
            token, "shop", reports.body(reports.report([reports.secret("b")])), "2"
        ).status_code
        == 201
    )
    for _ in range(6):
        worker.drain()
        clock.now += timedelta(hours=2)
    with world.db.read() as session:
        failed = session.scalars(select(Job).where(Job.status == "failed")).one()
        assert failed.attempts == failed.max_attempts == 5
        assert "HTTP 500" in (failed.last_error or "")


def test_the_sweep_announces_expiring_waivers_once_across_processes(
    world: World, receiver: Receiver
) -> None:
    add_hook(world.db, receiver.url, "waiver_expiring")
    world.ci_token("shop")
    dev, sec = world.user("dev", "developer", "shop"), world.user("sec", "security")
    soon = (date.today() + timedelta(days=3)).isoformat()
    made = world.client.post(
        "/api/v1/projects/shop/waivers",
        json={"rule": "GHSA-x", "reason": "r", "expires": soon},
        headers={"Authorization": f"Bearer {dev}"},
    ).json()
    world.client.post(
        f"/api/v1/waivers/{made['id']}/decision",
        json={"approve": True},
        headers={"Authorization": f"Bearer {sec}"},
    )
    one, two = Worker(world.db), Worker(world.db)  # two processes' workers
    for worker in (one, two, one):
        worker.schedule()
        worker.drain()
    assert receiver.events() == ["waiver_expiring"]
    assert "expires on" in json.loads(receiver.received[0][1])["text"]


def test_concurrent_workers_run_each_job_exactly_once(world: World) -> None:
    now = utcnow()
    with world.db.write() as session:
        for i in range(60):
            jobs.enqueue(session, "count", {"n": i}, now=now)
    seen: list[int] = []
    lock = threading.Lock()

    def count(payload: dict[str, Any]) -> None:
        with lock:
            seen.append(payload["n"])

    workers = [Worker(world.db) for _ in range(4)]
    for w in workers:
        w.handlers["count"] = count
    threads = [threading.Thread(target=w.drain) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(seen) == list(range(60))
    with world.db.read() as session:
        assert {j.status for j in session.scalars(select(Job))} == {"done"}


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease(world: World) -> None:
    now = utcnow()
    with world.db.write() as session:
        jobs.enqueue(session, "count", {}, now=now)
    with world.db.write() as session:
        first = jobs.claim(session, "dead-worker", now=now)
    assert first is not None
    with world.db.write() as session:
        assert jobs.claim(session, "other", now=now + timedelta(minutes=1)) is None
    with world.db.write() as session:
        again = jobs.claim(session, "other", now=now + jobs.LEASE + timedelta(seconds=1))
    assert again is not None
    assert (again.id, again.attempts) == (first.id, 2)


def test_jobs_of_a_rolled_back_change_never_exist(world: World) -> None:
    def change() -> None:
        with world.db.write() as session:
            jobs.enqueue(session, "count", {}, now=utcnow())
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change()
    with world.db.read() as session:
        assert session.scalars(select(Job)).all() == []
