"""Ingest: schema, limits, idempotency, and findings tracked by fingerprint per scope."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from glasshouse.model import Problem, Severity
from glasshouse.storage import ingest as ingest_module
from glasshouse.storage.models import Event, Finding, Run, RunFinding
from glasshouse.storage.triage import state_drift

from . import reports
from .conftest import World


def counts(world: World) -> tuple[int, int, int, int]:
    with world.db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Run)) or 0,
            session.scalar(select(func.count()).select_from(Finding)) or 0,
            session.scalar(select(func.count()).select_from(RunFinding)) or 0,
            session.scalar(
                select(func.count()).select_from(Event).where(Event.finding_id.is_not(None))
            )
            or 0,
        )


def findings(world: World, branch: str = "main") -> dict[str, Finding]:
    with world.db.read() as session:
        rows = session.scalars(select(Finding).where(Finding.branch == branch))
        return {f.rule_id: f for f in rows}


def test_upload_stores_the_run_and_its_findings(world: World) -> None:
    token = world.ci_token("shop")
    data = reports.report([*reports.many(3), reports.secret("config/app.env")])
    answer = world.upload(
        token,
        "shop",
        reports.body(data),
        "gh:1",
        Glasshouse_Commit="a" * 40,
        Glasshouse_Pipeline_Url="https://ci.example/run/1",
    )
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["verdict"] == "fail"  # the critical secret blocks
    assert (run["findings"], run["new"], run["fixed"]) == (4, 4, 0)
    assert answer.headers["location"] == f"/api/v1/projects/shop/runs/{run['id']}"
    listed = world.client.get(
        "/api/v1/projects/shop/runs", headers={"Authorization": f"Bearer {token}"}
    )
    assert [r["run_id"] for r in listed.json()["runs"]] == ["gh:1"]
    assert listed.json()["runs"][0]["commit"] == "a" * 40
    stored = findings(world)
    secret = stored["aws-access-key"]
    assert secret.details["secret"]["preview"] == "AKIA…MPLE"
    assert "gate" not in secret.details
    assert all(f.state == "open" for f in stored.values())
    with world.db.read() as session:
        assert state_drift(session) == []


def test_a_replayed_run_is_refused_and_stored_once(world: World) -> None:
    token = world.ci_token("shop")
    body = reports.body(reports.report(reports.many(5)))
    assert world.upload(token, "shop", body, "run-7").status_code == 201
    before = counts(world)
    again = world.upload(token, "shop", body, "run-7")
    assert again.status_code == 409
    assert again.json()["detail"]["identical"] is True
    other = reports.body(reports.report(reports.many(6)))
    changed = world.upload(token, "shop", other, "run-7")
    assert changed.status_code == 409
    assert changed.json()["detail"]["identical"] is False
    assert "different report" in changed.json()["detail"]["message"]
    assert counts(world) == before


def test_gzip_upload(world: World) -> None:
    token = world.ci_token("shop")
    body = gzip.compress(reports.body(reports.report(reports.many(2))))
    answer = world.upload(token, "shop", body, "gz", Content_Encoding="gzip")
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 422, "an object"),
        (json.dumps({"schema_version": "2.0"}).encode(), 422, "unsupported report schema_version"),
        (json.dumps({"schema_version": "1.1"}).encode(), 422, "does not match its schema"),
    ],
)
def test_malformed_uploads_get_clear_answers(
    world: World, body: bytes, status: int, words: str
) -> None:
    token = world.ci_token("shop")
    answer = world.upload(token, "shop", body, "bad")
    assert answer.status_code == status
    assert words in str(answer.json()["detail"])
    assert counts(world) == (0, 0, 0, 0)


def test_a_finding_that_breaks_the_schema_is_named(world: World) -> None:
    token = world.ci_token("shop")
    data = reports.report(reports.many(3))
    data["findings"][2]["severity"] = "catastrophic"
    answer = world.upload(token, "shop", reports.body(data), "bad")
    assert answer.status_code == 422
    assert "findings/2/severity" in answer.json()["detail"]
    assert counts(world) == (0, 0, 0, 0)


def test_oversized_and_bomb_uploads_are_refused(world: World) -> None:
    token = world.ci_token("shop")
    big = b" " * (5 << 20)  # the test app allows 4 MiB
    answer = world.upload(token, "shop", big, "big")
    assert answer.status_code == 413
    assert "larger than" in answer.json()["detail"]
    bomb = gzip.compress(b"{" + b" " * (300 << 20))  # 300 MiB of blanks, a few hundred KiB zipped
    answer = world.upload(token, "shop", bomb, "bomb", Content_Encoding="gzip")
    assert answer.status_code == 413
    answer = world.upload(token, "shop", b"garbage", "corrupt", Content_Encoding="gzip")
    assert answer.status_code == 400
    answer = world.upload(token, "shop", b"{}", "br", Content_Encoding="br")
    assert answer.status_code == 415
    assert counts(world) == (0, 0, 0, 0)


def test_missing_run_headers(world: World) -> None:
    token = world.ci_token("shop")
    answer = world.client.post(
        "/api/v1/projects/shop/runs",
        content=reports.body(reports.report([])),
        headers={"Authorization": f"Bearer {token}", "Glasshouse-Branch": "main"},
    )
    assert answer.status_code == 400
    assert "Glasshouse-Run-Id" in answer.json()["detail"].replace(
        "glasshouse-run-id", "Glasshouse-Run-Id"
    )


def test_nothing_half_written_when_ingest_fails_midway(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = world.ci_token("shop")
    assert (
        world.upload(token, "shop", reports.body(reports.report(reports.many(3))), "r1").status_code
        == 201
    )
    before = counts(world)

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    # fail after the run, the new findings and their events were written
    monkeypatch.setattr(ingest_module, "_notify_run", explode)
    with pytest.raises(RuntimeError):
        world.upload(token, "shop", reports.body(reports.report(reports.many(8))), "r2")
    assert counts(world) == before
    monkeypatch.undo()
    assert (
        world.upload(token, "shop", reports.body(reports.report(reports.many(8))), "r2").status_code
        == 201
    )


def _run(
    world: World, token: str, found: list[reports.Finding], run_id: str, **kw: object
) -> dict[str, object]:
    started = str(
        kw.pop("started_at", f"2026-11-27T10:{len(run_id):02d}:{sum(map(ord, run_id)) % 60:02d}Z")
    )
    problems = kw.pop("problems", ())
    data = reports.report(found, started_at=started, problems=problems)  # type: ignore[arg-type]
    answer = world.upload(token, "shop", reports.body(data), run_id, **kw)  # type: ignore[arg-type]
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


def test_findings_are_tracked_and_fixed_only_within_their_scope(world: World) -> None:
    token = world.ci_token("shop")
    a, b, c = reports.many(3)
    s = reports.secret("app.env")
    _run(world, token, [a, b, s], "1", started_at="2026-11-27T10:00:00Z")
    second = _run(world, token, [a, c, s], "2", started_at="2026-11-27T11:00:00Z")
    assert (second["new"], second["fixed"]) == (1, 1)
    now = findings(world)
    assert now[b.rule_id].state == "fixed"
    assert now[a.rule_id].state == "open"
    assert str(now[a.rule_id].first_seen_at) == "2026-11-27 10:00:00"
    assert str(now[a.rule_id].last_seen_at) == "2026-11-27 11:00:00"
    assert now[a.rule_id].first_run_id != now[a.rule_id].last_run_id

    # another branch is another scope: it neither closes nor shares main's findings
    other = _run(world, token, [], "3", branch="feature", started_at="2026-11-27T12:00:00Z")
    assert other["fixed"] == 0
    assert findings(world)[a.rule_id].state == "open"

    # a run that only looked for secrets closes no vulnerability
    only_secrets = _run(
        world, token, [], "4", started_at="2026-11-27T12:00:00Z", Glasshouse_Scanners="secrets"
    )
    assert only_secrets["fixed"] == 1
    now = findings(world)
    assert now["aws-access-key"].state == "fixed"
    assert now[a.rule_id].state == "open"

    # a dependency scan that could not read a lockfile closes nothing of its kind
    broken = Problem("dependencies", "cannot parse as poetry.lock", "poetry.lock")
    incomplete = _run(world, token, [], "5", started_at="2026-11-27T13:00:00Z", problems=(broken,))
    assert incomplete["fixed"] == 0
    assert findings(world)[a.rule_id].state == "open"

    # seen again after being fixed: reopened, with the history saying so
    back = _run(world, token, [a, b, c], "6", started_at="2026-11-27T14:00:00Z")
    assert back["reopened"] == 1
    with world.db.read() as session:
        fid = findings(world)[b.rule_id].id
        states = [
            e.state
            for e in session.scalars(
                select(Event).where(Event.finding_id == fid).order_by(Event.id)
            )
        ]
        assert states == ["open", "fixed", "open"]
        assert state_drift(session) == []


def test_an_older_run_arriving_late_fixes_nothing(world: World) -> None:
    token = world.ci_token("shop")
    a, b, c = reports.many(3)
    _run(world, token, [a, b], "new", started_at="2026-11-27T12:00:00Z")
    late = _run(world, token, [a, c], "old", started_at="2026-11-27T08:00:00Z")
    assert late["fixed"] == 0
    now = findings(world)
    assert now[b.rule_id].state == "open"
    assert str(now[a.rule_id].last_seen_at) == "2026-11-27 12:00:00"
    # only the late run had c: the newer run did not, so c is recorded as already fixed
    assert now[c.rule_id].state == "fixed"


def test_another_projects_run_never_touches_this_one(world: World) -> None:
    shop, blog = world.ci_token("shop"), world.ci_token("blog")
    a = reports.vuln("requests", "GHSA-aaaa-bbbb-cccc", Severity.HIGH)
    assert world.upload(shop, "shop", reports.body(reports.report([a])), "1").status_code == 201
    assert world.upload(blog, "blog", reports.body(reports.report([])), "1").status_code == 201
    assert findings(world)[a.rule_id].state == "open"


def test_duplicate_fingerprints_in_one_report_are_one_finding(world: World) -> None:
    token = world.ci_token("shop")
    a = reports.vuln("requests", "GHSA-aaaa-bbbb-cccc")
    answer = world.upload(token, "shop", reports.body(reports.report([a, a])), "dup")
    assert answer.status_code == 201
    assert answer.json()["new"] == 1


def test_the_migration_matches_the_models(world: World) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from glasshouse.storage.models import Base
    from glasshouse.storage.search import owns

    with world.db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, _type, _parent: not owns(name),
            },
        )
        assert compare_metadata(context, Base.metadata) == []
