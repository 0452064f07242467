"""Runs the durable job queue inside each server process: webhook deliveries and the
periodic expiry sweep. Any number of processes may run it against one database."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.orm import Session

from glasshouse.storage import jobs
from glasshouse.storage.db import Database, utcnow
from glasshouse.storage.models import Project, Webhook, WebSession
from glasshouse.storage.notify import DELIVER, notify
from glasshouse.storage.triage import carry_decisions, expire_accepted_risks
from glasshouse.storage.waivers import expiring, waiver_label

log = logging.getLogger("glasshouse.worker")
SWEEP = "sweep"
SIGNATURE_HEADER = "X-Glasshouse-Signature"
TIMESTAMP_HEADER = "X-Glasshouse-Timestamp"


class DeliveryError(Exception):
    """A webhook delivery that failed and should be retried."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>`` with the shared secret."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        poll_seconds: float = 2.0,
        webhook_timeout: float = 10.0,
        sweep_minutes: int = 60,
        expiring_days: int = 7,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.poll_seconds = poll_seconds
        self.webhook_timeout = webhook_timeout
        self.sweep_minutes = sweep_minutes
        self.expiring_days = expiring_days
        self.clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            DELIVER: self.deliver,
            SWEEP: self.sweep,
        }

    # -- the loop --------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="glasshouse-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.schedule()
                while not self._stop.is_set() and self.run_one():
                    pass
            except Exception:  # the loop must survive a database restart
                log.exception("job queue: unexpected error")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def schedule(self) -> None:
        """Queue this period's sweep; the dedupe key makes it once across all processes."""
        now = self.clock()
        period = int(now.timestamp() // (self.sweep_minutes * 60))
        with self.db.write() as session:
            jobs.enqueue(session, SWEEP, {}, now=now, dedupe_key=f"sweep:{period}", max_attempts=3)

    def run_one(self) -> bool:
        """Claim and run one due job; False when none is due."""
        now = self.clock()
        with self.db.write() as session:
            job = jobs.claim(session, self.name, now=now)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise DeliveryError(f"no handler for job kind {job.kind!r}")
            handler(job.payload)
        except Exception as exc:  # every failure is recorded and retried
            with self.db.write() as session:
                retry = jobs.fail(
                    session, job, self.name, f"{type(exc).__name__}: {exc}", now=self.clock()
                )
            log.warning(
                "job %s (%s) failed%s: %s", job.id, job.kind, ", will retry" if retry else "", exc
            )
        else:
            with self.db.write() as session:
                jobs.complete(session, job, self.name, now=self.clock())
        return True

    def drain(self, limit: int = 1000) -> int:
        """Run due jobs until none is left (for tests and `glasshouse server work`)."""
        done = 0
        while done < limit and self.run_one():
            done += 1
        return done

    # -- handlers ----------------------------------------------------------------------
    def deliver(self, payload: dict[str, Any]) -> None:
        with self.db.read() as session:
            webhook = session.get(Webhook, payload["webhook_id"])
            if webhook is None or not webhook.active:
                return  # removed since: nothing to deliver
            url, secret = webhook.url, webhook.secret
        body = json.dumps(
            {"text": payload["text"], "event": payload["event"], "data": payload["data"]},
            separators=(",", ":"),
        ).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "glasshouse-webhook/1",
            "X-Glasshouse-Event": payload["event"],
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=self.webhook_timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{url}: {type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"{url}: HTTP {response.status_code}")

    def sweep(self, _payload: dict[str, Any]) -> None:
        """Reopen expired accepted risks, carry decisions to findings that lack them,
        announce waivers about to expire, drop old sessions."""
        now = self.clock()
        with self.db.write() as session:
            expire_accepted_risks(session, today=now.date(), at=now)
            carry_decisions(session, today=now.date(), at=now)
            for waiver in expiring(session, now.date(), self.expiring_days):
                project = waiver.project_id
                slug = _slug(session, project)
                notify(
                    session,
                    "waiver_expiring",
                    f"Waiver {waiver_label(waiver)} ({waiver.rule or waiver.fingerprint}) in "
                    f"{slug} expires on {waiver.expires.isoformat()}",
                    {"project": slug, "waiver": waiver.id, "expires": waiver.expires.isoformat()},
                    now=now,
                    dedupe=f"{waiver.id}:{waiver.expires.isoformat()}",
                )
            session.execute(
                delete(WebSession).where(WebSession.expires_at < now - timedelta(days=1))
            )


def _slug(session: Session, project_id: int) -> str:
    project = session.get(Project, project_id)
    return project.slug if project else str(project_id)
