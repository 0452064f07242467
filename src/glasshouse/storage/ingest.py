"""Ingest one gate run: the report the CLI wrote, plus where it ran.

In one transaction: the run, its findings tracked by fingerprint within the scope
(project, branch) with first and last seen, an "open" event for each new finding, a
reopening event for a fixed one seen again, and a "fixed" event for each open finding
of a covered kind that this run no longer has. A run only closes findings of the finding
kinds it covered (the scanners that ran and did not report a blocking problem), and
only when it is the newest run of that scope (project, branch, kind): an older run that
arrives late is stored, closes nothing, and the findings only it reports that the newer
run did not are recorded as already fixed by that newer run.

A person's false-positive or accepted-risk decision about a fingerprint in the project
(see :mod:`glasshouse.storage.triage`) is applied, as an event of the system actor, to a
finding that arrives on another branch or comes back after it was fixed. The posture
counts move with every change, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from glasshouse.model import Severity
from glasshouse.storage import tlog
from glasshouse.storage.models import Event, Finding, Project, Run, RunFinding, ScopeHead
from glasshouse.storage.notify import notify
from glasshouse.storage.posture import PostureDelta, is_open
from glasshouse.storage.triage import (
    SYSTEM,
    Change,
    append_events,
    carried,
    decisions_for,
    lock_project,
)

# Which finding kind each scanner produces (scanner names as the CLI's problems use them).
SCANNER_KINDS = {
    "dependencies": "vulnerability",
    "secrets": "secret",
    "iac": "misconfiguration",
    "sarif": "code",
}
DEFAULT_SCANNERS = ("dependencies", "secrets", "iac")
_SEVERITY = {s.label: int(s) for s in Severity}
_CHUNK = 500


class IngestError(Exception):
    """A run that cannot be stored; ``status`` is the HTTP status that says why."""

    status = 422


class DuplicateRun(IngestError):
    status = 409

    def __init__(self, message: str, run_id: int, identical: bool) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.identical = identical


@dataclass(frozen=True, slots=True)
class RunMeta:
    run_key: str
    branch: str
    commit: str | None = None
    repository: str | None = None
    pipeline_url: str | None = None
    ci_system: str | None = None
    scanners: tuple[str, ...] | None = None  # None: the CLI's default scanners


@dataclass(frozen=True, slots=True)
class IngestResult:
    run_id: int
    findings: int
    new: int
    fixed: int
    reopened: int
    closing_kinds: tuple[str, ...]


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def covered_kinds(
    report: dict[str, Any], scanners: Sequence[str] | None
) -> tuple[set[str], set[str]]:
    """(kinds the run looked for, kinds it may close): a scanner that reported a blocking
    problem may have missed findings, so its kind is covered but closes nothing."""
    ran = set(scanners if scanners is not None else DEFAULT_SCANNERS)
    unknown = ran - SCANNER_KINDS.keys()
    if unknown:
        raise IngestError(f"unknown scanner(s): {', '.join(sorted(unknown))}")
    kinds = {SCANNER_KINDS[s] for s in ran}
    kinds |= {f["kind"] for f in report["findings"]}
    incomplete = {
        SCANNER_KINDS[p["scanner"]]
        for p in report["problems"]
        if p.get("blocking") and p.get("scanner") in SCANNER_KINDS
    }
    if any(p.get("blocking") and p.get("scanner") == "walk" for p in report["problems"]):
        incomplete = set(kinds)  # an unreadable directory hides findings of every kind
    return kinds, kinds - incomplete


def _package(finding: dict[str, Any]) -> str | None:
    vuln = finding.get("vulnerability")
    if not vuln:
        return None
    package = vuln["package"]
    version = package.get("version")
    return f"{package['name']}@{version}" if version else str(package["name"])


def _details(finding: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in finding.items() if k != "gate"}


def _lock_scopes(
    session: Session, project_id: int, branch: str, kinds: Iterable[str]
) -> dict[str, ScopeHead]:
    """Create the scope rows if needed and lock them (in a fixed order: no deadlock)."""
    ordered = sorted(kinds)
    rows = [{"project_id": project_id, "branch": branch, "kind": k} for k in ordered]
    dialect = session.get_bind().dialect.name
    stmt = postgresql.insert(ScopeHead) if dialect == "postgresql" else sqlite.insert(ScopeHead)
    session.execute(stmt.values(rows).on_conflict_do_nothing())
    query = (
        select(ScopeHead)
        .where(
            ScopeHead.project_id == project_id,
            ScopeHead.branch == branch,
            ScopeHead.kind.in_(ordered),
        )
        .order_by(ScopeHead.kind)
    )
    if dialect == "postgresql":
        query = query.with_for_update()
    return {head.kind: head for head in session.scalars(query)}


def ingest(
    session: Session,
    project: Project,
    report: dict[str, Any],
    meta: RunMeta,
    *,
    digest: str,
    token_id: str | None,
    now: datetime,
) -> IngestResult:
    """Store one run; raises DuplicateRun when its run key is already stored."""
    kinds, closing = covered_kinds(report, meta.scanners)
    lock_project(session, project.id, exclusive=False)
    heads = _lock_scopes(session, project.id, meta.branch, kinds)
    existing = session.execute(
        select(Run.id, Run.report_sha256).where(
            Run.project_id == project.id, Run.run_key == meta.run_key
        )
    ).first()
    if existing is not None:
        same = existing[1] == digest
        raise DuplicateRun(
            f"run {meta.run_key!r} is already stored"
            + ("" if same else " with a different report; use a new run id"),
            existing[0],
            same,
        )
    started = parse_time(report["started_at"])
    decision = report["decision"]
    by_severity = report["summary"]["by_severity"]
    # one tracked finding per fingerprint: the first occurrence stands for the rest
    unique: dict[str, dict[str, Any]] = {}
    for finding in report["findings"]:
        unique.setdefault(finding["fingerprint"], finding)
    run = Run(
        project_id=project.id,
        run_key=meta.run_key,
        branch=meta.branch,
        commit=meta.commit,
        repository=meta.repository,
        pipeline_url=meta.pipeline_url,
        ci_system=meta.ci_system,
        kinds=",".join(sorted(kinds)),
        verdict=decision["verdict"],
        exit_code=decision["exit_code"],
        reasons=decision["reasons"],
        mode=decision["mode"],
        override=decision["override"],
        waivers=report["waivers"],
        problems=report["problems"],
        target=report["target"][:1000],
        tool_version=report["tool"]["version"][:50],
        started_at=started,
        received_at=now,
        findings_count=len(report["findings"]),
        critical=by_severity.get("critical", 0),
        high=by_severity.get("high", 0),
        medium=by_severity.get("medium", 0),
        low=by_severity.get("low", 0),
        unknown=by_severity.get("unknown", 0),
        new_findings=0,
        fixed_findings=0,
        report_sha256=digest,
        token_id=token_id,
    )
    session.add(run)
    session.flush()
    newest = {
        kind: head.started_at is None or started >= head.started_at for kind, head in heads.items()
    }

    posture = PostureDelta()
    known: dict[str, tuple[int, str, datetime, int, datetime]] = {}
    prints = list(unique)
    pg = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(prints), _CHUNK):
        query = (
            select(
                Finding.id,
                Finding.fingerprint,
                Finding.state,
                Finding.last_seen_at,
                Finding.severity,
                Finding.first_seen_at,
            )
            .where(
                Finding.project_id == project.id,
                Finding.branch == meta.branch,
                Finding.fingerprint.in_(prints[start : start + _CHUNK]),
            )
            .order_by(Finding.id)
        )
        if pg:  # their state and severity decide the open counts: nobody may change them now
            query = query.with_for_update()
        for fid, fp, state, last_seen, severity, first_seen in session.execute(query):
            known[fp] = (fid, state, last_seen, severity, first_seen)

    fresh = [f for fp, f in unique.items() if fp not in known]
    ids: dict[str, int] = {fp: v[0] for fp, v in known.items()}
    if fresh:
        rows = [
            {
                "project_id": project.id,
                "branch": meta.branch,
                "fingerprint": f["fingerprint"],
                "kind": f["kind"],
                "rule_id": f["rule_id"][:200],
                "title": f["title"],
                "severity": _SEVERITY[f["severity"]],
                "path": f["location"]["path"][:1000],
                "line": f["location"]["line"],
                "package": (_package(f) or "")[:300] or None,
                "fix": f["fix"]["summary"] if f["fix"] else None,
                "details": _details(f),
                "state": "open",
                "state_expires": None,
                "first_seen_at": started,
                "first_run_id": run.id,
                "last_seen_at": started,
                "last_run_id": run.id,
            }
            for f in fresh
        ]
        for fid, fp in _insert_findings(session, rows, pg=pg):
            ids[fp] = fid
        for f in fresh:
            posture.add(project.id, _SEVERITY[f["severity"]], started, 1)
        opened = [
            {
                "at": now,
                "actor": f"run {run.id}",
                "action": "triage",
                "project_id": project.id,
                "finding_id": ids[f["fingerprint"]],
                "run_id": run.id,
                "state": "open",
                "expires": None,
                "reason": "first seen",
                "waiver_id": None,
            }
            for f in fresh
        ]
        event_ids = _insert_opened(session, opened, pg=pg)
        tlog.queue_events(session, "triage", opened, event_ids)

    reopened: list[Change] = []
    returning: list[str] = []  # fingerprints of the reopened findings
    seen_again: list[dict[str, Any]] = []
    for fp, (fid, state, last_seen, severity, first_seen) in known.items():
        finding = unique[fp]
        if started >= last_seen:
            now_severity = _SEVERITY[finding["severity"]]
            if now_severity != severity and is_open(state):
                posture.add(project.id, severity, first_seen, -1)
                posture.add(project.id, now_severity, first_seen, 1)
            seen_again.append(
                {
                    "id": fid,
                    "last_seen_at": started,
                    "last_run_id": run.id,
                    "severity": now_severity,
                    "title": finding["title"],
                    "line": finding["location"]["line"],
                    "fix": finding["fix"]["summary"] if finding["fix"] else None,
                }
            )
            if state == "fixed":
                reopened.append(Change(fid, "open", f"seen again in run {run.id}"))
                returning.append(fp)
    if seen_again:
        _update_seen(session, seen_again, pg=pg)
    append_events(
        session,
        reopened,
        actor=f"run {run.id}",
        at=now,
        project_id=project.id,
        run_id=run.id,
        posture=posture,
    )
    # a person's false-positive or accepted-risk decision about a fingerprint of this
    # project follows it to this branch and back from fixed (a late run's new findings
    # that are already fixed, below, keep theirs)
    stale_prints = {
        f["fingerprint"] for f in fresh if not newest[f["kind"]] and heads[f["kind"]].closes
    }
    arriving = [f["fingerprint"] for f in fresh if f["fingerprint"] not in stale_prints]
    decided = decisions_for(session, project.id, arriving + returning, today=now.date())
    append_events(
        session,
        [carried(decided[fp], ids[fp]) for fp in [*arriving, *returning] if fp in decided],
        actor=SYSTEM,
        at=now,
        project_id=project.id,
        run_id=run.id,
        posture=posture,
    )

    if unique:
        _insert_run_findings(
            session,
            [
                {
                    "run_id": run.id,
                    "finding_id": ids[fp],
                    "disposition": (f.get("gate") or {}).get("disposition"),
                    "line": f["location"]["line"],
                }
                for fp, f in unique.items()
            ],
            pg=pg,
        )

    closing_now = sorted(k for k in closing if newest.get(k))
    fixed_ids: list[int] = []
    if closing_now:
        seen = set(ids.values())
        for fid in session.scalars(
            select(Finding.id).where(
                Finding.project_id == project.id,
                Finding.branch == meta.branch,
                Finding.kind.in_(closing_now),
                Finding.state != "fixed",
            )
        ):
            if fid not in seen:
                fixed_ids.append(fid)
        append_events(
            session,
            [Change(fid, "fixed", f"not found by run {run.id}") for fid in fixed_ids],
            actor=f"run {run.id}",
            at=now,
            project_id=project.id,
            run_id=run.id,
            posture=posture,
        )
    # a late run's new findings that the newer run of their scope did not report are
    # already fixed, by that newer run
    stale = [
        Change(
            ids[f["fingerprint"]], "fixed", f"not found by the newer run {heads[f['kind']].run_id}"
        )
        for f in fresh
        if not newest[f["kind"]] and heads[f["kind"]].closes
    ]
    append_events(
        session,
        stale,
        actor=f"run {run.id}",
        at=now,
        project_id=project.id,
        run_id=run.id,
        posture=posture,
    )
    posture.apply(session)
    for kind, head in heads.items():
        if newest[kind]:
            head.run_id = run.id
            head.started_at = started
            head.closes = kind in closing

    run.new_findings = len(fresh)
    run.fixed_findings = len(fixed_ids)
    session.add(
        Event(
            at=now,
            actor=f"token {token_id}" if token_id else "unknown",
            action="run_uploaded",
            project_id=project.id,
            run_id=run.id,
            reason=f"{meta.branch}: gate {run.verdict}, {run.findings_count} finding(s), "
            f"{len(fresh)} new, {len(fixed_ids)} fixed",
        )
    )
    _notify_run(session, project, run, fresh, now)
    session.flush()
    return IngestResult(
        run.id, len(unique), len(fresh), len(fixed_ids), len(reopened), tuple(closing_now)
    )


# On PostgreSQL the two biggest writes of a run (a row per finding seen again, a row per
# finding of the run) are one statement each over arrays: one round trip, a short
# statement text psycopg converts once, instead of a pipelined statement per row.
_UPDATE_SEEN = text(
    "UPDATE findings SET last_seen_at = v.last_seen_at, last_run_id = v.last_run_id, "
    "severity = v.severity, title = v.title, line = v.line, fix = v.fix "
    "FROM unnest(CAST(:id AS bigint[]), CAST(:last_seen_at AS timestamp[]), "
    "CAST(:last_run_id AS bigint[]), CAST(:severity AS smallint[]), CAST(:title AS text[]), "
    "CAST(:line AS integer[]), CAST(:fix AS text[])) "
    "AS v(id, last_seen_at, last_run_id, severity, title, line, fix) "
    "WHERE findings.id = v.id"
)
_INSERT_RUN_FINDINGS = text(
    "INSERT INTO run_findings (run_id, finding_id, disposition, line) "
    "SELECT * FROM unnest(CAST(:run_id AS bigint[]), CAST(:finding_id AS bigint[]), "
    "CAST(:disposition AS text[]), CAST(:line AS integer[]))"
)


# ``ORDER BY ordinality``: the ids are drawn in the rows' order, as the ORM's ordered
# RETURNING does; each id is matched to its row by a key unique in the batch.
_INSERT_FINDINGS = text(
    "INSERT INTO findings (project_id, branch, fingerprint, kind, rule_id, title, severity, "
    "path, line, package, fix, details, state, state_expires, first_seen_at, first_run_id, "
    "last_seen_at, last_run_id) "
    "SELECT project_id, branch, fingerprint, kind, rule_id, title, severity, path, line, "
    "package, fix, details, state, state_expires, first_seen_at, first_run_id, last_seen_at, "
    "last_run_id FROM unnest(CAST(:project_id AS integer[]), CAST(:branch AS text[]), "
    "CAST(:fingerprint AS text[]), CAST(:kind AS text[]), CAST(:rule_id AS text[]), "
    "CAST(:title AS text[]), CAST(:severity AS smallint[]), CAST(:path AS text[]), "
    "CAST(:line AS integer[]), CAST(:package AS text[]), CAST(:fix AS text[]), "
    "CAST(:details AS json[]), CAST(:state AS text[]), CAST(:state_expires AS date[]), "
    "CAST(:first_seen_at AS timestamp[]), CAST(:first_run_id AS bigint[]), "
    "CAST(:last_seen_at AS timestamp[]), CAST(:last_run_id AS bigint[])) WITH ORDINALITY "
    "AS v(project_id, branch, fingerprint, kind, rule_id, title, severity, path, line, "
    "package, fix, details, state, state_expires, first_seen_at, first_run_id, last_seen_at, "
    "last_run_id, n) ORDER BY n RETURNING id, fingerprint"
)
_INSERT_OPENED = text(
    "INSERT INTO events (at, actor, action, project_id, finding_id, run_id, state, expires, "
    "reason, waiver_id) "
    "SELECT at, actor, action, project_id, finding_id, run_id, state, expires, reason, "
    "waiver_id FROM unnest(CAST(:at AS timestamp[]), CAST(:actor AS text[]), "
    "CAST(:action AS text[]), CAST(:project_id AS integer[]), CAST(:finding_id AS bigint[]), "
    "CAST(:run_id AS bigint[]), CAST(:state AS text[]), CAST(:expires AS date[]), "
    "CAST(:reason AS text[]), CAST(:waiver_id AS integer[])) WITH ORDINALITY "
    "AS v(at, actor, action, project_id, finding_id, run_id, state, expires, reason, "
    "waiver_id, n) ORDER BY n RETURNING id, finding_id"
)


def _insert_findings(
    session: Session, rows: Sequence[dict[str, Any]], *, pg: bool
) -> list[tuple[int, str]]:
    """Insert new findings; (id, fingerprint) of each (fingerprints are unique here)."""
    if not pg:
        result = session.execute(
            insert(Finding).returning(
                Finding.id, Finding.fingerprint, sort_by_parameter_order=True
            ),
            rows,
        )
        return [(int(fid), str(fp)) for fid, fp in result]
    columns = _columns(rows, list(rows[0]))
    columns["details"] = [json.dumps(d) for d in columns["details"]]
    return [(int(fid), str(fp)) for fid, fp in session.execute(_INSERT_FINDINGS, columns)]


def _insert_opened(session: Session, rows: Sequence[dict[str, Any]], *, pg: bool) -> list[int]:
    """Insert "open" events, one per new finding; their ids in the rows' order."""
    if not pg:
        return list(
            session.scalars(
                insert(Event).returning(Event.id, sort_by_parameter_order=True), rows
            ).all()
        )
    result = session.execute(_INSERT_OPENED, _columns(rows, list(rows[0])))
    by_finding = {int(finding_id): int(event_id) for event_id, finding_id in result}
    if len(by_finding) != len(rows):
        raise IngestError("each new finding needs exactly one open event")
    ordered = [by_finding[row["finding_id"]] for row in rows]
    if ordered != sorted(ordered):
        raise IngestError("open events were numbered out of order")
    return ordered


def _columns(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in rows] for name in names}


def _update_seen(session: Session, rows: Sequence[dict[str, Any]], *, pg: bool) -> None:
    if not pg:
        session.execute(update(Finding), rows)
        return
    names = ("id", "last_seen_at", "last_run_id", "severity", "title", "line", "fix")
    session.execute(_UPDATE_SEEN, _columns(rows, names))


def _insert_run_findings(session: Session, rows: Sequence[dict[str, Any]], *, pg: bool) -> None:
    if not pg:
        session.execute(insert(RunFinding), rows)
        return
    names = ("run_id", "finding_id", "disposition", "line")
    session.execute(_INSERT_RUN_FINDINGS, _columns(rows, names))


def _notify_run(
    session: Session, project: Project, run: Run, fresh: Sequence[dict[str, Any]], now: datetime
) -> None:
    where = f"{project.slug} ({run.branch})"
    data = {"project": project.slug, "branch": run.branch, "run": run.id, "commit": run.commit}
    if run.verdict != "pass":
        reasons = "; ".join(run.reasons[:3])
        notify(
            session,
            "gate_failed",
            f"Gate {run.verdict} on {where}: {reasons}",
            {**data, "verdict": run.verdict, "reasons": run.reasons[:10]},
            now=now,
        )
    critical = [f for f in fresh if f["severity"] == "critical"]
    if critical:
        rules = ", ".join(sorted({f["rule_id"] for f in critical})[:5])
        notify(
            session,
            "critical_finding",
            f"{len(critical)} new critical finding(s) on {where}: {rules}",
            {**data, "rules": sorted({f["rule_id"] for f in critical})[:50]},
            now=now,
        )
