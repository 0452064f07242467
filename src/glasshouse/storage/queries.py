"""What the pages and the API read: posture, runs, findings, waivers, events.

Every query takes the set of project ids the reader may see (``None``: all of them), so
a developer's page can only ever count their own projects.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from glasshouse.model import Severity
from glasshouse.storage import posture, search
from glasshouse.storage.db import is_postgresql
from glasshouse.storage.models import Event, Finding, Project, Run, WaiverRequest
from glasshouse.storage.posture import OPEN_STATES as OPEN_STATES

SEVERITY_LABELS = {int(s): s.label for s in Severity}
PAGE_SIZE = 50

AnySelect = Select[*tuple[Any, ...]]
Q = TypeVar("Q", bound=AnySelect)


def _visible(query: Q, column: Any, projects: Collection[int] | None) -> Q:
    return query if projects is None else query.where(column.in_(list(projects)))


def projects(session: Session, visible: Collection[int] | None) -> list[Project]:
    return list(
        session.scalars(_visible(select(Project), Project.id, visible).order_by(Project.slug))
    )


@dataclass
class ProjectPosture:
    project: Project
    last_run: Run | None
    open_by_severity: dict[str, int] = field(default_factory=dict)


@dataclass
class Overview:
    projects: list[ProjectPosture]
    open_by_severity: dict[str, int]
    age_buckets: list[tuple[str, int]]
    runs_today: int
    failed_today: list[tuple[Run, str]]
    pass_rate_30d: float | None
    daily: list[tuple[date, int, int, int, int]]  # day, runs, failed, new, fixed
    waiting_waivers: list[tuple[WaiverRequest, str]]
    expiring_waivers: list[tuple[WaiverRequest, str]]


def _labelled(counts: dict[int, int]) -> dict[str, int]:
    return {SEVERITY_LABELS[s]: counts.get(s, 0) for s in sorted(SEVERITY_LABELS, reverse=True)}


def open_by_severity(session: Session, visible: Collection[int] | None) -> dict[str, int]:
    """Open findings by severity, from the posture counts (never the findings table)."""
    totals: dict[int, int] = {}
    for counts in posture.open_by_project(session, visible).values():
        for severity, count in counts.items():
            totals[severity] = totals.get(severity, 0) + count
    return _labelled(totals)


def overview(session: Session, visible: Collection[int] | None, *, now: datetime) -> Overview:
    listed = projects(session, visible)
    slugs = {p.id: p.slug for p in listed}
    today = datetime(now.year, now.month, now.day)
    # open findings per project and severity, and by age: from the posture counts
    per_project = {
        project_id: {SEVERITY_LABELS[s]: n for s, n in counts.items()}
        for project_id, counts in posture.open_by_project(session, visible).items()
    }
    totals = {SEVERITY_LABELS[s]: 0 for s in sorted(SEVERITY_LABELS, reverse=True)}
    for counts in per_project.values():
        for label, count in counts.items():
            totals[label] += count
    # the newest run of each project
    # the newest run of each project: one lookup per project in (project_id, id)
    newest = select(func.max(Run.id)).where(Run.project_id == Project.id).scalar_subquery()
    last_ids = [
        run_id
        for (run_id,) in session.execute(
            _visible(select(newest), Project.id, visible).select_from(Project)
        )
        if run_id is not None
    ]
    last_runs = {r.project_id: r for r in session.scalars(select(Run).where(Run.id.in_(last_ids)))}
    postures = [ProjectPosture(p, last_runs.get(p.id), per_project.get(p.id, {})) for p in listed]
    ages = posture.open_by_age(session, visible, today=now.date())
    # runs per day over 30 days, from the runs table (small: one row per run)
    start = today - timedelta(days=29)
    day = func.date(Run.received_at)
    per_day = _visible(
        select(
            day,
            func.count(),
            func.sum(case((Run.verdict != "pass", 1), else_=0)),
            func.sum(Run.new_findings),
            func.sum(Run.fixed_findings),
        ).where(Run.received_at >= start),
        Run.project_id,
        visible,
    ).group_by(day)
    by_day = {
        str(d): (int(n), int(f or 0), int(a or 0), int(x or 0))
        for d, n, f, a, x in session.execute(per_day)
    }
    daily = []
    for offset in range(30):
        d = (start + timedelta(days=offset)).date()
        n, f, a, x = by_day.get(d.isoformat(), (0, 0, 0, 0))
        daily.append((d, n, f, a, x))
    runs_30 = sum(d[1] for d in daily)
    failed_30 = sum(d[2] for d in daily)
    failed = session.scalars(
        _visible(
            select(Run).where(Run.received_at >= today, Run.verdict != "pass"),
            Run.project_id,
            visible,
        )
        .order_by(Run.id.desc())
        .limit(50)
    )
    runs_today = (
        session.scalar(
            _visible(select(func.count()).where(Run.received_at >= today), Run.project_id, visible)
        )
        or 0
    )
    waiting = session.scalars(
        _visible(
            select(WaiverRequest).where(WaiverRequest.status == "requested"),
            WaiverRequest.project_id,
            visible,
        ).order_by(WaiverRequest.requested_at)
    )
    soon = session.scalars(
        _visible(
            select(WaiverRequest).where(
                WaiverRequest.status == "approved",
                WaiverRequest.expires >= now.date(),
                WaiverRequest.expires <= now.date() + timedelta(days=7),
            ),
            WaiverRequest.project_id,
            visible,
        ).order_by(WaiverRequest.expires)
    )
    return Overview(
        projects=postures,
        open_by_severity=totals,
        age_buckets=ages,
        runs_today=runs_today,
        failed_today=[(r, slugs.get(r.project_id, "?")) for r in failed],
        pass_rate_30d=None if runs_30 == 0 else (runs_30 - failed_30) / runs_30,
        daily=daily,
        waiting_waivers=[(w, slugs.get(w.project_id, "?")) for w in waiting],
        expiring_waivers=[(w, slugs.get(w.project_id, "?")) for w in soon],
    )


def project_by_slug(session: Session, slug: str) -> Project | None:
    return session.scalar(select(Project).where(Project.slug == slug))


def runs_of(
    session: Session, project_id: int, *, limit: int = 50, before: int | None = None
) -> list[Run]:
    query = select(Run).where(Run.project_id == project_id)
    if before is not None:
        query = query.where(Run.id < before)
    return list(session.scalars(query.order_by(Run.id.desc()).limit(limit)))


@dataclass(frozen=True)
class FindingFilter:
    projects: Sequence[int] | None = None  # within what the reader may see
    branch: str | None = None
    states: Sequence[str] = OPEN_STATES
    min_severity: int = 0
    kind: str | None = None
    rule: str | None = None
    text: str | None = None
    before: int | None = None  # keyset pagination: ids below this one
    limit: int = PAGE_SIZE


_MAX_WALKS = 40


def search_findings(
    session: Session, visible: Collection[int] | None, flt: FindingFilter
) -> list[tuple[Finding, str]]:
    """A page of findings, newest first (keyset paging on the id).

    SQLite plans without statistics, so the search is spelt so it cannot go wrong there:
    a text of three characters or more walks the FTS5 trigram index newest first; a rule
    uses its index; anything else walks (state, id), or (project, state, id), newest first
    once per state (and project), each walk stopping at a page, and the walks are merged.
    PostgreSQL's planner, which has statistics, gets one query (and the trigram index).
    """
    text = search.clean(flt.text or "")
    indexed_text = bool(text) and search.usable(text) and search.has_index(session)
    pg = is_postgresql(session)
    allowed: set[int] | None = None if visible is None else set(visible)
    if flt.projects is not None:
        allowed = set(flt.projects) if allowed is None else allowed & set(flt.projects)

    def page(query: AnySelect, order: Any = None) -> list[Finding]:
        if flt.branch:
            query = query.where(Finding.branch == flt.branch)
        if flt.min_severity > 0:
            query = query.where(Finding.severity >= flt.min_severity)
        if flt.kind:
            query = query.where(Finding.kind == flt.kind)
        if flt.before is not None:
            query = query.where(Finding.id < flt.before)
        order = Finding.id.desc() if order is None else order
        return list(session.scalars(query.order_by(order).limit(flt.limit)))

    def everywhere(query: AnySelect) -> AnySelect:
        if allowed is not None:
            query = query.where(Finding.project_id.in_(sorted(allowed)))
        if flt.states:
            query = query.where(Finding.state.in_(list(flt.states)))
        return query

    rows: list[Finding]
    if indexed_text and not pg:
        # the FTS5 index read newest first, each match looked up by its id
        fts = (
            select(Finding).select_from(search.FTS).join(Finding, Finding.id == search.FTS.c.rowid)
        )
        rows = page(everywhere(fts.where(search.fts_match(text))), search.FTS.c.rowid.desc())
    elif pg or flt.rule or not flt.states:
        query = select(Finding)
        if text:
            query = query.where(
                search.pg_condition(text) if indexed_text else search.plain_condition(text)
            )
        if flt.rule:
            query = query.where(Finding.rule_id == flt.rule)
        rows = page(everywhere(query))
    else:
        keys: list[tuple[int | None, str]] = (
            [(None, state) for state in flt.states]
            if allowed is None
            else [(p, state) for p in sorted(allowed) for state in flt.states]
        )
        if len(keys) > _MAX_WALKS:
            query = select(Finding)
            if text:
                query = query.where(search.plain_condition(text))
            rows = page(everywhere(query))
        else:
            rows = []
            for project_id, state in keys:
                query = select(Finding).where(Finding.state == state)
                if project_id is not None:
                    query = query.where(Finding.project_id == project_id)
                if text:
                    query = query.where(search.plain_condition(text))
                rows.extend(page(query))
            rows = sorted(rows, key=lambda f: f.id, reverse=True)[: flt.limit]
    slugs = {p.id: p.slug for p in projects(session, {f.project_id for f in rows})}
    return [(f, slugs[f.project_id]) for f in rows]


def run_findings(
    session: Session, run_id: int, *, limit: int = 500
) -> list[tuple[Finding, str | None, int | None]]:
    from glasshouse.storage.models import RunFinding

    query = (
        select(Finding, RunFinding.disposition, RunFinding.line)
        .join(RunFinding, RunFinding.finding_id == Finding.id)
        .where(RunFinding.run_id == run_id)
        .order_by(Finding.severity.desc(), Finding.rule_id, Finding.path)
        .limit(limit)
    )
    return [(f, d, line) for f, d, line in session.execute(query)]


def waivers(
    session: Session,
    visible: Collection[int] | None,
    *,
    status: str | None = None,
    limit: int = 200,
) -> list[tuple[WaiverRequest, str]]:
    query: AnySelect = select(WaiverRequest, Project.slug).join(
        Project, Project.id == WaiverRequest.project_id
    )
    query = _visible(query, WaiverRequest.project_id, visible)
    if status:
        query = query.where(WaiverRequest.status == status)
    order = case((WaiverRequest.status == "requested", 0), else_=1)
    query = query.order_by(order, WaiverRequest.id.desc()).limit(limit)
    return [(w, slug) for w, slug in session.execute(query)]


def events(
    session: Session,
    visible: Collection[int] | None,
    *,
    before: int | None = None,
    limit: int = 100,
    project_id: int | None = None,
    include_findings: bool = False,
) -> list[Event]:
    query = select(Event)
    if visible is not None:
        # org-wide events (accounts, policy) are for those who see every project
        query = query.where(Event.project_id.in_(list(visible)))
    if project_id is not None:
        query = query.where(Event.project_id == project_id)
    if not include_findings:
        # per-finding "first seen" events are many; the log shows decisions and runs
        query = query.where(
            or_(
                Event.finding_id.is_(None),
                and_(Event.action == "triage", ~Event.actor.like("run %")),
            )
        )
    if before is not None:
        query = query.where(Event.id < before)
    return list(session.scalars(query.order_by(Event.id.desc()).limit(limit)))
