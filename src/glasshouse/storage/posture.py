"""The posture summary: open findings counted by project, severity and first-seen day.

The overview reads these counts instead of counting a million findings on every request.
They change only with the finding rows they count, in the same transaction: ingest (new
findings, a severity that changed, fixed and reopened findings) and triage (a person's
decision, a decision carried to another branch, an accepted risk that expired) both pass
their changes through :class:`PostureDelta`, and :func:`posture_drift` recomputes the
counts from the findings to prove it (the tests run it after mixed sequences).

Counts are kept by first-seen *day*, not by age: an age bucket ("7-30 days") moves with
the clock without any write, so it is summed at read time from the days it covers.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from glasshouse.storage.models import Finding, PostureCount

OPEN_STATES = ("open", "confirmed")
# (lowest age in days, highest age excluded or None, label); a finding first seen today
# is 0 days old, and one with a first-seen time ahead of the clock counts as new
AGE_BUCKETS = (
    (0, 7, "< 7 days"),
    (7, 30, "7-30 days"),
    (30, 90, "30-90 days"),
    (90, None, "> 90 days"),
)

Key = tuple[int, int, date]  # project id, severity rank, first-seen day


def is_open(state: str) -> bool:
    return state in OPEN_STATES


def day_of(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


class PostureDelta:
    """Changes to the open counts, gathered through one transaction and written once.

    Writing once, with the keys in a fixed order, keeps two transactions that touch the
    same counts (two branches of one project) from deadlocking on PostgreSQL.
    """

    def __init__(self) -> None:
        self.changes: dict[Key, int] = {}

    def add(self, project_id: int, severity: int, first_seen: datetime | date, n: int) -> None:
        key = (project_id, severity, day_of(first_seen))
        self.changes[key] = self.changes.get(key, 0) + n

    def transition(
        self, project_id: int, severity: int, first_seen: datetime | date, old: str, new: str
    ) -> None:
        """A finding's state went from ``old`` to ``new``."""
        if is_open(old) != is_open(new):
            self.add(project_id, severity, first_seen, 1 if is_open(new) else -1)

    def apply(self, session: Session) -> None:
        rows = [
            {"project_id": p, "severity": s, "first_seen_day": d, "open_findings": n}
            for (p, s, d), n in sorted(self.changes.items())
            if n
        ]
        self.changes.clear()
        if not rows:
            return
        dialect = session.get_bind().dialect.name
        stmt: Any = (
            postgresql.insert(PostureCount)
            if dialect == "postgresql"
            else sqlite.insert(PostureCount)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["project_id", "severity", "first_seen_day"],
            set_={"open_findings": PostureCount.open_findings + stmt.excluded.open_findings},
        )
        for start in range(0, len(rows), 500):
            session.execute(stmt.values(rows[start : start + 500]))


def _visible(query: Any, projects: Collection[int] | None) -> Any:
    return query if projects is None else query.where(PostureCount.project_id.in_(list(projects)))


def open_by_project(session: Session, visible: Collection[int] | None) -> dict[int, dict[int, int]]:
    """{project id: {severity rank: open findings}}."""
    query = _visible(
        select(
            PostureCount.project_id, PostureCount.severity, func.sum(PostureCount.open_findings)
        ).group_by(PostureCount.project_id, PostureCount.severity),
        visible,
    )
    out: dict[int, dict[int, int]] = {}
    for project_id, severity, count in session.execute(query):
        if count:
            out.setdefault(project_id, {})[severity] = int(count)
    return out


def open_by_age(
    session: Session, visible: Collection[int] | None, *, today: date
) -> list[tuple[str, int]]:
    """Open findings in each age bucket, as of ``today``."""
    whens = [
        (PostureCount.first_seen_day > today - timedelta(days=high), index)
        for index, (_low, high, _label) in enumerate(AGE_BUCKETS)
        if high is not None
    ]
    bucket = case(*whens, else_=len(AGE_BUCKETS) - 1)
    query = _visible(select(bucket, func.sum(PostureCount.open_findings)).group_by(bucket), visible)
    counts = {int(index): int(count or 0) for index, count in session.execute(query)}
    return [(label, counts.get(i, 0)) for i, (_low, _high, label) in enumerate(AGE_BUCKETS)]


def stored(session: Session) -> dict[Key, int]:
    rows = session.execute(
        select(
            PostureCount.project_id,
            PostureCount.severity,
            PostureCount.first_seen_day,
            PostureCount.open_findings,
        )
    )
    return {(p, s, d): n for p, s, d, n in rows if n}


def recompute(session: Session) -> dict[Key, int]:
    """The counts as they should be, counted from the findings themselves."""
    day = cast(Finding.first_seen_at, Date) if _pg(session) else func.date(Finding.first_seen_at)
    rows = session.execute(
        select(Finding.project_id, Finding.severity, day, func.count())
        .where(Finding.state.in_(OPEN_STATES))
        .group_by(Finding.project_id, Finding.severity, day)
    )
    return {(p, s, d if isinstance(d, date) else date.fromisoformat(d)): n for p, s, d, n in rows}


def posture_drift(session: Session) -> list[tuple[Key, int, int]]:
    """(key, stored, counted) for every count that differs (should always be empty)."""
    kept, counted = stored(session), recompute(session)
    return [
        (key, kept.get(key, 0), counted.get(key, 0))
        for key in sorted(kept.keys() | counted.keys())
        if kept.get(key, 0) != counted.get(key, 0)
    ]


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
