"""Triage as appended events, waivers asked for and decided, and what the gate receives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from glasshouse.storage.db import utcnow
from glasshouse.storage.models import Event, Finding
from glasshouse.storage.triage import expire_accepted_risks, state_drift

from . import reports
from .conftest import World

SOON = (date.today() + timedelta(days=10)).isoformat()


def setup(world: World) -> tuple[dict[str, str], int]:
    ci = world.ci_token("shop")
    tokens = {
        "ci": ci,
        "sec": world.user("sec", "security"),
        "dev": world.user("dev", "developer", "shop"),
    }
    answer = world.upload(ci, "shop", reports.body(reports.report(reports.many(2))), "1")
    assert answer.status_code == 201
    finding = world.client.get("/api/v1/projects/shop/findings", headers=auth(ci)).json()
    return tokens, finding["findings"][0]["id"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def triage(world: World, token: str, finding: int, **body: Any) -> Any:
    return world.client.post(f"/api/v1/findings/{finding}/triage", json=body, headers=auth(token))


def test_triage_appends_events_and_the_state_follows_them(world: World) -> None:
    tokens, finding = setup(world)
    assert (
        triage(world, tokens["sec"], finding, state="confirmed", reason="reproduced").status_code
        == 200
    )
    answer = triage(
        world, tokens["sec"], finding, state="accepted_risk", reason="internal only", expires=SOON
    )
    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["state_expires"]) == ("accepted_risk", SOON)
    assert (
        triage(
            world, tokens["sec"], finding, state="false_positive", reason="test code"
        ).status_code
        == 200
    )
    with world.db.read() as session:
        events = list(
            session.scalars(select(Event).where(Event.finding_id == finding).order_by(Event.id))
        )
        assert [(e.state, e.actor) for e in events] == [
            ("open", "run 1"),
            ("confirmed", "sec"),
            ("accepted_risk", "sec"),
            ("false_positive", "sec"),
        ]
        assert events[2].expires == date.fromisoformat(SOON)
        assert state_drift(session) == []
    page = world.browser("sec").client.get(f"/findings/{finding}")
    assert "internal only" in page.text
    assert "reproduced" in page.text


def test_invalid_triage_is_refused_and_writes_nothing(world: World) -> None:
    tokens, finding = setup(world)
    with world.db.read() as session:
        before = session.scalar(select(func.count()).select_from(Event))
    for body in (
        {"state": "accepted_risk", "reason": "no date"},
        {"state": "accepted_risk", "reason": "past", "expires": "2001-01-01"},
        {"state": "confirmed", "reason": "dated", "expires": SOON},
        {"state": "fixed", "reason": "only runs fix"},
        {"state": "nonsense", "reason": "x"},
        {"state": "confirmed", "reason": "   "},
    ):
        assert triage(world, tokens["sec"], finding, **body).status_code == 422, body
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == before


def test_an_expired_accepted_risk_reopens(world: World) -> None:
    tokens, finding = setup(world)
    assert (
        triage(
            world, tokens["sec"], finding, state="accepted_risk", reason="r", expires=SOON
        ).status_code
        == 200
    )
    later = date.fromisoformat(SOON) + timedelta(days=1)
    with world.db.write() as session:
        assert expire_accepted_risks(session, today=later, at=utcnow()) == 1
    with world.db.read() as session:
        row = session.get(Finding, finding)
        assert row is not None
        assert row.state == "open"
        assert state_drift(session) == []


def test_waivers_are_asked_by_developers_and_decided_by_someone_else(world: World) -> None:
    tokens, _ = setup(world)
    made = world.client.post(
        "/api/v1/projects/shop/waivers",
        json={
            "rule": "GHSA-test-0000-xxxx",
            "reason": "not reachable",
            "expires": SOON,
            "ticket": "SEC-1",
        },
        headers=auth(tokens["dev"]),
    )
    assert made.status_code == 201
    waiver = made.json()
    assert (waiver["status"], waiver["label"]) == ("requested", f"SRV-{waiver['id']}")
    gate = world.client.get(
        "/api/v1/projects/shop/gate?branch=main", headers=auth(tokens["ci"])
    ).json()
    assert gate["waivers"] == []  # not approved yet
    assert {f["rule_id"] for f in gate["baseline"]["findings"]} == {
        "GHSA-test-0000-xxxx",
        "GHSA-test-0001-xxxx",
    }

    # security asking for its own waiver cannot approve it
    own = world.client.post(
        "/api/v1/projects/shop/waivers",
        json={"rule": "GHSA-own", "reason": "mine", "expires": SOON},
        headers=auth(tokens["sec"]),
    ).json()
    selfish = world.client.post(
        f"/api/v1/waivers/{own['id']}/decision", json={"approve": True}, headers=auth(tokens["sec"])
    )
    assert selfish.status_code == 409
    assert "person who asked" in selfish.json()["detail"]

    approved = world.client.post(
        f"/api/v1/waivers/{waiver['id']}/decision",
        json={"approve": True, "reason": "agreed"},
        headers=auth(tokens["sec"]),
    )
    assert approved.status_code == 200
    assert approved.json()["decided_by"] == "sec"
    twice = world.client.post(
        f"/api/v1/waivers/{waiver['id']}/decision",
        json={"approve": False, "reason": "no"},
        headers=auth(tokens["sec"]),
    )
    assert twice.status_code == 409
    gate = world.client.get("/api/v1/projects/shop/gate", headers=auth(tokens["ci"])).json()
    assert [w["id"] for w in gate["waivers"]] == [waiver["label"]]
    assert gate["waivers"][0]["approver"] == "sec"
    assert gate["baseline"] is None  # no branch asked for
    with world.db.read() as session:
        actions = [
            e.action for e in session.scalars(select(Event).where(Event.waiver_id == waiver["id"]))
        ]
        assert actions == ["waiver_requested", "waiver_approved"]


def test_rejection_needs_a_reason_and_bad_requests_are_refused(world: World) -> None:
    tokens, _ = setup(world)
    made = world.client.post(
        "/api/v1/projects/shop/waivers",
        json={"rule": "GHSA-x", "reason": "r", "expires": SOON},
        headers=auth(tokens["dev"]),
    ).json()
    silent = world.client.post(
        f"/api/v1/waivers/{made['id']}/decision",
        json={"approve": False},
        headers=auth(tokens["sec"]),
    )
    assert silent.status_code == 409
    for body in (
        {"reason": "no rule", "expires": SOON},
        {"rule": "X", "reason": "past", "expires": "2001-01-01"},
        {
            "rule": "X",
            "reason": "too long",
            "expires": (date.today() + timedelta(days=800)).isoformat(),
        },
        {"fingerprint": "not-hex", "reason": "r", "expires": SOON},
    ):
        answer = world.client.post(
            "/api/v1/projects/shop/waivers", json=body, headers=auth(tokens["dev"])
        )
        assert answer.status_code == 422, body


def test_expired_waivers_stop_reaching_the_gate(world: World) -> None:
    tokens, _ = setup(world)
    made = world.client.post(
        "/api/v1/projects/shop/waivers",
        json={"rule": "GHSA-x", "reason": "r", "expires": SOON},
        headers=auth(tokens["dev"]),
    ).json()
    world.client.post(
        f"/api/v1/waivers/{made['id']}/decision",
        json={"approve": True},
        headers=auth(tokens["sec"]),
    )
    from glasshouse.storage.waivers import active_waivers

    with world.db.read() as session:
        assert len(active_waivers(session, 1, date.today())) == 1
        assert active_waivers(session, 1, date.fromisoformat(SOON) + timedelta(days=1)) == []


def test_the_organization_policy_is_validated_and_served_to_the_gate(world: World) -> None:
    tokens, _ = setup(world)
    bad = world.client.put(
        "/api/v1/policy",
        json={"policy": "[gate]\nfail_on = 'severe'\n"},
        headers=auth(tokens["sec"]),
    )
    assert bad.status_code == 422
    assert "fail_on" in bad.json()["detail"]
    good = world.client.put(
        "/api/v1/policy",
        json={"policy": '[gate]\nfail_on = "medium"\n'},
        headers=auth(tokens["sec"]),
    )
    assert good.status_code == 200
    gate = world.client.get("/api/v1/projects/shop/gate", headers=auth(tokens["ci"])).json()
    assert 'fail_on = "medium"' in gate["policy"]
