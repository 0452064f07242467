"""Evidence packs from the glass house's own data.

The decisions are the signed ones the transparency log holds: each becomes a receipt
against the log's latest checkpoint and goes through ``pack.record_from_document``
with the key registered for its project and the log's key, so the pack's figures are
those of decisions whose signature and log proof were checked at export. Beside them
the pack carries what the server knows of the period (``server/``): every run, signed
or not, the waivers asked for and decided on the server with their approver and
expiry, and their log entries; and what an auditor needs to verify it all offline
(``log/``: the checkpoint and the log's public key; ``keys/``: the projects' keys).

Periods are UTC days, inclusive. A decision belongs to the day of its ``timeVerified``
(as in every evidence pack); a run to the day its scan started.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from glasshouse.evidence import dsse, pack
from glasshouse.evidence.keys import VerifyingKey, generate, public_pem
from glasshouse.evidence.verify import LogTrust
from glasshouse.storage import signing, tlog
from glasshouse.storage.models import Event, LogEntryRow, Project, Run, WaiverRequest
from glasshouse.storage.waivers import waiver_label

MARGIN = timedelta(days=2)  # a decision is signed after its scan started, maybe a day later


@dataclass(frozen=True)
class ServerPack:
    figures: dict[str, Any]  # the pack's own figures (of the checked decisions)
    server: dict[str, Any]  # what the server holds for the period
    manifest: dict[str, Any]


def _z(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def records(
    session: Session, start: date, end: date, log: tlog.ServerLog, checkpoint: str
) -> list[pack.Record]:
    """Every logged decision that may fall in the period, checked, as pack records."""
    low, high = _bounds(start, end)
    rows = session.execute(
        select(LogEntryRow.idx, LogEntryRow.project_id, LogEntryRow.run_id, Project.slug)
        .join(Run, Run.id == LogEntryRow.run_id)
        .join(Project, Project.id == LogEntryRow.project_id)
        .where(
            LogEntryRow.kind == "decision",
            Run.started_at >= low - MARGIN,
            Run.started_at < high + MARGIN,
        )
        .order_by(LogEntryRow.idx)
    ).all()
    trust = LogTrust(log.verifying_key, log.origin)
    keys_of: dict[int, list[Any]] = {}
    nobody = VerifyingKey(generate().public)  # for a decision no registered key signed
    found = []
    for index, maybe_project, run_id, slug in rows:
        project_id = int(maybe_project or 0)
        receipt = log.receipt(int(index), checkpoint)
        if project_id not in keys_of:
            keys_of[project_id] = signing.project_keys(session, project_id, active=False)
        envelope = dsse.from_dict(receipt.entry.body)
        key = signing.signer_of(envelope, keys_of[project_id]) or nobody
        found.append(
            pack.record_from_document(receipt.to_dict(), f"{slug}/run-{run_id}", key=key, log=trust)
        )
    return found


def server_facts(session: Session, start: date, end: date) -> dict[str, Any]:
    """The runs and server waivers of the period, as the server holds them."""
    low, high = _bounds(start, end)
    logged = {
        int(run_id or 0): int(idx)
        for idx, run_id in session.execute(
            select(LogEntryRow.idx, LogEntryRow.run_id)
            .join(Run, Run.id == LogEntryRow.run_id)
            .where(LogEntryRow.kind == "decision", Run.started_at >= low, Run.started_at < high)
        )
    }
    runs = []
    for run, slug in session.execute(
        select(Run, Project.slug)
        .join(Project, Project.id == Run.project_id)
        .where(Run.started_at >= low, Run.started_at < high)
        .order_by(Run.started_at, Run.id)
    ):
        runs.append(
            {
                "project": slug,
                "id": run.id,
                "run_id": run.run_key,
                "branch": run.branch,
                "commit": run.commit,
                "verdict": run.verdict,
                "passed": run.verdict == "pass",
                "findings": run.findings_count,
                "started_at": _z(run.started_at),
                "received_at": _z(run.received_at),
                "log_index": logged.get(run.id),
            }
        )
    waivers = []
    overlapping = session.execute(
        select(WaiverRequest, Project.slug)
        .join(Project, Project.id == WaiverRequest.project_id)
        .where(
            WaiverRequest.requested_at < high,
            or_(
                WaiverRequest.expires >= start,
                and_(WaiverRequest.decided_at.is_not(None), WaiverRequest.decided_at >= low),
            ),
        )
        .order_by(WaiverRequest.id)
    ).all()
    entries: dict[int, list[int]] = {}
    ids = [w.id for w, _ in overlapping]
    if ids:
        for waiver_id, idx in session.execute(
            select(Event.waiver_id, LogEntryRow.idx)
            .join(LogEntryRow, LogEntryRow.event_id == Event.id)
            .where(Event.waiver_id.in_(ids), LogEntryRow.kind == "waiver")
            .order_by(LogEntryRow.idx)
        ):
            entries.setdefault(int(waiver_id or 0), []).append(int(idx))
    for waiver, slug in overlapping:
        waivers.append(
            {
                "id": waiver_label(waiver),
                "project": slug,
                "status": waiver.status,
                "rule": waiver.rule,
                "package": waiver.package,
                "path": waiver.path,
                "fingerprint": waiver.fingerprint,
                "reason": waiver.reason,
                "ticket": waiver.ticket,
                "expires": waiver.expires.isoformat(),
                "requested_by": waiver.requested_by,
                "requested_at": _z(waiver.requested_at),
                "approver": waiver.decided_by if waiver.status == "approved" else None,
                "decided_by": waiver.decided_by,
                "decided_at": _z(waiver.decided_at),
                "decision_reason": waiver.decision_reason,
                "log_entries": entries.get(waiver.id, []),
            }
        )
    actions = Counter(
        session.scalars(
            select(Event.action).where(
                Event.action.like("waiver_%"), Event.at >= low, Event.at < high
            )
        )
    )
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "runs": len(runs),
        "runs_passed": sum(1 for r in runs if r["passed"]),
        "runs_failed": sum(1 for r in runs if not r["passed"]),
        "runs_signed": sum(1 for r in runs if r["log_index"] is not None),
        "runs_unsigned": sum(1 for r in runs if r["log_index"] is None),
        "waivers": len(waivers),
        "waivers_approved": sum(1 for w in waivers if w["status"] == "approved"),
        "waiver_events": {
            a.removeprefix("waiver_"): actions.get(a, 0)
            for a in ("waiver_requested", "waiver_approved", "waiver_rejected")
        },
        "run_list": runs,
        "waiver_list": waivers,
    }


def build(
    session: Session,
    start: date,
    end: date,
    framework: str,
    out: Path,
    *,
    tool_version: str,
) -> ServerPack:
    """Write the evidence pack of the period to ``out``; PackError for a bad request."""
    if framework not in pack.FRAMEWORKS:
        known = ", ".join(pack.FRAMEWORKS)
        raise pack.PackError(f"unknown framework {framework!r} (known: {known})")
    if end < start:
        raise pack.PackError(f"the period ends ({end}) before it starts ({start})")
    log = tlog.open_log(session)
    checkpoint = log.latest_checkpoint()
    found = pack.select(
        records(session, start, end, log, checkpoint),
        start,
        end,
        key_checked=True,
        log_checked=True,
    )
    facts = server_facts(session, start, end)
    summary = {k: v for k, v in facts.items() if k not in ("run_list", "waiver_list")}
    summary["log"] = {"origin": log.origin, "size": log.size, "checkpoint": checkpoint}
    extra = {
        "server/summary.json": _json(summary),
        "server/runs.json": _json(facts["run_list"]),
        "server/waivers.json": _json(facts["waiver_list"]),
        "log/checkpoint.txt": checkpoint.encode("utf-8"),
        "log/log-key.vkey": (tlog.identity(session).vkey() + "\n").encode("utf-8"),
        "log/log-key.pub": public_pem(log.verifying_key),
    }
    slugs = {int(pid): str(slug) for pid, slug in session.execute(select(Project.id, Project.slug))}
    project_ids = {pid for (pid,) in session.execute(select(LogEntryRow.project_id).distinct())}
    for project_id in sorted(p for p in project_ids if p is not None):
        for record, key in signing.project_keys(session, project_id, active=False):
            name = f"keys/{slugs.get(project_id, project_id)}-{record.keyid[:16]}.pub"
            extra[name] = public_pem(key)
    manifest = pack.build(found, framework, out, tool_version=tool_version, extra_files=extra)
    return ServerPack(pack.figures(found), summary, manifest)
