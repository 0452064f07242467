"""The posture counts the overview reads never drift from the findings they count."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, insert, select, text

from glasshouse.model import Severity
from glasshouse.storage import queries
from glasshouse.storage.db import MIGRATIONS, Database, utcnow
from glasshouse.storage.models import Finding, PostureCount, Project
from glasshouse.storage.posture import (
    AGE_BUCKETS,
    OPEN_STATES,
    open_by_age,
    posture_drift,
    stored,
)
from glasshouse.storage.triage import expire_accepted_risks, state_drift

from . import reports
from .conftest import PG_ADMIN, PG_HOST, World

SOON = (date.today() + timedelta(days=10)).isoformat()


def stamp(days_ago: int, hour: int = 10) -> str:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def check(world: World) -> None:
    """The counts equal a recount from the findings, and the overview shows them."""
    with world.db.read() as session:
        assert posture_drift(session) == []
        assert state_drift(session) == []
        view = queries.overview(session, None, now=utcnow())
        by_severity = dict(
            session.execute(
                select(Finding.severity, func.count())
                .where(Finding.state.in_(OPEN_STATES))
                .group_by(Finding.severity)
            ).all()
        )
        assert view.open_by_severity == {
            queries.SEVERITY_LABELS[s]: by_severity.get(s, 0)
            for s in sorted(queries.SEVERITY_LABELS, reverse=True)
        }
        today = utcnow().date()
        ages = dict.fromkeys((label for *_, label in AGE_BUCKETS), 0)
        for (first_seen,) in session.execute(
            select(Finding.first_seen_at).where(Finding.state.in_(OPEN_STATES))
        ):
            age = (today - first_seen.date()).days
            for low, high, label in AGE_BUCKETS:
                if (age >= low or low == 0) and (high is None or age < high):
                    ages[label] += 1
                    break
        assert dict(view.age_buckets) == ages


def finding_id(world: World, rule: str, branch: str = "main", slug: str = "shop") -> int:
    with world.db.read() as session:
        found = session.scalar(
            select(Finding.id)
            .join(Project, Project.id == Finding.project_id)
            .where(Finding.rule_id == rule, Finding.branch == branch, Project.slug == slug)
        )
        assert found is not None
        return found


def triage(world: World, token: str, finding: int, state: str, **extra: str) -> None:
    answer = world.client.post(
        f"/api/v1/findings/{finding}/triage",
        json={"state": state, "reason": f"set {state}", **extra},
        headers=auth(token),
    )
    assert answer.status_code == 200, answer.text


def test_counts_follow_uploads_fixes_triage_and_expiry(world: World) -> None:
    shop, blog = world.ci_token("shop"), world.ci_token("blog")
    sec = world.user("sec", "security")

    def upload(token: str, slug: str, found: list[object], run: str, **kw: str) -> None:
        branch = kw.pop("branch", "main")
        data = reports.report(found, started_at=kw.pop("started_at", stamp(0)))  # type: ignore[arg-type]
        answer = world.upload(token, slug, reports.body(data), run, branch=branch)
        assert answer.status_code == 201, answer.text

    five = reports.many(5)
    secret = reports.secret("config/app.env")
    upload(shop, "shop", [*five, secret], "1", started_at=stamp(120))
    check(world)
    upload(shop, "shop", five[:3], "f1", branch="feature", started_at=stamp(40))
    upload(blog, "blog", reports.many(2, prefix="b"), "1", started_at=stamp(3))
    check(world)
    # pkg0 turns critical, pkg3 and pkg4 and the secret are fixed
    worse = reports.vuln("pkg0", "GHSA-test-0000-xxxx", Severity.CRITICAL)
    upload(shop, "shop", [worse, *five[1:3]], "2", started_at=stamp(20))
    check(world)
    triage(world, sec, finding_id(world, "GHSA-test-0000-xxxx"), "false_positive")
    triage(world, sec, finding_id(world, "GHSA-test-0001-xxxx"), "confirmed")
    triage(world, sec, finding_id(world, "GHSA-test-0002-xxxx"), "accepted_risk", expires=SOON)
    check(world)
    # pkg3 and pkg4 come back (reopened), pkg1 is fixed on main while confirmed
    upload(shop, "shop", [worse, five[2], five[3], five[4]], "3", started_at=stamp(5))
    check(world)
    # a late run on the feature branch, older than its newest: closes nothing
    upload(shop, "shop", [five[4]], "f0", branch="feature", started_at=stamp(60))
    check(world)
    later = date.fromisoformat(SOON) + timedelta(days=1)
    with world.db.write() as session:
        assert expire_accepted_risks(session, today=later, at=utcnow()) >= 1
    check(world)
    triage(world, sec, finding_id(world, "GHSA-test-0000-xxxx"), "open")
    triage(world, sec, finding_id(world, "GHSA-test-0003-xxxx"), "false_positive")
    check(world)
    # the secret reappears with a lower severity: reopened, counted at its new severity
    upload(shop, "shop", [reports.secret("config/app.env", severity=Severity.HIGH)], "4")
    check(world)
    with world.db.read() as session:
        assert sum(stored(session).values()) > 0


def test_developers_count_only_their_projects(world: World) -> None:
    shop, blog = world.ci_token("shop"), world.ci_token("blog")
    world.user("dev", "developer", "shop")
    for token, slug, count in ((shop, "shop", 2), (blog, "blog", 3)):
        data = reports.report(reports.many(count, prefix=slug))
        assert world.upload(token, slug, reports.body(data), "1").status_code == 201
    with world.db.read() as session:
        shop_id = session.scalar(select(Project.id).where(Project.slug == "shop"))
        assert shop_id is not None
        view = queries.overview(session, [shop_id], now=utcnow())
    assert sum(view.open_by_severity.values()) == 2
    assert sum(n for _, n in view.age_buckets) == 2
    page = world.browser("dev").client.get("/")
    assert "<b>2</b> open findings" in page.text


def _alembic(connection: object, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_counts_the_findings_already_stored(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url, admin, name = f"sqlite:///{tmp_path / 'old.db'}", None, ""
    else:
        try:
            admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL at {PG_HOST} is unreachable: {exc}")
        name = f"glasshouse_test_{secrets.token_hex(5)}"
        admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql://postgres@{PG_HOST}/{name}"
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            _alembic(connection, "0001")
            connection.commit()
        now = utcnow()
        with db.write() as session:
            # Raw SQL: the models describe the newest schema, this database is at 0001.
            session.execute(
                text("INSERT INTO projects (slug, name, created_at) VALUES (:s, :s, :at)"),
                {"s": "shop", "at": now},
            )
            rows = []
            for i, (state, severity, days) in enumerate(
                [
                    ("open", 4, 0),
                    ("open", 4, 0),
                    ("confirmed", 4, 100),
                    ("fixed", 4, 0),
                    ("false_positive", 3, 0),
                    ("open", 1, 8),
                ]
            ):
                seen = now - timedelta(days=days)
                rows.append(
                    {
                        "project_id": 1,
                        "branch": "main",
                        "fingerprint": f"{i:032x}",
                        "kind": "vulnerability",
                        "rule_id": f"R{i}",
                        "title": "t",
                        "severity": severity,
                        "path": "p",
                        "details": {},
                        "state": state,
                        "first_seen_at": seen,
                        "first_run_id": 1,
                        "last_seen_at": seen,
                        "last_run_id": 1,
                    }
                )
            session.execute(insert(Finding), rows)
        with db.engine.connect() as connection:
            _alembic(connection, "head")
            connection.commit()
        with db.read() as session:
            assert posture_drift(session) == []
            assert sum(session.scalars(select(PostureCount.open_findings))) == 4
            ages = dict(queries.overview(session, None, now=now).age_buckets)
            assert list(ages.values()) == [2, 1, 0, 1]
    finally:
        db.dispose()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def test_age_buckets_move_with_the_clock_without_a_write(world: World) -> None:
    token = world.ci_token("shop")
    data = reports.report(reports.many(3), started_at=stamp(5))
    assert world.upload(token, "shop", reports.body(data), "1").status_code == 201
    today = utcnow().date()
    with world.db.read() as session:
        before = stored(session)
        assert open_by_age(session, None, today=today) == [
            ("< 7 days", 3),
            ("7-30 days", 0),
            ("30-90 days", 0),
            ("> 90 days", 0),
        ]
        later = [n for _, n in open_by_age(session, None, today=today + timedelta(days=30))]
        assert later == [0, 0, 3, 0]
        assert [n for _, n in open_by_age(session, None, today=today + timedelta(days=85))] == [
            0,
            0,
            0,
            3,
        ]
        assert stored(session) == before
