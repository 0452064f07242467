"""Triage: every change of a finding's state is an appended event; the state is its copy.

``append_events`` is the only code that writes ``Finding.state``, and it does so in the
transaction that inserts the event, so the history and the state cannot drift apart
(``state_drift`` finds any finding whose state is not its latest event's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from glasshouse.storage.models import TRIAGE_STATES, Event, Finding
from glasshouse.storage.posture import PostureDelta

# What a person may set; "open" reopens, "fixed" is set by runs only.
MANUAL_STATES = ("open", "confirmed", "false_positive", "accepted_risk")
_CHUNK = 500


class TriageError(ValueError):
    """A triage change that is not allowed, in one line."""


@dataclass(frozen=True, slots=True)
class Change:
    finding_id: int
    state: str
    reason: str
    expires: date | None = None


def append_events(
    session: Session,
    changes: Sequence[Change],
    *,
    actor: str,
    at: datetime,
    project_id: int,
    run_id: int | None = None,
    action: str = "triage",
    posture: PostureDelta | None = None,
) -> None:
    """Append one event per change and set each finding's state from it.

    The findings are locked first (in id order, on PostgreSQL) and their open counts
    moved in ``posture``; without one, the counts are written before returning.
    """
    if not changes:
        return
    for c in changes:
        if c.state not in TRIAGE_STATES:
            raise TriageError(f"unknown state {c.state!r}")
    delta = posture if posture is not None else PostureDelta()
    current = _lock_findings(session, sorted({c.finding_id for c in changes}))
    for c in changes:
        row = current.get(c.finding_id)
        if row is None:
            raise TriageError(f"no finding {c.finding_id}")
        state, severity, owner, first_seen = row
        delta.transition(owner, severity, first_seen, state, c.state)
        current[c.finding_id] = (c.state, severity, owner, first_seen)
    session.execute(
        insert(Event),
        [
            {
                "at": at,
                "actor": actor,
                "action": action,
                "project_id": project_id,
                "finding_id": c.finding_id,
                "run_id": run_id,
                "state": c.state,
                "expires": c.expires,
                "reason": c.reason,
                "waiver_id": None,
            }
            for c in changes
        ],
    )
    final: dict[int, tuple[str, date | None]] = {}
    for c in changes:
        final[c.finding_id] = (c.state, c.expires)  # the latest change of a finding wins
    by_state: dict[tuple[str, date | None], list[int]] = {}
    for finding_id, value in final.items():
        by_state.setdefault(value, []).append(finding_id)
    for (state, expires), ids in by_state.items():
        for start in range(0, len(ids), _CHUNK):
            session.execute(
                update(Finding)
                .where(Finding.id.in_(ids[start : start + _CHUNK]))
                .values(state=state, state_expires=expires)
                .execution_options(synchronize_session=False)
            )
    if posture is None:
        delta.apply(session)


def _lock_findings(
    session: Session, ids: Sequence[int]
) -> dict[int, tuple[str, int, int, datetime]]:
    """{id: (state, severity, project id, first seen)}, rows locked on PostgreSQL."""
    out: dict[int, tuple[str, int, int, datetime]] = {}
    pg = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(
                Finding.id,
                Finding.state,
                Finding.severity,
                Finding.project_id,
                Finding.first_seen_at,
            )
            .where(Finding.id.in_(ids[start : start + _CHUNK]))
            .order_by(Finding.id)
        )
        if pg:
            query = query.with_for_update()
        for fid, state, severity, owner, first_seen in session.execute(query):
            out[fid] = (state, severity, owner, first_seen)
    return out


def triage(
    session: Session,
    finding: Finding,
    state: str,
    *,
    actor: str,
    reason: str,
    at: datetime,
    expires: date | None = None,
) -> None:
    """A person's triage decision about one finding."""
    if state not in MANUAL_STATES:
        raise TriageError(f"state must be one of {', '.join(MANUAL_STATES)}, not {state!r}")
    if not reason.strip():
        raise TriageError("a reason is required")
    if state == "accepted_risk":
        if expires is None:
            raise TriageError("an accepted risk needs an expiry date")
        if expires <= at.date():
            raise TriageError("the expiry date must be in the future")
    elif expires is not None:
        raise TriageError("only an accepted risk takes an expiry date")
    if finding.state == "fixed" and state != "open":
        raise TriageError("a fixed finding can only be reopened")
    append_events(
        session,
        [Change(finding.id, state, reason.strip(), expires)],
        actor=actor,
        at=at,
        project_id=finding.project_id,
    )
    session.refresh(finding)


def expire_accepted_risks(session: Session, *, today: date, at: datetime) -> int:
    """Reopen every accepted risk whose expiry date has passed; returns how many."""
    rows = session.execute(
        select(Finding.id, Finding.project_id, Finding.state_expires).where(
            Finding.state == "accepted_risk", Finding.state_expires < today
        )
    ).all()
    by_project: dict[int, list[Change]] = {}
    for finding_id, project_id, expires in rows:
        by_project.setdefault(project_id, []).append(
            Change(finding_id, "open", f"accepted risk expired on {expires}")
        )
    for project_id, changes in by_project.items():
        append_events(session, changes, actor="system", at=at, project_id=project_id)
    return len(rows)


def history(session: Session, finding_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.finding_id == finding_id).order_by(Event.id))
    )


def state_drift(session: Session, finding_ids: Iterable[int] | None = None) -> list[int]:
    """Findings whose state differs from their latest event's (should always be empty)."""
    latest = (
        select(Event.finding_id, func.max(Event.id).label("last"))
        .where(Event.state.is_not(None), Event.finding_id.is_not(None))
        .group_by(Event.finding_id)
        .subquery()
    )
    query = (
        select(Finding.id)
        .outerjoin(latest, latest.c.finding_id == Finding.id)
        .outerjoin(Event, Event.id == latest.c.last)
        .where((Event.state.is_(None)) | (Event.state != Finding.state))
    )
    if finding_ids is not None:
        query = query.where(Finding.id.in_(list(finding_ids)))
    return list(session.scalars(query))
