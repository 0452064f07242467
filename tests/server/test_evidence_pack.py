"""Evidence packs built by the server: they open, every file is in the manifest, and
their figures (runs, passed, failed, waivers with approver and expiry) are the
server's data for the period, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from glasshouse.cli.remote import _waiver
from glasshouse.evidence import keys
from glasshouse.gate.policy import Policy
from glasshouse.model import Severity
from glasshouse.storage import signing
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import LogEntryRow, Project, Run, WaiverRequest

from . import reports, signed
from .conftest import World

TODAY = date.today()
SOON = (TODAY + timedelta(days=10)).isoformat()
START, END = TODAY - timedelta(days=3), TODAY + timedelta(days=3)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stamp(day: date) -> str:
    return f"{day.isoformat()}T10:00:00Z"


def open_pack(data: bytes) -> dict[str, Any]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest["files"]) == names - {"manifest.json"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    return {
        "names": names,
        "controls": json.loads(archive.read("controls.json")),
        "waivers": json.loads(archive.read("waivers.json")),
        "server": json.loads(archive.read("server/summary.json")),
        "server_waivers": json.loads(archive.read("server/waivers.json")),
        "server_runs": json.loads(archive.read("server/runs.json")),
        "html": archive.read("report.html").decode(),
    }


def test_the_packs_figures_are_the_servers_data_for_the_period(world: World) -> None:
    ci = world.ci_token("shop")
    sec, dev = world.user("sec", "security"), world.user("dev", "developer", "shop")
    aud = world.user("aud", "auditor")
    key = keys.generate()
    with world.db.write() as session:
        project = session.scalar(select(Project).where(Project.slug == "shop"))
        assert project is not None
        signing.add_key(
            session, project, keys.VerifyingKey(key.public), name="ci", actor="t", at=utcnow()
        )
    waived, blocking = "GHSA-test-0000-xxxx", "GHSA-block-0001-xxxx"
    for rule, approve in ((waived, True), ("GHSA-other", False)):
        asked = world.client.post(
            "/api/v1/projects/shop/waivers",
            json={"rule": rule, "reason": "not reachable", "expires": SOON},
            headers=auth(dev),
        ).json()
        world.client.post(
            f"/api/v1/waivers/{asked['id']}/decision",
            json={"approve": approve, "reason": "reviewed"},
            headers=auth(sec),
        )
    gate = world.client.get("/api/v1/projects/shop/gate", headers=auth(ci)).json()
    policy = Policy(waivers=tuple(_waiver(w, "https://glass.example") for w in gate["waivers"]))

    high = reports.vuln("pkg0", waived, Severity.HIGH)
    runs = [  # (run id, day, findings, signed)
        ("a", TODAY - timedelta(days=2), [high], True),  # passes: the waiver applies
        ("b", TODAY - timedelta(days=1), [reports.vuln("x", blocking, Severity.CRITICAL)], True),
        ("c", TODAY, reports.many(2), True),  # medium only: passes
        ("d", TODAY, reports.many(1), False),  # unsigned: a run, not a decision
        ("e", TODAY - timedelta(days=10), [high], True),  # before the period
    ]
    for run_id, day, findings, is_signed in runs:
        rep = signed.report_object(findings, policy=policy, started_at=stamp(day), today=day)
        text, envelope = signed.sign(rep, key)
        body = signed.body(text, envelope) if is_signed else text.encode()
        kind = signed.SIGNED_RUN if is_signed else "application/json"
        answer = world.upload(ci, "shop", body, run_id, Content_Type=kind)
        assert answer.status_code == 201, answer.text

    query = f"from={START}&to={END}&framework=iso27001"
    answer = world.client.get(f"/api/v1/evidence/pack?{query}", headers=auth(aud))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    pack = open_pack(answer.content)
    figures = pack["controls"]["figures"]

    # the server's data for the period, read straight from the database
    low = datetime.combine(START, time())
    high_bound = datetime.combine(END + timedelta(days=1), time())
    with world.db.read() as session:
        period_runs = session.execute(
            select(Run.run_key, Run.verdict, LogEntryRow.idx)
            .outerjoin(
                LogEntryRow, (LogEntryRow.run_id == Run.id) & (LogEntryRow.kind == "decision")
            )
            .where(Run.started_at >= low, Run.started_at < high_bound)
        ).all()
        waivers = {f"SRV-{w.id}": w for w in session.scalars(select(WaiverRequest))}
    signed_runs = [r for r in period_runs if r.idx is not None]
    assert sorted(r.run_key for r in period_runs) == ["a", "b", "c", "d"]
    assert figures["decisions"] == len(signed_runs) == 3
    assert figures["passed"] == sum(1 for r in signed_runs if r.verdict == "pass") == 2
    assert figures["failed"] == sum(1 for r in signed_runs if r.verdict != "pass") == 1
    assert figures["signatures_valid"] == figures["receipts_verified"] == 3
    assert figures["signatures_invalid"] == figures["receipts_failed"] == 0
    assert figures["checkpoints"] == 1

    # the waivers the decisions applied are the server's, with its approver and expiry
    (register,) = pack["waivers"]
    server_waiver = waivers[register["id"]]
    assert register["approver"] == server_waiver.decided_by == "sec"
    assert register["expires"] == server_waiver.expires.isoformat() == SOON
    assert register["statuses"] == ["applied", "unused"]  # runs a and c used it, b did not
    assert (register["decisions"], register["findings_covered"]) == (3, 2)
    assert figures["waivers"] == figures["waivers_applied"] == 1

    server = pack["server"]
    assert server["runs"] == len(period_runs) == 4
    assert server["runs_passed"] == sum(1 for r in period_runs if r.verdict == "pass")
    assert server["runs_signed"] == 3
    assert server["runs_unsigned"] == 1
    assert server["waiver_events"] == {"requested": 2, "approved": 1, "rejected": 1}
    listed = {w["id"]: w for w in pack["server_waivers"]}
    assert set(listed) == set(waivers)
    for label, row in waivers.items():
        assert listed[label]["status"] == row.status
        assert listed[label]["expires"] == row.expires.isoformat()
        assert listed[label]["decided_by"] == row.decided_by
        assert len(listed[label]["log_entries"]) == 2  # requested, then decided
    assert listed[register["id"]]["approver"] == "sec"
    assert {r["run_id"]: r["log_index"] is not None for r in pack["server_runs"]} == {
        "a": True, "b": True, "c": True, "d": False,
    }  # fmt: skip

    assert {"log/checkpoint.txt", "log/log-key.vkey", "log/log-key.pub"} <= pack["names"]
    assert sum(1 for n in pack["names"] if n.startswith("keys/shop-")) == 1
    assert sum(1 for n in pack["names"] if n.startswith("receipts/")) == 3
    assert "A.8.8" in pack["html"]
    assert register["id"] in pack["html"]

    # the page gives the same pack to an auditor's browser, and nothing to a developer
    page = world.browser("aud").client.get(f"/evidence/pack?{query}")
    assert page.status_code == 200
    assert open_pack(page.content)["controls"]["figures"] == figures
    assert world.browser("dev").client.get(f"/evidence/pack?{query}").status_code == 403
    form = world.browser("sec").client.get("/evidence")
    assert form.status_code == 200
    assert 'action="/evidence/pack"' in form.text
    bad = world.client.get(
        f"/api/v1/evidence/pack?from={END}&to={START}&framework=soc2", headers=auth(aud)
    )
    assert bad.status_code == 422
