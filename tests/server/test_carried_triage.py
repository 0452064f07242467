"""A false-positive or accepted-risk decision follows its fingerprint: to every branch of
the project and back from fixed, each time as an event of the system actor."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import insert, select, text

from glasshouse.model import Severity
from glasshouse.storage import accounts
from glasshouse.storage.db import Database, utcnow
from glasshouse.storage.models import Event, Finding, Project, TriageDecision
from glasshouse.storage.posture import posture_drift
from glasshouse.storage.triage import (
    SYSTEM,
    Change,
    append_events,
    carry_decisions,
    decision_drift,
    expire_accepted_risks,
    state_drift,
)

from . import reports
from .conftest import PASSWORD, PG_ADMIN, PG_HOST, World
from .test_posture import _alembic

SOON = (date.today() + timedelta(days=10)).isoformat()
RULE = "GHSA-test-0000-xxxx"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Shop:
    def __init__(self, world: World) -> None:
        self.world = world
        self.ci = world.ci_token("shop")
        self.sec = world.user("sec", "security")
        self.runs = 0

    def upload(self, branch: str, found: list[Any], slug: str = "shop") -> dict[str, Any]:
        self.runs += 1
        token = self.ci if slug == "shop" else self.world.ci_token(slug)
        data = reports.report(found, started_at=f"2026-11-27T10:{self.runs:02d}:00Z")
        answer = self.world.upload(token, slug, reports.body(data), f"r{self.runs}", branch=branch)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def finding(self, branch: str, rule: str = RULE, slug: str = "shop") -> Finding:
        with self.world.db.read() as session:
            row = session.scalar(
                select(Finding)
                .join(Project, Project.id == Finding.project_id)
                .where(Finding.branch == branch, Finding.rule_id == rule, Project.slug == slug)
            )
            assert row is not None, (branch, rule)
            return row

    def triage(self, finding: Finding, state: str, **extra: str) -> Any:
        return self.world.client.post(
            f"/api/v1/findings/{finding.id}/triage",
            json={"state": state, "reason": f"{state} says sec", **extra},
            headers=auth(self.sec),
        )

    def history(self, finding: Finding) -> list[tuple[str | None, str]]:
        with self.world.db.read() as session:
            return [
                (e.state, e.actor)
                for e in session.scalars(
                    select(Event).where(Event.finding_id == finding.id).order_by(Event.id)
                )
            ]

    def consistent(self) -> None:
        with self.world.db.read() as session:
            assert state_drift(session) == []
            assert decision_drift(session) == []
            assert posture_drift(session) == []


def test_a_false_positive_on_main_reaches_every_branch(world: World) -> None:
    shop = Shop(world)
    two = reports.many(2)
    shop.upload("main", two)
    shop.upload("feature-a", two)
    assert shop.triage(shop.finding("main"), "false_positive").status_code == 200
    shop.consistent()
    carried = shop.finding("feature-a")
    assert carried.state == "false_positive"
    assert shop.history(carried) == [("open", "run 2"), ("false_positive", SYSTEM)]
    with world.db.read() as session:
        reason = session.scalars(
            select(Event.reason).where(Event.finding_id == carried.id).order_by(Event.id.desc())
        ).first()
    assert reason == "false positive decided by sec on main: false_positive says sec"
    assert shop.finding("feature-a", "GHSA-test-0001-xxxx").state == "open"  # another fp
    # a branch made later gets it as soon as the finding arrives there
    shop.upload("feature-b", two)
    later = shop.finding("feature-b")
    assert later.state == "false_positive"
    assert shop.history(later) == [("open", "run 3"), ("false_positive", SYSTEM)]
    # another project with the same fingerprint is not touched
    shop.upload("main", two, slug="blog")
    assert shop.finding("main", slug="blog").state == "open"
    shop.consistent()
    page = world.browser("sec").client.get(f"/findings/{later.id}")
    assert "decided by sec on" in page.text


def test_a_decision_survives_fixed_and_reappearance(world: World) -> None:
    shop = Shop(world)
    two = reports.many(2)
    shop.upload("main", two)
    assert shop.triage(shop.finding("main"), "false_positive").status_code == 200
    shop.upload("main", two[1:])  # fixed
    assert shop.finding("main").state == "fixed"
    answer = shop.upload("main", two)  # back
    assert answer["new"] == 0
    back = shop.finding("main")
    assert back.state == "false_positive"
    assert [s for s, _ in shop.history(back)] == [
        "open",
        "false_positive",
        "fixed",
        "open",
        "false_positive",
    ]
    assert shop.history(back)[-1][1] == SYSTEM
    shop.consistent()
    # the gate's baseline and the open counts treat it as the person decided
    with world.db.read() as session:
        assert sum(v for k, v in _open(session).items() if k == RULE) == 0


def _open(session: Any) -> dict[str, int]:
    rows = session.execute(
        select(Finding.rule_id).where(Finding.state.in_(("open", "confirmed")))
    ).all()
    out: dict[str, int] = {}
    for (rule,) in rows:
        out[rule] = out.get(rule, 0) + 1
    return out


def test_an_accepted_risk_carries_its_expiry_and_ends_everywhere(world: World) -> None:
    shop = Shop(world)
    one = reports.many(1, severity=Severity.CRITICAL)
    shop.upload("main", one)
    shop.upload("release", one)
    answer = shop.triage(shop.finding("release"), "accepted_risk", expires=SOON)
    assert answer.status_code == 200
    main = shop.finding("main")
    assert (main.state, main.state_expires) == ("accepted_risk", date.fromisoformat(SOON))
    shop.consistent()
    after = date.fromisoformat(SOON) + timedelta(days=1)
    with world.db.write() as session:
        assert expire_accepted_risks(session, today=after, at=utcnow()) == 2
        # an expired decision is not carried any more
        assert carry_decisions(session, today=after, at=utcnow()) == 0
    assert shop.finding("main").state == "open"
    assert shop.finding("release").state == "open"
    shop.consistent()


def test_reopening_withdraws_the_decision(world: World) -> None:
    shop = Shop(world)
    one = reports.many(1)
    shop.upload("main", one)
    shop.upload("feature", one)
    assert shop.triage(shop.finding("main"), "false_positive").status_code == 200
    assert shop.finding("feature").state == "false_positive"
    # security changes its mind on the feature branch: confirmed, everywhere
    assert shop.triage(shop.finding("feature"), "confirmed").status_code == 200
    assert shop.finding("main").state == "confirmed"
    assert shop.history(shop.finding("main"))[-1] == ("confirmed", SYSTEM)
    with world.db.read() as session:
        assert session.scalars(select(TriageDecision)).all() == []
    shop.upload("other", one)
    assert shop.finding("other").state == "open"
    shop.consistent()
    # a fixed finding elsewhere is left alone (only a run fixes or brings it back)
    assert shop.triage(shop.finding("main"), "false_positive").status_code == 200
    shop.upload("feature", [])
    assert shop.finding("feature").state == "fixed"
    assert shop.triage(shop.finding("main"), "open").status_code == 200
    assert shop.finding("feature").state == "fixed"
    assert shop.finding("other").state == "open"
    shop.consistent()


def test_the_sweep_carries_decisions_made_before_they_were_carried(world: World) -> None:
    shop = Shop(world)
    one = reports.many(1)
    shop.upload("main", one)
    shop.upload("feature", one)
    main = shop.finding("main")
    # as a server before carried decisions did: the event alone, then the migration's row
    with world.db.write() as session:
        append_events(
            session,
            [Change(main.id, "false_positive", "test code")],
            actor="sec",
            at=utcnow(),
            project_id=main.project_id,
        )
        event_id = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
        session.execute(
            insert(TriageDecision),
            [
                {
                    "project_id": main.project_id,
                    "fingerprint": main.fingerprint,
                    "state": "false_positive",
                    "expires": None,
                    "event_id": event_id,
                    "actor": "sec",
                    "reason": "test code",
                    "decided_at": utcnow(),
                }
            ],
        )
    assert shop.finding("feature").state == "open"
    with world.db.write() as session:
        assert carry_decisions(session, today=date.today(), at=utcnow()) == 1
        assert carry_decisions(session, today=date.today(), at=utcnow()) == 0
    assert shop.finding("feature").state == "false_positive"
    shop.consistent()


def test_system_is_not_a_user_name(world: World) -> None:
    with world.db.write() as session, pytest.raises(accounts.AccountError):
        accounts.create_user(session, "system", "security", PASSWORD, at=utcnow())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_takes_decisions_from_the_event_log(backend: str, tmp_path: Path) -> None:
    admin, name = None, ""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
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
            _alembic(connection, "0002")
            connection.commit()
        now = utcnow()
        with db.write() as session:
            # Raw SQL: the models describe the newest schema, this database is at 0002.
            session.execute(
                text("INSERT INTO projects (slug, name, created_at) VALUES (:s, :s, :at)"),
                {"s": "shop", "at": now},
            )
            for i, branch in enumerate(("main", "feature", "main")):
                session.execute(
                    insert(Finding),
                    [
                        {
                            "project_id": 1,
                            "branch": branch,
                            "fingerprint": f"{0 if i < 2 else 1:032x}",
                            "kind": "vulnerability",
                            "rule_id": f"R{i}",
                            "title": "t",
                            "severity": 3,
                            "path": f"p{i}",
                            "details": {},
                            "state": "open",
                            "first_seen_at": now,
                            "first_run_id": 1,
                            "last_seen_at": now,
                            "last_run_id": 1,
                        }
                    ],
                )
            events = [
                (1, "run 1", 1, "open"),
                (1, "sec", None, "false_positive"),  # fingerprint 0: false positive ...
                (2, "sec", None, "confirmed"),  # ... then confirmed on the other branch
                (3, "sec", None, "accepted_risk"),  # fingerprint 1: accepted risk
                (3, SYSTEM, None, "open"),  # expired: the decision stays the person's
            ]
            for finding, actor, run, state in events:
                session.execute(
                    insert(Event),
                    [
                        {
                            "at": now,
                            "actor": actor,
                            "action": "triage",
                            "project_id": 1,
                            "finding_id": finding,
                            "run_id": run,
                            "state": state,
                            "expires": date(2027, 1, 1) if state == "accepted_risk" else None,
                            "reason": "r",
                        }
                    ],
                )
        with db.engine.connect() as connection:
            _alembic(connection, "head")
            connection.commit()
        with db.read() as session:
            assert decision_drift(session) == []
            rows = session.scalars(select(TriageDecision)).all()
            assert [(d.fingerprint, d.state) for d in rows] == [(f"{1:032x}", "accepted_risk")]
    finally:
        db.dispose()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
