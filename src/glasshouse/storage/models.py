"""The tables. Times are naive UTC everywhere (SQLite keeps no time zone).

A *finding* row is one finding tracked across runs in one scope: (project, branch,
fingerprint); the fingerprint already names its kind. Its triage state is written only
by :func:`glasshouse.storage.triage.append_event`, in the same transaction as the
append-only event that sets it, and a test checks it always equals the latest event's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

# Stable constraint names, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


ROLES = ("admin", "security", "developer", "auditor")
TRIAGE_STATES = ("open", "confirmed", "false_positive", "accepted_risk", "fixed")
WAIVER_STATES = ("requested", "approved", "rejected", "revoked")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # uploads must carry a gate decision signed by one of the project's signing keys
    require_signed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Membership(Base):
    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)


class ApiToken(Base):
    """A bearer token: ``gh_<id>_<secret>``. Only a SHA-256 of the secret is kept.

    ``project_id`` set: a CI token for that project (upload runs, read its gate).
    ``user_id`` set: a personal token acting as that user, with the user's role.
    """

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebSession(Base):
    """A browser session; the cookie holds a random value, the table its SHA-256."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginAttempt(Base):
    """Failed logins, counted per user name and per address (shared by every process)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    run_key: Mapped[str] = mapped_column(String(200))  # the client's idempotency key
    branch: Mapped[str] = mapped_column(String(255))
    commit: Mapped[str | None] = mapped_column(String(64))
    repository: Mapped[str | None] = mapped_column(String(500))
    pipeline_url: Mapped[str | None] = mapped_column(String(1000))
    ci_system: Mapped[str | None] = mapped_column(String(50))
    kinds: Mapped[str] = mapped_column(
        String(200)
    )  # finding kinds the run covered, comma-separated
    verdict: Mapped[str] = mapped_column(String(20))
    exit_code: Mapped[int] = mapped_column(SmallInteger)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(20))
    override: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    waivers: Mapped[list[Any]] = mapped_column(JSON)
    problems: Mapped[list[Any]] = mapped_column(JSON)
    target: Mapped[str] = mapped_column(String(1000))
    tool_version: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    findings_count: Mapped[int] = mapped_column(Integer)
    critical: Mapped[int] = mapped_column(Integer)
    high: Mapped[int] = mapped_column(Integer)
    medium: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    unknown: Mapped[int] = mapped_column(Integer)
    new_findings: Mapped[int] = mapped_column(Integer)
    fixed_findings: Mapped[int] = mapped_column(Integer)
    report_sha256: Mapped[str] = mapped_column(String(64))
    token_id: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (
        UniqueConstraint("project_id", "run_key", name="uq_runs_project_run_key"),
        Index("ix_runs_project_received", "project_id", "received_at"),
        Index("ix_runs_project_id", "project_id", "id"),
        Index("ix_runs_received", "received_at"),
    )


class ScopeHead(Base):
    """The newest run of one scope (project, branch, kind); locked while a run is ingested."""

    __tablename__ = "scope_heads"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    branch: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(BigId)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes: Mapped[bool] = mapped_column(Boolean, default=False)  # may that run close findings?


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    branch: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[int] = mapped_column(SmallInteger)  # Severity's rank, 0 unknown .. 4 critical
    path: Mapped[str] = mapped_column(String(1000))
    line: Mapped[int | None] = mapped_column(Integer)
    package: Mapped[str | None] = mapped_column(String(300))
    fix: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # the report's finding, gate removed
    state: Mapped[str] = mapped_column(String(20))  # = the latest event's state
    state_expires: Mapped[date | None] = mapped_column(Date)  # accepted risk until
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    first_run_id: Mapped[int] = mapped_column(BigId)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_run_id: Mapped[int] = mapped_column(BigId)
    __table_args__ = (
        UniqueConstraint("project_id", "branch", "fingerprint", name="uq_findings_scope_fp"),
        # the searches walk these newest first, one state (and project) at a time
        Index("ix_findings_state_id", "state", "id"),
        Index("ix_findings_project_state_id", "project_id", "state", "id"),
        Index("ix_findings_rule", "rule_id"),
        Index("ix_findings_project_fingerprint", "project_id", "fingerprint"),
    )


class PostureCount(Base):
    """Open findings (open or confirmed) of one project, severity and first-seen day.

    Kept by :mod:`glasshouse.storage.posture` in the transaction that changes the
    findings it counts, so the overview never counts the findings table itself.
    """

    __tablename__ = "posture_counts"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    severity: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    first_seen_day: Mapped[date] = mapped_column(Date, primary_key=True)
    open_findings: Mapped[int] = mapped_column(Integer)


class TriageDecision(Base):
    """A person's false-positive or accepted-risk decision about one fingerprint in a project.

    It applies to that finding on every branch and whenever it comes back (each time as
    an event of the system actor). It is the fold of the events: the latest triage event
    a person appended to any finding of that fingerprint in that project, kept only when
    it says false positive or accepted risk (an accepted risk past its date no longer
    applies; reopening or confirming a finding removes the row).
    """

    __tablename__ = "triage_decisions"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    expires: Mapped[date | None] = mapped_column(Date)
    event_id: Mapped[int] = mapped_column(BigId)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class RunFinding(Base):
    """Which tracked findings one run reported, and what its gate made of each."""

    __tablename__ = "run_findings"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), primary_key=True)
    disposition: Mapped[str | None] = mapped_column(String(20))
    line: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_run_findings_finding", "finding_id"),)


class Event(Base):
    """The append-only log: triage changes, waiver decisions, runs, accounts.

    Rows are only ever inserted. ``state`` is set on triage events of a finding.
    """

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    project_id: Mapped[int | None] = mapped_column(Integer)
    finding_id: Mapped[int | None] = mapped_column(BigId)
    waiver_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(BigId)
    state: Mapped[str | None] = mapped_column(String(20))
    expires: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        Index("ix_events_finding", "finding_id", "id"),
        Index("ix_events_project", "project_id", "id"),
        Index("ix_events_waiver", "waiver_id"),
    )


class WaiverRequest(Base):
    """A waiver asked for on the server; the gate applies it once approved, until it expires."""

    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    rule: Mapped[str | None] = mapped_column(String(200))
    package: Mapped[str | None] = mapped_column(String(300))
    path: Mapped[str | None] = mapped_column(String(1000))
    fingerprint: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    ticket: Mapped[str | None] = mapped_column(String(200))
    expires: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # = its latest waiver event's
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """Organization-wide settings, such as the organization policy (TOML)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class Webhook(Base):
    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(1000))
    secret: Mapped[str] = mapped_column(String(200))  # shared with the receiver, for HMAC
    events: Mapped[str] = mapped_column(String(500))  # comma-separated event names, or "*"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Job(Base):
    """The durable job queue: claimed with UPDATE ... RETURNING (SKIP LOCKED on PostgreSQL)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # queued, running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[datetime] = mapped_column(DateTime)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)


class SigningKeyRecord(Base):
    """A public key whose signed gate decisions a project's uploads may carry."""

    __tablename__ = "signing_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    keyid: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the raw public key
    public_key: Mapped[str] = mapped_column(Text)  # PEM (SubjectPublicKeyInfo)
    name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("project_id", "keyid", name="uq_signing_keys_project_keyid"),
    )


class LogState(Base):
    """The transparency log's one row: its name, its key and its tree size.

    ``size`` is the compare-and-append guard: an append moves it from the size it read
    to the new size, or finds it moved and fails (``LogConflict``). It is kept apart
    from the entries, so a dropped entry row is seen as missing. ``private_key`` is the
    log's Ed25519 key (PKCS#8 PEM), NULL when the operator keeps it in a file.
    """

    __tablename__ = "log_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    origin: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(Text)
    private_key: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LogEntryRow(Base):
    """One leaf of the log: ``data`` is the entry's canonical JSON, hashed as is.

    The other columns only index it (whose it is, what it records); the tree covers
    ``data`` alone.
    """

    __tablename__ = "log_entries"
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    kind: Mapped[str] = mapped_column(String(20))
    project_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    logged_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_log_entries_run", "run_id"),
        Index("ix_log_entries_event", "event_id"),
        Index("ix_log_entries_project", "project_id", "idx"),
    )


class LogNode(Base):
    """The hash of each complete perfect subtree of the log, by (level, index)."""

    __tablename__ = "log_nodes"
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class LogCheckpoint(Base):
    """Each signed checkpoint the log published, by tree size."""

    __tablename__ = "log_checkpoints"
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
