"""Users, projects, memberships, API tokens, browser sessions and login attempts.

Passwords are hashed with Argon2id (argon2-cffi). Tokens and session ids are random
values shown once; only their SHA-256 is stored (they carry 256 bits of entropy, so a
slow hash adds nothing), and they are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from glasshouse.storage.models import (
    ROLES,
    ApiToken,
    Event,
    LoginAttempt,
    Membership,
    Project,
    Setting,
    User,
    WebSession,
)

_HASHER = PasswordHasher()
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TOKEN = re.compile(r"^gh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12


class AccountError(ValueError):
    """A request about accounts that cannot be done, in one line."""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def log(
    session: Session,
    actor: str,
    action: str,
    reason: str,
    *,
    at: datetime,
    project_id: int | None = None,
) -> None:
    session.add(Event(at=at, actor=actor, action=action, project_id=project_id, reason=reason))


def create_user(
    session: Session, name: str, role: str, password: str, *, at: datetime, actor: str = "cli"
) -> User:
    if not NAME.match(name):
        raise AccountError(f"{name!r}: a user name is letters, digits and . _ @ - (at most 100)")
    if name.lower() == "system":
        raise AccountError("'system' is the server's own name in the event log")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise AccountError(f"user {name!r} already exists")
    user = User(
        name=name, role=role, password_hash=_HASHER.hash(password), active=True, created_at=at
    )
    session.add(user)
    session.flush()
    log(session, actor, "user_created", f"{name} ({role})", at=at)
    return user


def set_password(session: Session, user: User, password: str, *, at: datetime, actor: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    user.password_hash = _HASHER.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    log(session, actor, "password_changed", user.name, at=at)


# A hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def check_password(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


def get_or_create_project(
    session: Session, slug: str, *, at: datetime, name: str | None = None, actor: str = "cli"
) -> Project:
    if not SLUG.match(slug):
        raise AccountError(f"{slug!r}: a project slug is lower-case letters, digits and . _ -")
    project = session.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        project = Project(slug=slug, name=name or slug, created_at=at)
        session.add(project)
        session.flush()
        log(session, actor, "project_created", slug, at=at, project_id=project.id)
    return project


def add_member(
    session: Session, user: User, project: Project, *, at: datetime, actor: str = "cli"
) -> None:
    if session.get(Membership, (user.id, project.id)) is None:
        session.add(Membership(user_id=user.id, project_id=project.id))
        log(
            session,
            actor,
            "member_added",
            f"{user.name} to {project.slug}",
            at=at,
            project_id=project.id,
        )


def remove_member(
    session: Session, user: User, project: Project, *, at: datetime, actor: str
) -> bool:
    membership = session.get(Membership, (user.id, project.id))
    if membership is None:
        return False
    session.delete(membership)
    log(
        session,
        actor,
        "member_removed",
        f"{user.name} from {project.slug}",
        at=at,
        project_id=project.id,
    )
    return True


def update_user(
    session: Session, user: User, *, role: str, active: bool, at: datetime, actor: str
) -> None:
    """Change a user's role or switch them off (which ends their sessions)."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if user.name == actor and (role != user.role or not active):
        raise AccountError("you cannot change your own role or switch yourself off")
    changes = []
    if role != user.role:
        changes.append(f"role {user.role} -> {role}")
        user.role = role
    if active != user.active:
        changes.append("switched on" if active else "switched off")
        user.active = active
        if not active:
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    if changes:
        log(session, actor, "user_changed", f"{user.name}: {', '.join(changes)}", at=at)


def project_ids_of(session: Session, user: User) -> set[int]:
    return set(session.scalars(select(Membership.project_id).where(Membership.user_id == user.id)))


@dataclass(frozen=True, slots=True)
class NewToken:
    token: str  # shown once, never stored
    record: ApiToken


def create_token(
    session: Session,
    name: str,
    *,
    at: datetime,
    project: Project | None = None,
    user: User | None = None,
    actor: str = "cli",
) -> NewToken:
    if (project is None) == (user is None):
        raise AccountError("a token belongs to a project (CI) or to a user, not both")
    public = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = ApiToken(
        id=public,
        secret_sha256=_sha256(secret),
        name=name,
        project_id=project.id if project else None,
        user_id=user.id if user else None,
        created_at=at,
    )
    session.add(record)
    owner = f"project {project.slug}" if project else f"user {user.name}"  # type: ignore[union-attr]
    log(
        session,
        actor,
        "token_created",
        f"{public} for {owner}",
        at=at,
        project_id=project.id if project else None,
    )
    return NewToken(f"gh_{public}_{secret}", record)


def find_token(session: Session, token: str) -> ApiToken | None:
    match = TOKEN.match(token)
    if match is None:
        return None
    record = session.get(ApiToken, match.group(1))
    if record is None or record.revoked_at is not None:
        return None
    if not hmac.compare_digest(record.secret_sha256, _sha256(match.group(2))):
        return None
    return record


def revoke_token(session: Session, token_id: str, *, at: datetime, actor: str = "cli") -> bool:
    record = session.get(ApiToken, token_id)
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = at
    log(session, actor, "token_revoked", token_id, at=at, project_id=record.project_id)
    return True


def open_session(session: Session, user: User, *, at: datetime) -> tuple[str, WebSession]:
    """A new browser session: returns the cookie value (shown once) and the row."""
    value = secrets.token_urlsafe(32)
    row = WebSession(
        id=_sha256(value),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=at,
        expires_at=at + SESSION_LIFETIME,
    )
    session.add(row)
    return value, row


def find_session(session: Session, value: str, *, at: datetime) -> tuple[WebSession, User] | None:
    if not value or len(value) > 100:
        return None
    row = session.get(WebSession, _sha256(value))
    if row is None or row.expires_at <= at:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def close_session(session: Session, value: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == _sha256(value)))


@dataclass(frozen=True, slots=True)
class RateLimit:
    window: timedelta = timedelta(minutes=15)
    per_user: int = 5
    per_address: int = 20


def login_blocked(
    session: Session, name: str, address: str, *, at: datetime, limit: RateLimit
) -> bool:
    since = at - limit.window
    by_user = session.scalar(
        select(func.count()).where(LoginAttempt.username == name, LoginAttempt.at > since)
    )
    by_address = session.scalar(
        select(func.count()).where(LoginAttempt.address == address, LoginAttempt.at > since)
    )
    return (by_user or 0) >= limit.per_user or (by_address or 0) >= limit.per_address


def record_failure(
    session: Session, name: str, address: str, *, at: datetime, limit: RateLimit
) -> None:
    session.add(LoginAttempt(username=name[:100], address=address[:100], at=at))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < at - limit.window * 2))


def clear_failures(session: Session, name: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == name))


ORG_POLICY = "org_policy"


def org_policy(session: Session) -> Setting | None:
    return session.get(Setting, ORG_POLICY)


def set_org_policy(session: Session, text: str, *, actor: str, at: datetime) -> None:
    """Store the organization policy (already validated) and log who changed it."""
    setting = session.get(Setting, ORG_POLICY)
    if setting is None:
        session.add(Setting(key=ORG_POLICY, value=text, updated_at=at, updated_by=actor))
    else:
        setting.value, setting.updated_at, setting.updated_by = text, at, actor
    log(session, actor, "policy_changed", f"{len(text)} bytes", at=at)
