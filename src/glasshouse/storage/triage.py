"""Triage: every change of a finding's state is an appended event; the state is its copy.

``append_events`` is the only code that writes ``Finding.state``, and it does so in the
transaction that inserts the event, so the history and the state cannot drift apart
(``state_drift`` finds any finding whose state or expiry is not its latest event's). Each
event is appended to the transparency log in that same transaction (``storage.tlog``).

A person's false positive or accepted risk is a decision about the fingerprint in the
project, kept in ``triage_decisions`` (the fold of the events: ``decision_drift``
checks it): the server carries it to the findings of that fingerprint on every branch,
now and when one arrives or comes back after being fixed, each time as an event of the
``system`` actor whose reason names who decided, where and why. Reopening or confirming
a finding withdraws the decision, and that too is carried to the findings it had set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from glasshouse.storage import tlog
from glasshouse.storage.models import TRIAGE_STATES, Event, Finding, TriageDecision
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
    rows = [
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
    ]
    event_ids = session.scalars(
        insert(Event).returning(Event.id, sort_by_parameter_order=True), rows
    ).all()
    tlog.queue_events(session, "triage", rows, event_ids)  # logged in this transaction
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


SYSTEM = "system"  # the actor of what the server does by itself (a user may not take it)
CARRIED_STATES = ("false_positive", "accepted_risk")  # decisions that follow a fingerprint
_PROJECT_LOCK = 7_151_214  # pg_advisory_xact_lock(key, project id): decisions vs ingest


def lock_project(session: Session, project_id: int, *, exclusive: bool) -> None:
    """Serialize decisions about a project's findings with the runs being stored into it.

    Ingest takes the lock shared (runs of one project still go in side by side); a
    triage decision, and the sweep that expires or carries decisions, take it exclusive,
    so a finding inserted by a run that has not committed yet cannot miss a decision
    made meanwhile. SQLite needs none: its writers take turns anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        session.execute(
            text(f"SELECT {function}(:key, :project)"),
            {"key": _PROJECT_LOCK, "project": project_id},
        )


def triage(
    session: Session,
    finding: Finding,
    state: str,
    *,
    actor: str,
    reason: str,
    at: datetime,
    expires: date | None = None,
) -> int:
    """A person's triage decision about one finding; returns how many other findings of
    the same fingerprint in the project (other branches) it was carried to.

    False positive and accepted risk become the decision about the fingerprint in the
    project: carried now to its findings on every branch that are not fixed, and later
    to each new or returning one. Open and confirmed withdraw that decision and are
    carried to the findings it had set.
    """
    if state not in MANUAL_STATES:
        raise TriageError(f"state must be one of {', '.join(MANUAL_STATES)}, not {state!r}")
    if not reason.strip():
        raise TriageError("a reason is required")
    if actor == SYSTEM:
        raise TriageError(f"{SYSTEM!r} is the server's own actor")
    if state == "accepted_risk":
        if expires is None:
            raise TriageError("an accepted risk needs an expiry date")
        if expires <= at.date():
            raise TriageError("the expiry date must be in the future")
    elif expires is not None:
        raise TriageError("only an accepted risk takes an expiry date")
    lock_project(session, finding.project_id, exclusive=True)
    session.refresh(finding)  # its state now, under the lock
    if finding.state == "fixed" and state != "open":
        raise TriageError("a fixed finding can only be reopened")
    reason = reason.strip()
    posture = PostureDelta()
    append_events(
        session,
        [Change(finding.id, state, reason, expires)],
        actor=actor,
        at=at,
        project_id=finding.project_id,
        posture=posture,
    )
    event_id = session.scalar(select(func.max(Event.id)).where(Event.finding_id == finding.id))
    siblings = session.execute(
        select(Finding.id, Finding.state, Finding.state_expires).where(
            Finding.project_id == finding.project_id,
            Finding.fingerprint == finding.fingerprint,
            Finding.id != finding.id,
            Finding.state != "fixed",
        )
    ).all()
    key = {"project_id": finding.project_id, "fingerprint": finding.fingerprint}
    session.execute(
        delete(TriageDecision).where(
            TriageDecision.project_id == finding.project_id,
            TriageDecision.fingerprint == finding.fingerprint,
        )
    )
    if state in CARRIED_STATES:
        session.execute(
            insert(TriageDecision),
            [
                {
                    **key,
                    "state": state,
                    "expires": expires,
                    "event_id": event_id,
                    "actor": actor,
                    "reason": reason,
                    "decided_at": at,
                }
            ],
        )
        targets = [fid for fid, s, e in siblings if (s, e) != (state, expires)]
    else:
        targets = [fid for fid, s, _e in siblings if s in CARRIED_STATES]
    why = f"{_label(state, expires)} decided by {actor} on {finding.branch}: {reason}"
    append_events(
        session,
        [Change(fid, state, why, expires) for fid in targets],
        actor=SYSTEM,
        at=at,
        project_id=finding.project_id,
        posture=posture,
    )
    posture.apply(session)
    session.refresh(finding)
    return len(targets)


def _label(state: str, expires: date | None) -> str:
    label = state.replace("_", " ")
    return f"{label} until {expires.isoformat()}" if expires else label


def decisions_for(
    session: Session, project_id: int, fingerprints: Sequence[str], *, today: date
) -> dict[str, TriageDecision]:
    """The decisions in force for these fingerprints of a project (an expired accepted
    risk is not)."""
    out: dict[str, TriageDecision] = {}
    for start in range(0, len(fingerprints), _CHUNK):
        for decision in session.scalars(
            select(TriageDecision).where(
                TriageDecision.project_id == project_id,
                TriageDecision.fingerprint.in_(fingerprints[start : start + _CHUNK]),
            )
        ):
            if decision.expires is None or decision.expires >= today:
                out[decision.fingerprint] = decision
    return out


def carried(decision: TriageDecision, finding_id: int) -> Change:
    """The change a decision makes to one more finding of its fingerprint."""
    return _carried(
        finding_id,
        decision.state,
        decision.expires,
        decision.actor,
        decision.decided_at,
        decision.reason,
    )


def _carried(
    finding_id: int,
    state: str,
    expires: date | None,
    actor: str,
    decided_at: datetime,
    reason: str,
) -> Change:
    return Change(
        finding_id,
        state,
        f"{_label(state, expires)} decided by {actor} on {decided_at.date().isoformat()}: {reason}",
        expires,
    )


def _unapplied(
    session: Session, today: date, projects: Sequence[int] | None = None
) -> list[tuple[int, Change]]:
    """(project id, change) for each finding not fixed that lacks its decision in force."""
    query = (
        select(
            TriageDecision.project_id,
            Finding.id,
            TriageDecision.state,
            TriageDecision.expires,
            TriageDecision.actor,
            TriageDecision.decided_at,
            TriageDecision.reason,
        )
        .join(
            Finding,
            (Finding.project_id == TriageDecision.project_id)
            & (Finding.fingerprint == TriageDecision.fingerprint),
        )
        .where(
            Finding.state != "fixed",
            or_(
                Finding.state != TriageDecision.state,
                Finding.state_expires.is_distinct_from(TriageDecision.expires),
            ),
            or_(TriageDecision.expires.is_(None), TriageDecision.expires >= today),
        )
        .order_by(Finding.id)
    )
    if projects is not None:
        query = query.where(TriageDecision.project_id.in_(list(projects)))
    return [(row[0], _carried(*row[1:])) for row in session.execute(query)]


def carry_decisions(session: Session, *, today: date, at: datetime) -> int:
    """Apply every decision in force to the findings of its fingerprint that lack it
    (such as findings stored before decisions were carried); returns how many changed."""
    projects = sorted({project_id for project_id, _ in _unapplied(session, today)})
    if not projects:
        return 0
    for project_id in projects:
        lock_project(session, project_id, exclusive=True)
    by_project: dict[int, list[Change]] = {}
    for project_id, change in _unapplied(session, today, projects):  # again, under the locks
        by_project.setdefault(project_id, []).append(change)
    posture = PostureDelta()
    for project_id, changes in sorted(by_project.items()):
        append_events(session, changes, actor=SYSTEM, at=at, project_id=project_id, posture=posture)
    posture.apply(session)
    return sum(len(c) for c in by_project.values())


def expire_accepted_risks(session: Session, *, today: date, at: datetime) -> int:
    """Reopen every accepted risk whose expiry date has passed; returns how many."""
    expired = (Finding.state == "accepted_risk", Finding.state_expires < today)
    projects = sorted(set(session.scalars(select(Finding.project_id).where(*expired).distinct())))
    for project_id in projects:
        lock_project(session, project_id, exclusive=True)
    rows = session.execute(
        select(Finding.id, Finding.project_id, Finding.state_expires).where(
            *expired, Finding.project_id.in_(projects)
        )
    ).all()
    by_project: dict[int, list[Change]] = {}
    for finding_id, project_id, expires in rows:
        by_project.setdefault(project_id, []).append(
            Change(finding_id, "open", f"accepted risk expired on {expires}")
        )
    posture = PostureDelta()
    for project_id, changes in sorted(by_project.items()):
        append_events(session, changes, actor=SYSTEM, at=at, project_id=project_id, posture=posture)
    posture.apply(session)
    return len(rows)


def history(session: Session, finding_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.finding_id == finding_id).order_by(Event.id))
    )


def state_drift(session: Session, finding_ids: Iterable[int] | None = None) -> list[int]:
    """Findings whose state or expiry differs from their latest event's (the fold of
    their events): should always be empty."""
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
        .where(
            (Event.state.is_(None))
            | (Event.state != Finding.state)
            | Event.expires.is_distinct_from(Finding.state_expires)
        )
    )
    if finding_ids is not None:
        query = query.where(Finding.id.in_(list(finding_ids)))
    return list(session.scalars(query))


def _by_a_person() -> Any:
    return (
        (Event.action == "triage")
        & Event.run_id.is_(None)
        & (Event.actor != SYSTEM)
        & Event.state.is_not(None)
    )


def expected_decisions(session: Session) -> dict[tuple[int, str], tuple[str, date | None, int]]:
    """The decisions as the events say: per (project, fingerprint), the latest triage
    event a person appended to any of its findings, if it says false positive or
    accepted risk: (state, expires, event id)."""
    rows = session.execute(
        select(Finding.project_id, Finding.fingerprint, Event.id, Event.state, Event.expires)
        .join(Finding, Finding.id == Event.finding_id)
        .where(_by_a_person())
        .order_by(Event.id)
    )
    latest: dict[tuple[int, str], tuple[str, date | None, int]] = {}
    for project_id, fp, event_id, state, expires in rows:
        latest[(project_id, fp)] = (state or "", expires, event_id)
    return {k: v for k, v in latest.items() if v[0] in CARRIED_STATES}


def decision_drift(session: Session) -> list[tuple[int, str]]:
    """(project, fingerprint) whose stored decision is not the fold of the events."""
    kept = {
        (d.project_id, d.fingerprint): (d.state, d.expires, d.event_id)
        for d in session.scalars(select(TriageDecision))
    }
    expected = expected_decisions(session)
    return sorted(k for k in kept.keys() | expected.keys() if kept.get(k) != expected.get(k))
