"""The JSON API (bearer tokens): ingest, the gate's configuration, triage, waivers."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from glasshouse.gate.policy import PolicyError, parse_policy
from glasshouse.server.auth import Principal, api_principal, database, visible_project
from glasshouse.server.settings import ServerSettings
from glasshouse.server.upload import decode, parse_report, read_body
from glasshouse.storage import accounts, queries, signing, tlog
from glasshouse.storage import ingest as ingest_module
from glasshouse.storage.db import Database, utcnow
from glasshouse.storage.ingest import DuplicateRun, IngestError, RunMeta
from glasshouse.storage.models import Finding, LogEntryRow, Run, WaiverRequest
from glasshouse.storage.models import Project as ProjectModel
from glasshouse.storage.triage import TriageError, triage
from glasshouse.storage.waivers import (
    WaiverError,
    active_waivers,
    as_policy_waiver,
    decide,
    request_waiver,
    waiver_label,
)

router = APIRouter(prefix="/api/v1")
Auth = Annotated[Principal, Depends(api_principal)]
MAX_HEADER = 1000


def run_json(run: Run, slug: str) -> dict[str, Any]:
    return {
        "id": run.id,
        "run_id": run.run_key,
        "project": slug,
        "branch": run.branch,
        "commit": run.commit,
        "repository": run.repository,
        "pipeline_url": run.pipeline_url,
        "ci": run.ci_system,
        "verdict": run.verdict,
        "exit_code": run.exit_code,
        "reasons": run.reasons,
        "started_at": run.started_at.isoformat() + "Z",
        "received_at": run.received_at.isoformat() + "Z",
        "findings": run.findings_count,
        "new": run.new_findings,
        "fixed": run.fixed_findings,
        "by_severity": {
            "critical": run.critical,
            "high": run.high,
            "medium": run.medium,
            "low": run.low,
            "unknown": run.unknown,
        },
    }


def finding_json(finding: Finding, slug: str) -> dict[str, Any]:
    return {
        "id": finding.id,
        "project": slug,
        "branch": finding.branch,
        "fingerprint": finding.fingerprint,
        "kind": finding.kind,
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": queries.SEVERITY_LABELS[finding.severity],
        "path": finding.path,
        "line": finding.line,
        "package": finding.package,
        "fix": finding.fix,
        "state": finding.state,
        "state_expires": finding.state_expires.isoformat() if finding.state_expires else None,
        "first_seen_at": finding.first_seen_at.isoformat() + "Z",
        "last_seen_at": finding.last_seen_at.isoformat() + "Z",
    }


def waiver_json(waiver: WaiverRequest, slug: str) -> dict[str, Any]:
    return {
        "id": waiver.id,
        "label": waiver_label(waiver),
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
        "requested_at": waiver.requested_at.isoformat() + "Z",
        "decided_by": waiver.decided_by,
        "decision_reason": waiver.decision_reason,
    }


def _header(request: Request, name: str, *, required: bool = False) -> str | None:
    value = request.headers.get(name, "").strip()
    if not value:
        if required:
            raise HTTPException(400, f"the {name} header is required")
        return None
    if len(value) > MAX_HEADER:
        raise HTTPException(400, f"the {name} header is longer than {MAX_HEADER} characters")
    return value


SIGNED_RUN_TYPE = "application/vnd.glasshouse.signed-run+json"


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def split_signed_run(data: bytes) -> tuple[bytes, object]:
    """A signed run is ``{"report": "<the JSON report, as a string>", "envelope": {...}}``:
    the report travels as the exact text whose SHA-256 the signed decision names."""
    try:
        outer = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(outer, dict) or not isinstance(outer.get("report"), str):
        raise HTTPException(
            422, "a signed run is an object with the report (a string) and the envelope"
        )
    if not isinstance(outer.get("envelope"), dict):
        raise HTTPException(422, "a signed run needs its envelope (the DSSE envelope object)")
    try:
        report = outer["report"].encode("utf-8")
    except UnicodeEncodeError:
        raise HTTPException(422, "the report is not valid Unicode text") from None
    return report, outer["envelope"]


def run_receipt(db: Database, run_id: int) -> dict[str, Any] | None:
    """The receipt of a run's logged decision against the latest checkpoint, if logged."""
    with db.read() as session:
        index = session.scalar(
            select(LogEntryRow.idx).where(
                LogEntryRow.run_id == run_id, LogEntryRow.kind == "decision"
            )
        )
        if index is None:
            return None
        return tlog.open_log(session).receipt(int(index)).to_dict()


@router.get("/whoami")
def whoami(principal: Auth, request: Request) -> dict[str, Any]:
    db = database(request)
    with db.read() as session:
        slugs = [p.slug for p in queries.projects(session, principal.visible)]
    return {"name": principal.name, "role": principal.role, "projects": slugs}


@router.post("/projects/{slug}/runs", status_code=201)
async def upload_run(
    slug: str, request: Request, response: Response, principal: Auth
) -> dict[str, Any]:
    """Store one gate run. Headers: Glasshouse-Run-Id and Glasshouse-Branch (required),
    Glasshouse-Commit, Glasshouse-Repository, Glasshouse-Pipeline-Url, Glasshouse-Ci,
    Glasshouse-Scanners (comma-separated; default dependencies,secrets,iac).

    The body is the JSON report, or (Content-Type ``SIGNED_RUN_TYPE``) the report with
    its signed gate decision: that decision is checked against the project's signing
    keys, appended to the transparency log, and its receipt is in the answer."""
    db = database(request)
    settings: ServerSettings = request.app.state.settings

    def authorize() -> None:
        with db.read() as session:
            project = visible_project(session, principal, slug)
            if not principal.can_upload(project):
                raise HTTPException(403, f"this token may not upload runs to {slug!r}")

    await run_in_threadpool(authorize)
    meta = RunMeta(
        run_key=_header(request, "glasshouse-run-id", required=True) or "",
        branch=_header(request, "glasshouse-branch", required=True) or "",
        commit=_header(request, "glasshouse-commit"),
        repository=_header(request, "glasshouse-repository"),
        pipeline_url=_header(request, "glasshouse-pipeline-url"),
        ci_system=_header(request, "glasshouse-ci"),
        scanners=tuple(s.strip() for s in scanners.split(",") if s.strip())
        if (scanners := _header(request, "glasshouse-scanners"))
        else None,
    )
    if len(meta.run_key) > 200 or len(meta.branch) > 255:
        raise HTTPException(400, "Glasshouse-Run-Id is at most 200 and the branch 255 characters")
    body = await read_body(request, settings.max_upload_bytes)

    def store() -> dict[str, Any]:
        data = decode(body, request.headers.get("content-encoding"), settings.max_report_bytes)
        envelope_data: object | None = None
        if _media_type(request) == SIGNED_RUN_TYPE:
            data, envelope_data = split_signed_run(data)
        report, digest = parse_report(data)
        receipt = None
        try:
            with db.write() as session:
                project = visible_project(session, principal, slug)
                checked = signing.check_upload(session, project, envelope_data, report, digest)
                result = ingest_module.ingest(
                    session,
                    project,
                    report,
                    meta,
                    digest=digest,
                    token_id=principal.token_id,
                    now=utcnow(),
                )
                run = session.get(Run, result.run_id)
                assert run is not None
                out = run_json(run, slug)
                if checked is not None:  # logged with the events its run made, then committed
                    receipt = tlog.append_decision(
                        session, checked.envelope, project_id=project.id, run_id=run.id
                    )
        except signing.SignatureRefused as exc:
            raise HTTPException(exc.status, str(exc)) from None
        except DuplicateRun as exc:
            raise HTTPException(
                409,
                {
                    "message": str(exc),
                    "run": exc.run_id,
                    "identical": exc.identical,
                    "receipt": run_receipt(db, exc.run_id) if exc.identical else None,
                },
            ) from None
        except IngestError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        except ValueError as exc:  # a time stamp the schema lets through but that is no date
            raise HTTPException(422, f"the report has an invalid value: {exc}") from None
        except IntegrityError:
            # the same run id stored by another process in the meantime
            with db.read() as session:
                owner = visible_project(session, principal, slug)
                found = session.execute(
                    select(Run.id, Run.report_sha256).where(
                        Run.project_id == owner.id, Run.run_key == meta.run_key
                    )
                ).first()
            if found is None:
                raise
            raise HTTPException(
                409,
                {
                    "message": f"run {meta.run_key!r} is already stored",
                    "run": found[0],
                    "identical": found[1] == digest,
                },
            ) from None
        out["new"], out["fixed"], out["reopened"] = result.new, result.fixed, result.reopened
        out["receipt"] = receipt.to_dict() if receipt is not None else None
        return out

    out = await run_in_threadpool(store)
    response.headers["Location"] = f"/api/v1/projects/{slug}/runs/{out['id']}"
    return out


@router.get("/projects/{slug}/runs")
def list_runs(
    slug: str,
    request: Request,
    principal: Auth,
    before: int | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    db = database(request)
    with db.read() as session:
        project = visible_project(session, principal, slug)
        runs = queries.runs_of(session, project.id, limit=limit, before=before)
        return {"runs": [run_json(r, slug) for r in runs]}


@router.get("/projects/{slug}/runs/{run_id}")
def get_run(slug: str, run_id: int, request: Request, principal: Auth) -> dict[str, Any]:
    db = database(request)
    with db.read() as session:
        project = visible_project(session, principal, slug)
        run = session.get(Run, run_id)
        if run is None or run.project_id != project.id:
            raise HTTPException(404, f"no run {run_id} in {slug!r}")
        out = run_json(run, slug)
        out["findings_list"] = [
            {**finding_json(f, slug), "disposition": d, "line": line}
            for f, d, line in queries.run_findings(session, run.id, limit=5000)
        ]
        return out


@router.get("/projects/{slug}/gate")
def gate_config(
    slug: str, request: Request, principal: Auth, branch: str | None = None
) -> dict[str, Any]:
    """What `glasshouse scan --server` needs: the organization policy, the approved
    waivers in force, and the baseline of the branch (its findings not yet fixed)."""
    db = database(request)
    now = utcnow()
    with db.read() as session:
        project = visible_project(session, principal, slug)
        policy = accounts.org_policy(session)
        waivers = [as_policy_waiver(w) for w in active_waivers(session, project.id, now.date())]
        baseline: list[dict[str, Any]] | None = None
        if branch:
            rows = session.execute(
                select(
                    Finding.fingerprint,
                    Finding.rule_id,
                    Finding.path,
                    Finding.kind,
                    Finding.severity,
                ).where(
                    Finding.project_id == project.id,
                    Finding.branch == branch,
                    Finding.state != "fixed",
                )
            )
            baseline = [
                {
                    "fingerprint": fp,
                    "rule_id": rule,
                    "path": path,
                    "kind": kind,
                    "severity": queries.SEVERITY_LABELS[sev],
                }
                for fp, rule, path, kind, sev in rows
            ]
    return {
        "project": slug,
        "policy": policy.value if policy else "",
        "waivers": waivers,
        "baseline": None
        if baseline is None
        else {"schema_version": "1", "source": f"{slug}@{branch}", "findings": baseline},
    }


@router.get("/projects/{slug}/findings")
def list_findings(
    slug: str,
    request: Request,
    principal: Auth,
    state: Annotated[list[str] | None, Query()] = None,
    branch: str | None = None,
    before: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    db = database(request)
    with db.read() as session:
        project = visible_project(session, principal, slug)
        flt = queries.FindingFilter(
            projects=[project.id],
            branch=branch,
            states=state or queries.OPEN_STATES,
            before=before,
            limit=limit,
        )
        rows = queries.search_findings(session, principal.visible, flt)
        return {"findings": [finding_json(f, s) for f, s in rows]}


class TriageBody(BaseModel):
    state: str
    reason: str = Field(min_length=1, max_length=5000)
    expires: date | None = None


@router.post("/findings/{finding_id}/triage")
def triage_finding(
    finding_id: int, body: TriageBody, request: Request, principal: Auth
) -> dict[str, Any]:
    db = database(request)
    if not principal.can_triage:
        raise HTTPException(403, "only security and admin users triage findings")
    with db.write() as session:
        finding = session.get(Finding, finding_id)
        project = None if finding is None else session.get(ProjectModel, finding.project_id)
        if finding is None or project is None or not principal.can_read(project):
            raise HTTPException(404, f"no finding {finding_id}")
        try:
            triage(
                session,
                finding,
                body.state,
                actor=principal.name,
                reason=body.reason,
                at=utcnow(),
                expires=body.expires,
            )
        except TriageError as exc:
            raise HTTPException(422, str(exc)) from None
        return finding_json(finding, project.slug)


@router.get("/projects/{slug}/waivers")
def list_waivers(slug: str, request: Request, principal: Auth) -> dict[str, Any]:
    db = database(request)
    with db.read() as session:
        project = visible_project(session, principal, slug)
        rows = session.scalars(
            select(WaiverRequest)
            .where(WaiverRequest.project_id == project.id)
            .order_by(WaiverRequest.id.desc())
        )
        return {"waivers": [waiver_json(w, slug) for w in rows]}


class WaiverBody(BaseModel):
    rule: str | None = Field(None, max_length=200)
    fingerprint: str | None = Field(None, max_length=32)
    package: str | None = Field(None, max_length=300)
    path: str | None = Field(None, max_length=1000)
    reason: str = Field(min_length=1, max_length=5000)
    ticket: str | None = Field(None, max_length=200)
    expires: date


@router.post("/projects/{slug}/waivers", status_code=201)
def create_waiver(slug: str, body: WaiverBody, request: Request, principal: Auth) -> dict[str, Any]:
    db = database(request)
    with db.write() as session:
        project = visible_project(session, principal, slug)
        if not principal.can_request_waiver(project):
            raise HTTPException(403, f"you may not ask for waivers in {slug!r}")
        try:
            waiver = request_waiver(
                session,
                project,
                actor=principal.name,
                reason=body.reason,
                expires=body.expires,
                at=utcnow(),
                rule=body.rule,
                package=body.package,
                path=body.path,
                fingerprint=body.fingerprint,
                ticket=body.ticket,
            )
        except WaiverError as exc:
            raise HTTPException(422, str(exc)) from None
        return waiver_json(waiver, slug)


class DecisionBody(BaseModel):
    approve: bool
    reason: str = Field("", max_length=5000)


@router.post("/waivers/{waiver_id}/decision")
def decide_waiver(
    waiver_id: int, body: DecisionBody, request: Request, principal: Auth
) -> dict[str, Any]:
    db = database(request)
    if not principal.can_decide_waivers:
        raise HTTPException(403, "only security and admin users decide waivers")
    with db.write() as session:
        waiver = session.get(WaiverRequest, waiver_id)
        project = None if waiver is None else session.get(ProjectModel, waiver.project_id)
        if waiver is None or project is None or not principal.can_read(project):
            raise HTTPException(404, f"no waiver {waiver_id}")
        try:
            decide(
                session,
                waiver,
                approve=body.approve,
                actor=principal.name,
                reason=body.reason,
                at=utcnow(),
                project=project,
            )
        except WaiverError as exc:
            raise HTTPException(409, str(exc)) from None
        return waiver_json(waiver, project.slug)


@router.get("/policy")
def get_policy(request: Request, principal: Auth) -> dict[str, Any]:
    db = database(request)
    with db.read() as session:
        setting = accounts.org_policy(session)
        return {
            "policy": setting.value if setting else "",
            "updated_by": setting.updated_by if setting else None,
            "updated_at": setting.updated_at.isoformat() + "Z" if setting else None,
        }


class PolicyBody(BaseModel):
    policy: str = Field(max_length=1024 * 1024)


def store_policy(request: Request, principal: Principal, text: str) -> None:
    """Validate the organization policy as the gate will read it, then store it."""
    try:
        parse_policy(text, "organization policy")
    except PolicyError as exc:
        raise HTTPException(422, str(exc)) from None
    with database(request).write() as session:
        accounts.set_org_policy(session, text, actor=principal.name, at=utcnow())


@router.put("/policy")
def put_policy(body: PolicyBody, request: Request, principal: Auth) -> dict[str, Any]:
    if not principal.can_edit_policy:
        raise HTTPException(403, "only security and admin users set the organization policy")
    store_policy(request, principal, body.policy)
    return get_policy(request, principal)
