"""A durable job queue in the database, safe with many worker processes.

A job is claimed by one ``UPDATE ... WHERE id = (SELECT ... LIMIT 1 [FOR UPDATE SKIP
LOCKED]) RETURNING``: on PostgreSQL concurrent workers skip each other's rows; on
SQLite the write transaction (BEGIN IMMEDIATE) serializes the claim. A claim is a
lease: a job whose worker died is claimed again once ``locked_until`` passes. A failed
job is retried with exponential backoff up to ``max_attempts``, then marked failed.
Jobs are inserted in the transaction of what caused them, so none is lost or sent for
something that was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from glasshouse.storage.models import Job

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 10.0
BACKOFF_MAX_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    max_attempts: int = 5,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Queue a job; with ``dedupe_key``, at most one job ever has that key. True if queued."""
    values = {
        "kind": kind,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "status": "queued",
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": run_after or now,
        "created_at": now,
    }
    insert = (
        postgresql.insert(Job)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(Job)
    )
    statement = insert.values(**values)
    if dedupe_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = session.execute(statement.returning(Job.id))
    return result.first() is not None


def claim(session: Session, worker: str, *, now: datetime) -> ClaimedJob | None:
    """Take the oldest due job (or one whose lease ran out); commit right after."""
    due = (
        select(Job.id)
        .where(
            or_(
                (Job.status == "queued") & (Job.run_after <= now),
                (Job.status == "running") & (Job.locked_until < now),
            )
        )
        .order_by(Job.run_after, Job.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    row = session.execute(
        update(Job)
        .where(Job.id == due.scalar_subquery())
        .values(
            status="running",
            locked_by=worker,
            locked_until=now + LEASE,
            attempts=Job.attempts + 1,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None
    return ClaimedJob(row[0], row[1], dict(row[2]), row[3], row[4])


def complete(session: Session, job: ClaimedJob, worker: str, *, now: datetime) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == worker)
        .values(status="done", finished_at=now, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


def fail(session: Session, job: ClaimedJob, worker: str, error: str, *, now: datetime) -> bool:
    """Record a failed attempt: retry later, or give up. True if it will be retried."""
    retry = job.attempts < job.max_attempts
    session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == worker)
        .values(
            status="queued" if retry else "failed",
            run_after=now + backoff(job.attempts) if retry else now,
            locked_until=None,
            last_error=error[:2000],
            finished_at=None if retry else now,
        )
        .execution_options(synchronize_session=False)
    )
    return retry
