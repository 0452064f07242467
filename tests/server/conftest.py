"""Fixtures for the server: every test runs against SQLite and against real PostgreSQL.

PostgreSQL (127.0.0.1:5432, user postgres, trust auth) gets a fresh database per test
session, ``glasshouse_test_<random>``, dropped at the end; each test starts from empty
tables. SQLite tests copy a migrated template file.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from glasshouse.server.app import create_app
from glasshouse.server.settings import ServerSettings
from glasshouse.storage import accounts
from glasshouse.storage.db import Database, migrate, utcnow
from glasshouse.storage.models import Base, User

PG_HOST = "127.0.0.1:5432"
PG_ADMIN = f"postgresql://postgres@{PG_HOST}/test"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {PG_HOST} is unreachable: {exc}")
    name = f"glasshouse_test_{secrets.token_hex(5)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@{PG_HOST}/{name}"
    try:
        db = Database(url)
        migrate(db)
        db.dispose()
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "glasshouse.db"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    db.dispose()
    return path


def empty_postgres(url: str) -> Database:
    db = Database(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "glasshouse.db")
        database = Database(f"sqlite:///{tmp_path / 'glasshouse.db'}")
    else:
        database = empty_postgres(request.getfixturevalue("pg_url"))
    yield database
    database.dispose()


@dataclass
class World:
    """A server app on one database, and helpers to populate it."""

    db: Database
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def project(self, slug: str) -> None:
        with self.db.write() as session:
            accounts.get_or_create_project(session, slug, at=utcnow())

    def ci_token(self, slug: str) -> str:
        with self.db.write() as session:
            project = accounts.get_or_create_project(session, slug, at=utcnow())
            token = accounts.create_token(session, f"ci {slug}", at=utcnow(), project=project).token
        self.tokens[f"ci:{slug}"] = token
        return token

    def user(self, name: str, role: str, *projects: str) -> str:
        """Create a user (and its projects); returns a personal API token for it."""
        with self.db.write() as session:
            now = utcnow()
            user = accounts.create_user(session, name, role, PASSWORD, at=now)
            for slug in projects:
                accounts.add_member(
                    session, user, accounts.get_or_create_project(session, slug, at=now), at=now
                )
            token = accounts.create_token(session, f"{name}'s", at=now, user=user).token
        self.tokens[name] = token
        return token

    def user_id(self, name: str) -> int:
        with self.db.read() as session:
            user = session.query(User).filter_by(name=name).one()
            return user.id

    def upload(
        self,
        token: str,
        slug: str,
        body: bytes,
        run_id: str,
        branch: str = "main",
        **headers: str,
    ) -> Any:
        sent = {
            "Authorization": f"Bearer {token}",
            "Glasshouse-Run-Id": run_id,
            "Glasshouse-Branch": branch,
            "Content-Type": "application/json",
            **{k.replace("_", "-"): v for k, v in headers.items()},
        }
        return self.client.post(f"/api/v1/projects/{slug}/runs", content=body, headers=sent)

    def browser(self, name: str) -> WebUser:
        """A separate cookie jar logged in as ``name``."""
        client = TestClient(self.client.app, base_url="http://testserver")
        page = client.get("/login")
        csrf = page.cookies.get("glasshouse_login_csrf") or CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        done = client.post(
            "/login",
            data={"username": name, "password": PASSWORD, "csrf_token": csrf, "next": "/"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        home = client.get("/")
        match = CSRF.search(home.text)
        assert match is not None
        return WebUser(client, match.group(1))


@dataclass
class WebUser:
    client: TestClient
    csrf: str

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **data}, **kwargs)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    app = create_app(
        ServerSettings(database_url=db.url, worker=False, max_upload_bytes=4 << 20), db
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield World(db, client)


GLASSHOUSE = str(Path(sys.executable).with_name("glasshouse"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli(*args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real `glasshouse` command."""
    result = subprocess.run(
        [GLASSHOUSE, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "GLASSHOUSE_DEBUG": "1", **env},
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@contextmanager
def live_server(database_url: str, *extra: str) -> Iterator[str]:
    """A real `glasshouse server` process (uvicorn) on a loopback port; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [GLASSHOUSE, "server", "--database-url", database_url, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "GLASSHOUSE_DEBUG": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited: {process.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stderr is not None:
            process.stderr.close()
