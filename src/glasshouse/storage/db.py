"""Engines, sessions and migrations for SQLite (embedded) and PostgreSQL (teams)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_VARIABLE = "GLASSHOUSE_DATABASE_URL"
MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 7_151_213  # pg_advisory_lock key: one migrating process at a time


class DatabaseError(Exception):
    """One line saying which database and what is wrong."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def default_database_url(environ: Mapping[str, str] = os.environ) -> str:
    """``GLASSHOUSE_DATABASE_URL``, else a SQLite file in the user data directory."""
    configured = environ.get(DATABASE_URL_VARIABLE, "").strip()
    if configured:
        return configured
    data = Path(platformdirs.user_data_dir("glasshouse", appauthor=False))
    return f"sqlite:///{data / 'glasshouse.db'}"


def normalize_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy's default would be psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise DatabaseError(
            f"unsupported database {parsed.drivername!r}: use postgresql://... or sqlite:///FILE"
        )
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys, and transactions the driver does not begin behind our back.

    Writers begin with BEGIN IMMEDIATE (a session made by ``write_session``), so two
    writers queue on the busy timeout instead of failing on a lock upgrade.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("glasshouse_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_postgresql(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "postgresql"


class Database:
    """One engine and its session factories."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        # copied into every session's ``info`` (the server puts its log identity here)
        self.info: dict[str, Any] = {}
        self._read = sessionmaker(self.engine, expire_on_commit=False, info=self.info)
        self._write = sessionmaker(
            self.engine.execution_options(glasshouse_write=True),
            expire_on_commit=False,
            info=self.info,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends and rolls back on any error."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def migrate(database: Database) -> str:
    """Bring the schema to the newest revision (Alembic); returns that revision.

    On PostgreSQL an advisory lock lets many starting processes migrate safely.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if database.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                connection.commit()
    return current_revision(database)


def current_revision(database: Database) -> str:
    with database.engine.connect() as connection:
        try:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except Exception:
            return ""
        return str(row[0]) if row else ""
