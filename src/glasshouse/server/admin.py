"""Administration pages (admin role only): users and their projects, CI tokens, webhooks.

Every form posts the session's CSRF token; every change is an event in the log with
the admin's name. A new token or webhook secret is shown once, in the answer to the
form that made it (never stored in clear for tokens, never shown again for either).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from glasshouse.server.auth import Principal, check_csrf, database, web_principal
from glasshouse.server.pages import render
from glasshouse.storage import accounts, notify
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import ROLES, ApiToken, Membership, Project, User, Webhook

router = APIRouter(prefix="/admin")


def admin_principal(me: Annotated[Principal, Depends(web_principal)]) -> Principal:
    if not me.can_administer:
        raise HTTPException(403, "only admin users manage accounts, tokens and webhooks")
    return me


Admin = Annotated[Principal, Depends(admin_principal)]
Csrf = Annotated[str, Form(max_length=100)]


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, f"no user {user_id}")
    return user


def _project(session: Session, slug: str) -> Project:
    project = session.scalar(select(Project).where(Project.slug == slug.strip()))
    if project is None:
        raise HTTPException(404, f"no project {slug!r}")
    return project


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# users and memberships


def _users_page(request: Request, me: Principal, status: int = 200, **extra: Any) -> Response:
    with database(request).read() as session:
        users = list(session.scalars(select(User).order_by(User.name)))
        projects = list(session.scalars(select(Project).order_by(Project.slug)))
        slugs = {p.id: p.slug for p in projects}
        member_of: dict[int, list[str]] = {}
        for user_id, project_id in session.execute(
            select(Membership.user_id, Membership.project_id)
        ):
            member_of.setdefault(user_id, []).append(slugs[project_id])
    context = {"users": users, "projects": projects, "member_of": member_of, "roles": ROLES}
    return render(
        request, me, "admin_users.html", status=status, **{"error": None, **context, **extra}
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, me: Admin) -> Response:
    return _users_page(request, me)


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    me: Admin,
    csrf_token: Csrf,
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1000)],
    projects: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    try:
        with database(request).write() as session:
            now = utcnow()
            user = accounts.create_user(
                session, name.strip(), role, password, at=now, actor=me.name
            )
            for slug in (s.strip() for s in projects.split(",")):
                if slug:
                    project = accounts.get_or_create_project(session, slug, at=now, actor=me.name)
                    accounts.add_member(session, user, project, at=now, actor=me.name)
    except accounts.AccountError as exc:
        return _users_page(request, me, status=422, error=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}", response_class=HTMLResponse)
def update_user(
    request: Request,
    user_id: int,
    me: Admin,
    csrf_token: Csrf,
    role: Annotated[str, Form(max_length=20)],
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    try:
        with database(request).write() as session:
            user = _user(session, user_id)
            accounts.update_user(
                session, user, role=role, active=active == "on", at=utcnow(), actor=me.name
            )
    except accounts.AccountError as exc:
        return _users_page(request, me, status=422, error=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/memberships", response_class=HTMLResponse)
def add_membership(
    request: Request,
    user_id: int,
    me: Admin,
    csrf_token: Csrf,
    project: Annotated[str, Form(max_length=100)],
) -> Response:
    check_csrf(request, me, csrf_token)
    try:
        with database(request).write() as session:
            user = _user(session, user_id)
            chosen = accounts.get_or_create_project(
                session, project.strip(), at=utcnow(), actor=me.name
            )
            accounts.add_member(session, user, chosen, at=utcnow(), actor=me.name)
    except accounts.AccountError as exc:
        return _users_page(request, me, status=422, error=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/memberships/remove")
def remove_membership(
    request: Request,
    user_id: int,
    me: Admin,
    csrf_token: Csrf,
    project: Annotated[str, Form(max_length=100)],
) -> Response:
    check_csrf(request, me, csrf_token)
    with database(request).write() as session:
        user = _user(session, user_id)
        if not accounts.remove_member(
            session, user, _project(session, project), at=utcnow(), actor=me.name
        ):
            raise HTTPException(404, f"{user.name} is not a member of {project!r}")
    return RedirectResponse("/admin/users", status_code=303)


# CI tokens


def _tokens_page(request: Request, me: Admin, status: int = 200, **extra: Any) -> Response:
    with database(request).read() as session:
        tokens = list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))
        projects = list(session.scalars(select(Project).order_by(Project.slug)))
        slugs = {p.id: p.slug for p in projects}
        names = {u.id: u.name for u in session.scalars(select(User))}
    owners = {
        t.id: f"project {slugs.get(t.project_id, '?')}"
        if t.project_id is not None
        else f"user {names.get(t.user_id or 0, '?')}"
        for t in tokens
    }
    context = {"tokens": tokens, "owners": owners, "projects": projects}
    response = render(
        request,
        me,
        "admin_tokens.html",
        status=status,
        **{"error": None, "made": None, **context, **extra},
    )
    return _no_store(response)


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, me: Admin) -> Response:
    return _tokens_page(request, me)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    me: Admin,
    csrf_token: Csrf,
    project: Annotated[str, Form(max_length=100)],
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A CI token for a project (made if new), shown once in this answer."""
    check_csrf(request, me, csrf_token)
    try:
        with database(request).write() as session:
            now = utcnow()
            chosen = accounts.get_or_create_project(session, project.strip(), at=now, actor=me.name)
            made = accounts.create_token(
                session,
                name.strip() or f"CI of {chosen.slug}",
                at=now,
                project=chosen,
                actor=me.name,
            )
            shown = {"token": made.token, "id": made.record.id, "project": chosen.slug}
    except accounts.AccountError as exc:
        return _tokens_page(request, me, status=422, error=str(exc))
    return _tokens_page(request, me, status=201, made=shown)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, me: Admin, csrf_token: Csrf) -> Response:
    check_csrf(request, me, csrf_token)
    with database(request).write() as session:
        if not accounts.revoke_token(session, token_id, at=utcnow(), actor=me.name):
            raise HTTPException(404, f"no active token {token_id!r}")
    return RedirectResponse("/admin/tokens", status_code=303)


# webhooks


def _webhooks_page(request: Request, me: Admin, status: int = 200, **extra: Any) -> Response:
    with database(request).read() as session:
        hooks = list(session.scalars(select(Webhook).order_by(Webhook.id)))
    context = {"hooks": hooks, "events": notify.EVENTS}
    response = render(
        request,
        me,
        "admin_webhooks.html",
        status=status,
        **{"error": None, "made": None, **context, **extra},
    )
    return _no_store(response)


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, me: Admin) -> Response:
    return _webhooks_page(request, me)


@router.post("/webhooks", response_class=HTMLResponse)
def create_webhook(
    request: Request,
    me: Admin,
    csrf_token: Csrf,
    url: Annotated[str, Form(max_length=1000)],
    events: Annotated[str, Form(max_length=500)] = "*",
) -> Response:
    """A webhook with a new random shared secret, shown once in this answer."""
    check_csrf(request, me, csrf_token)
    secret = secrets.token_urlsafe(32)
    try:
        with database(request).write() as session:
            hook = notify.add_webhook(session, url, events, secret, at=utcnow(), actor=me.name)
            shown = {"id": hook.id, "url": hook.url, "secret": secret}
    except notify.WebhookError as exc:
        return _webhooks_page(request, me, status=422, error=str(exc))
    return _webhooks_page(request, me, status=201, made=shown)


@router.post("/webhooks/{webhook_id}/active")
def webhook_active(
    request: Request,
    webhook_id: int,
    me: Admin,
    csrf_token: Csrf,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    check_csrf(request, me, csrf_token)
    with database(request).write() as session:
        hook = session.get(Webhook, webhook_id)
        if hook is None:
            raise HTTPException(404, f"no webhook {webhook_id}")
        notify.set_webhook_active(session, hook, active == "on", at=utcnow(), actor=me.name)
    return RedirectResponse("/admin/webhooks", status_code=303)
