"""Who is asking, and what they may do: one place for every authorization rule.

Roles: *admin* (everything), *security* (every project: triage, waiver decisions, the
organization policy), *developer* (their own projects: read, ask for waivers),
*auditor* (every project, read only). A CI token acts for one project: it uploads runs
and reads that project's gate. The transparency log: its checkpoints and consistency
proofs (hashes only) to every token; its entries and their inclusion proofs to admin,
security and auditors, and each project's own entries to that project's CI token and
developers. Evidence packs: admin, security and auditors. The JSON API takes bearer
tokens only; the pages take the session cookie only, and every form they post carries
the session's CSRF token.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from glasshouse.storage import accounts
from glasshouse.storage.db import Database, utcnow
from glasshouse.storage.models import ApiToken, Project, User

SESSION_COOKIE = "glasshouse_session"
LOGIN_CSRF_COOKIE = "glasshouse_login_csrf"
SEES_ALL = ("admin", "security", "auditor")
DECIDES = ("admin", "security")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str  # a user role, or "ci" for a project's CI token
    user_id: int | None = None
    token_id: str | None = None
    member_of: frozenset[int] = frozenset()
    csrf_token: str | None = None  # web sessions only

    @property
    def visible(self) -> frozenset[int] | None:
        """Project ids this principal may read; None for all of them."""
        return None if self.role in SEES_ALL else self.member_of

    def can_read(self, project: Project) -> bool:
        return self.role in SEES_ALL or project.id in self.member_of

    def can_upload(self, project: Project) -> bool:
        return self.role == "ci" and project.id in self.member_of

    def can_request_waiver(self, project: Project) -> bool:
        return self.role in DECIDES or (self.role == "developer" and project.id in self.member_of)

    @property
    def can_triage(self) -> bool:
        return self.role in DECIDES

    @property
    def can_decide_waivers(self) -> bool:
        return self.role in DECIDES

    @property
    def can_edit_policy(self) -> bool:
        return self.role in DECIDES

    def can_read_log_entry(self, project_id: int | None) -> bool:
        """Every entry for admin, security and auditors; a project's own entries for its
        CI token and its developers (an entry of no project: the first only)."""
        return self.role in SEES_ALL or (project_id is not None and project_id in self.member_of)

    @property
    def can_export_evidence(self) -> bool:
        return self.role in SEES_ALL

    @property
    def can_administer(self) -> bool:
        """Users, memberships, tokens and webhooks."""
        return self.role == "admin"


def user_principal(
    session: Session, user: User, *, token: str | None = None, csrf: str | None = None
) -> Principal:
    return Principal(
        name=user.name,
        role=user.role,
        user_id=user.id,
        token_id=token,
        member_of=frozenset(accounts.project_ids_of(session, user)),
        csrf_token=csrf,
    )


def token_principal(session: Session, token: ApiToken) -> Principal | None:
    if token.project_id is not None:
        return Principal(
            name=f"token {token.id}",
            role="ci",
            token_id=token.id,
            member_of=frozenset({token.project_id}),
        )
    user = session.get(User, token.user_id) if token.user_id is not None else None
    if user is None or not user.active:
        return None
    return user_principal(session, user, token=token.id)


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def api_principal(request: Request) -> Principal:
    """The bearer token's principal, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise HTTPException(
            401,
            "an API token is required (Authorization: Bearer ...)",
            {"WWW-Authenticate": "Bearer"},
        )
    db = database(request)
    with db.read() as session:
        token = accounts.find_token(session, value.strip())
        principal = token_principal(session, token) if token else None
    if principal is None:
        raise HTTPException(401, "invalid or revoked API token", {"WWW-Authenticate": "Bearer"})
    return principal


class LoginRequired(Exception):
    """A page asked for without a valid session: the handler redirects to /login."""


def web_principal(request: Request) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    db = database(request)
    with db.read() as session:
        found = accounts.find_session(session, cookie, at=utcnow()) if cookie else None
        if found is None:
            raise LoginRequired()
        row, user = found
        return user_principal(session, user, csrf=row.csrf_token)


def same_origin(request: Request) -> bool:
    """A browser's Origin (when it sends one) must be this server's."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    expected = f"{request.url.scheme}://{request.url.netloc}"
    return origin == expected


def check_csrf(request: Request, principal: Principal, submitted: str) -> None:
    if principal.csrf_token is None or not hmac.compare_digest(principal.csrf_token, submitted):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")
    if not same_origin(request):
        raise HTTPException(403, "cross-origin form submission refused")


def visible_project(session: Session, principal: Principal, slug: str) -> Project:
    """The project, if this principal may read it; 404 otherwise (existence is not told)."""
    from glasshouse.storage.queries import project_by_slug

    project = project_by_slug(session, slug)
    if project is None or not principal.can_read(project):
        raise HTTPException(404, f"no project {slug!r}")
    return project
