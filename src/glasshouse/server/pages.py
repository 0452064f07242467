"""Server-rendered pages (Jinja2). Reading needs no script; forms post with a CSRF token."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from glasshouse.evidence.pack import FRAMEWORK_NAMES
from glasshouse.gate.policy import PolicyError, parse_policy
from glasshouse.model import Severity
from glasshouse.server import charts
from glasshouse.server.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Principal,
    check_csrf,
    database,
    same_origin,
    visible_project,
    web_principal,
)
from glasshouse.server.log_api import pack_response, parse_period
from glasshouse.storage import accounts, queries, tlog
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import (
    TRIAGE_STATES,
    Finding,
    Project,
    Run,
    WaiverRequest,
)
from glasshouse.storage.triage import MANUAL_STATES, TriageError, history, triage
from glasshouse.storage.waivers import WaiverError, decide, request_waiver, waiver_label

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.globals["severity_label"] = queries.SEVERITY_LABELS
templates.env.globals["waiver_label"] = waiver_label
templates.env.globals["colours"] = charts.SEVERITY_COLOURS
User = Annotated[Principal, Depends(web_principal)]
KINDS = ("vulnerability", "secret", "misconfiguration", "code")


def render(
    request: Request, principal: Principal | None, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    context["me"] = principal
    return templates.TemplateResponse(request, name, context, status_code=status)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, None, "login.html", csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        max_age=3600,
    )
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    settings = request.app.state.settings
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token) or not same_origin(request):
        raise HTTPException(403, "the login form expired: reload the page")
    address = request.client.host if request.client else "unknown"
    db = database(request)
    now = utcnow()
    with db.write() as session:
        if accounts.login_blocked(session, username, address, at=now, limit=settings.rate_limit):
            return render(
                request,
                None,
                "login.html",
                status=429,
                csrf=csrf_token,
                next=_safe_next(next),
                error="Too many failed logins: wait 15 minutes and try again.",
            )
    with db.write() as session:
        user = accounts.check_password(session, username, password)
        if user is None:
            accounts.record_failure(session, username, address, at=now, limit=settings.rate_limit)
            failed = True
        else:
            accounts.clear_failures(session, username)
            cookie, _row = accounts.open_session(session, user, at=now)
            accounts.log(session, user.name, "login", f"from {address}", at=now)
            failed = False
    if failed:
        return render(
            request,
            None,
            "login.html",
            status=401,
            csrf=csrf_token,
            next=_safe_next(next),
            error="Wrong user name or password.",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, me: User, csrf_token: Annotated[str, Form(max_length=100)]
) -> Response:
    check_csrf(request, me, csrf_token)
    with database(request).write() as session:
        accounts.close_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, me: User) -> Response:
    now = utcnow()
    with database(request).read() as session:
        view = queries.overview(session, me.visible, now=now)
    severity_chart = charts.bars(
        "Open findings by severity", list(view.open_by_severity.items()), charts.SEVERITY_COLOURS
    )
    age_chart = charts.bars("Open findings by age", view.age_buckets)
    trend_chart = charts.daily(
        "New and fixed findings per day, last 30 days",
        [(d, new, fixed) for d, _runs, _failed, new, fixed in view.daily],
        ("new", "fixed"),
        ("#dc2626", "#16a34a"),
    )
    runs_chart = charts.daily(
        "Gate runs per day, last 30 days",
        [(d, runs - failed, failed) for d, runs, failed, _new, _fixed in view.daily],
        ("passed", "failed"),
        ("#16a34a", "#dc2626"),
    )
    return render(
        request,
        me,
        "overview.html",
        view=view,
        severity_chart=severity_chart,
        age_chart=age_chart,
        trend_chart=trend_chart,
        runs_chart=runs_chart,
        now=now,
    )


@router.get("/projects/{slug}", response_class=HTMLResponse)
def project_page(request: Request, slug: str, me: User, before: int | None = None) -> Response:
    with database(request).read() as session:
        project = visible_project(session, me, slug)
        runs = queries.runs_of(session, project.id, before=before)
        findings = queries.search_findings(
            session, me.visible, queries.FindingFilter(projects=[project.id], limit=100)
        )
        counts = queries.open_by_severity(session, [project.id])
        waivers = [w for w, _ in queries.waivers(session, [project.id])]
    return render(
        request,
        me,
        "project.html",
        project=project,
        runs=runs,
        findings=findings,
        counts=counts,
        waivers=waivers,
        can_request=me.can_request_waiver(project),
        today=utcnow().date(),
    )


@router.get("/projects/{slug}/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, slug: str, run_id: int, me: User) -> Response:
    with database(request).read() as session:
        project = visible_project(session, me, slug)
        run = session.get(Run, run_id)
        if run is None or run.project_id != project.id:
            raise HTTPException(404, f"no run {run_id} in {slug}")
        findings = queries.run_findings(session, run.id)
    return render(request, me, "run.html", project=project, run=run, findings=findings)


def _severity(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(Severity.parse(value))
    except ValueError:
        raise HTTPException(422, f"unknown severity {value!r}") from None


@router.get("/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    me: User,
    project: str | None = None,
    branch: str | None = None,
    state: str | None = "open",
    severity: str | None = None,
    kind: str | None = None,
    rule: str | None = None,
    q: str | None = None,
    before: int | None = None,
) -> Response:
    states: tuple[str, ...]
    if state in (None, "", "any"):
        states = ()
    elif state == "open":
        states = queries.OPEN_STATES
    elif state in TRIAGE_STATES:
        states = (state,)
    else:
        raise HTTPException(422, f"unknown state {state!r}")
    if kind and kind not in KINDS:
        raise HTTPException(422, f"unknown kind {kind!r}")
    with database(request).read() as session:
        projects = queries.projects(session, me.visible)
        project_ids = None
        if project:
            chosen = visible_project(session, me, project)
            project_ids = [chosen.id]
        flt = queries.FindingFilter(
            projects=project_ids,
            branch=branch or None,
            states=states,
            min_severity=_severity(severity),
            kind=kind or None,
            rule=(rule or "").strip() or None,
            text=(q or "").strip()[:200] or None,
            before=before,
        )
        rows = queries.search_findings(session, me.visible, flt)
    params = {
        "project": project or "",
        "branch": branch or "",
        "state": state or "",
        "severity": severity or "",
        "kind": kind or "",
        "rule": rule or "",
        "q": q or "",
    }
    return render(
        request,
        me,
        "findings.html",
        rows=rows,
        projects=projects,
        params=params,
        states=TRIAGE_STATES,
        kinds=KINDS,
        page_size=flt.limit,
    )


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: int, me: User) -> Response:
    with database(request).read() as session:
        finding = session.get(Finding, finding_id)
        project = None if finding is None else session.get(Project, finding.project_id)
        if finding is None or project is None or not me.can_read(project):
            raise HTTPException(404, f"no finding {finding_id}")
        events = history(session, finding.id)
    return render(
        request,
        me,
        "finding.html",
        finding=finding,
        project=project,
        events=events,
        manual=MANUAL_STATES,
        error=None,
    )


@router.post("/findings/{finding_id}/triage")
def triage_page(
    request: Request,
    finding_id: int,
    me: User,
    csrf_token: Annotated[str, Form(max_length=100)],
    state: Annotated[str, Form(max_length=30)],
    reason: Annotated[str, Form(max_length=5000)],
    expires: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    if not me.can_triage:
        raise HTTPException(403, "only security and admin users triage findings")
    until = _date(expires) if expires.strip() else None
    with database(request).write() as session:
        finding = session.get(Finding, finding_id)
        project = None if finding is None else session.get(Project, finding.project_id)
        if finding is None or project is None or not me.can_read(project):
            raise HTTPException(404, f"no finding {finding_id}")
        try:
            triage(
                session, finding, state, actor=me.name, reason=reason, at=utcnow(), expires=until
            )
        except TriageError as exc:
            raise HTTPException(422, str(exc)) from None
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HTTPException(422, f"{text!r} is not a date such as 2026-12-31") from None


@router.get("/waivers", response_class=HTMLResponse)
def waivers_page(request: Request, me: User, status: str | None = None) -> Response:
    with database(request).read() as session:
        rows = queries.waivers(session, me.visible, status=status or None)
        projects = [p for p in queries.projects(session, me.visible) if me.can_request_waiver(p)]
    return render(request, me, "waivers.html", rows=rows, projects=projects, today=utcnow().date())


@router.post("/waivers")
def request_waiver_page(
    request: Request,
    me: User,
    csrf_token: Annotated[str, Form(max_length=100)],
    project: Annotated[str, Form(max_length=100)],
    reason: Annotated[str, Form(max_length=5000)],
    expires: Annotated[str, Form(max_length=20)],
    rule: Annotated[str, Form(max_length=200)] = "",
    fingerprint: Annotated[str, Form(max_length=32)] = "",
    package: Annotated[str, Form(max_length=300)] = "",
    path: Annotated[str, Form(max_length=1000)] = "",
    ticket: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    with database(request).write() as session:
        chosen = visible_project(session, me, project)
        if not me.can_request_waiver(chosen):
            raise HTTPException(403, f"you may not ask for waivers in {project!r}")
        try:
            request_waiver(
                session,
                chosen,
                actor=me.name,
                reason=reason,
                expires=_date(expires),
                at=utcnow(),
                rule=rule,
                fingerprint=fingerprint,
                package=package,
                path=path,
                ticket=ticket,
            )
        except WaiverError as exc:
            raise HTTPException(422, str(exc)) from None
    return RedirectResponse("/waivers", status_code=303)


@router.post("/waivers/{waiver_id}/decision")
def decide_page(
    request: Request,
    waiver_id: int,
    me: User,
    csrf_token: Annotated[str, Form(max_length=100)],
    decision: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    if not me.can_decide_waivers:
        raise HTTPException(403, "only security and admin users decide waivers")
    if decision not in ("approve", "reject"):
        raise HTTPException(422, "decision must be approve or reject")
    with database(request).write() as session:
        waiver = session.get(WaiverRequest, waiver_id)
        project = None if waiver is None else session.get(Project, waiver.project_id)
        if waiver is None or project is None or not me.can_read(project):
            raise HTTPException(404, f"no waiver {waiver_id}")
        try:
            decide(
                session,
                waiver,
                approve=decision == "approve",
                actor=me.name,
                reason=reason,
                at=utcnow(),
                project=project,
            )
        except WaiverError as exc:
            raise HTTPException(409, str(exc)) from None
    return RedirectResponse("/waivers", status_code=303)


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request, me: User, before: int | None = None, project: str | None = None
) -> Response:
    with database(request).read() as session:
        project_id = visible_project(session, me, project).id if project else None
        rows = queries.events(session, me.visible, before=before, project_id=project_id)
        slugs = {p.id: p.slug for p in queries.projects(session, me.visible)}
    return render(request, me, "events.html", rows=rows, slugs=slugs, project=project or "")


@router.get("/policy", response_class=HTMLResponse)
def policy_page(request: Request, me: User) -> Response:
    with database(request).read() as session:
        setting = accounts.org_policy(session)
    return render(
        request,
        me,
        "policy.html",
        setting=setting,
        error=None,
        text=setting.value if setting else "",
    )


@router.post("/policy", response_class=HTMLResponse)
def policy_save(
    request: Request,
    me: User,
    csrf_token: Annotated[str, Form(max_length=100)],
    policy: Annotated[str, Form(max_length=1024 * 1024)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    if not me.can_edit_policy:
        raise HTTPException(403, "only security and admin users set the organization policy")
    try:
        parse_policy(policy, "organization policy")
    except PolicyError as exc:
        with database(request).read() as session:
            setting = accounts.org_policy(session)
        return render(
            request, me, "policy.html", status=422, setting=setting, error=str(exc), text=policy
        )
    with database(request).write() as session:
        accounts.set_org_policy(session, policy, actor=me.name, at=utcnow())
    return RedirectResponse("/policy", status_code=303)


@router.get("/evidence", response_class=HTMLResponse)
def evidence_page(request: Request, me: User) -> Response:
    """The evidence pack form (auditors, security, admins)."""
    if not me.can_export_evidence:
        raise HTTPException(403, "evidence packs are for auditors, security and admins")
    today = utcnow().date()
    with database(request).read() as session:
        log = tlog.open_log(session)
        size, checkpoint = log.size, log.latest_checkpoint()
        vkey = tlog.identity(session).vkey()
    return render(
        request,
        me,
        "evidence.html",
        frameworks=FRAMEWORK_NAMES,
        start=today.replace(day=1).isoformat(),
        end=today.isoformat(),
        size=size,
        checkpoint=checkpoint,
        vkey=vkey,
    )


@router.get("/evidence/pack")
def evidence_pack_page(
    request: Request,
    me: User,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    framework: str,
) -> Response:
    """The pack of the period, as a download (a GET: it changes nothing)."""
    if not me.can_export_evidence:
        raise HTTPException(403, "evidence packs are for auditors, security and admins")
    first, last = parse_period(start, end, framework)
    return pack_response(request, first, last, framework)
