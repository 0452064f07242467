"""The server's transparency log: signed uploads answered with receipts that verify
offline, refusals of what a project's keys did not sign, triage and waiver events
logged once each in their own transaction, the published endpoints, and tampering
with the stored rows found by the audit and by a client's consistency check."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from glasshouse.evidence import dsse, keys, merkle
from glasshouse.evidence.log import LogConflict, TransparencyLog
from glasshouse.evidence.note import parse_vkey
from glasshouse.evidence.receipt import LogEntry, entry_from_bytes
from glasshouse.evidence.verify import (
    Expectations,
    LogTrust,
    verify_consistency,
    verify_receipt,
)
from glasshouse.storage import signing, tlog
from glasshouse.storage.db import Database, utcnow
from glasshouse.storage.models import (
    Event,
    LogCheckpoint,
    LogEntryRow,
    LogNode,
    LogState,
    Project,
)

from . import reports, signed
from .conftest import World, cli, empty_postgres

SOON = (date.today() + timedelta(days=10)).isoformat()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def pipeline_key() -> keys.SigningKey:
    return keys.generate()


def register(world: World, slug: str, key: keys.SigningKey) -> None:
    with world.db.write() as session:
        project = session.scalar(select(Project).where(Project.slug == slug))
        assert project is not None
        signing.add_key(
            session, project, keys.VerifyingKey(key.public), name="ci", actor="test", at=utcnow()
        )


def log_trust(world: World, token: str) -> LogTrust:
    published = world.client.get("/api/v1/log/key", headers=auth(token)).json()
    verifier = parse_vkey(published["vkey"])
    assert keys.public_pem(verifier.key).decode() == published["public_key"]
    return LogTrust(verifier.key, verifier.name)


def upload_signed(
    world: World, token: str, key: keys.SigningKey, run_id: str, count: int = 2, **kw: Any
) -> Any:
    text, envelope = signed.sign(signed.report_object(reports.many(count)), key, **kw)
    return world.upload(
        token, "shop", signed.body(text, envelope), run_id, Content_Type=signed.SIGNED_RUN
    )


def test_a_signed_upload_is_logged_and_its_receipt_verifies_offline(
    world: World, pipeline_key: keys.SigningKey
) -> None:
    ci = world.ci_token("shop")
    register(world, "shop", pipeline_key)
    answer = upload_signed(world, ci, pipeline_key, "signed-1", count=3)
    assert answer.status_code == 201, answer.text
    receipt = answer.json()["receipt"]
    assert receipt["type"] == "glasshouse.receipt"
    # the decision first, then the three "open" events its run made, in one batch
    assert receipt["leaf_index"] == 0
    trust = log_trust(world, ci)
    outcome = verify_receipt(
        receipt, keys.VerifyingKey(pipeline_key.public), Expectations(commit="a" * 40), trust
    )
    assert outcome.ok, outcome.failure
    assert [c.name for c in outcome.checks][-2:] == ["counter-signature", "inclusion"]

    # the published endpoints agree with the receipt
    checkpoint = world.client.get("/api/v1/log/checkpoint", headers=auth(ci))
    assert checkpoint.headers["content-type"].startswith("text/plain")
    assert checkpoint.text == receipt["checkpoint"]
    entry = world.client.get("/api/v1/log/entries/0", headers=auth(ci)).json()
    assert entry["entry"] == receipt["entry"]
    assert verify_receipt(
        entry["receipt"], keys.VerifyingKey(pipeline_key.public), Expectations(), trust
    ).ok
    events = [world.client.get(f"/api/v1/log/entries/{i}", headers=auth(ci)) for i in (1, 2, 3)]
    assert [e.json()["entry"]["kind"] for e in events] == ["triage"] * 3
    assert {e.json()["entry"]["body"]["state"] for e in events} == {"open"}
    assert world.client.get("/api/v1/log/entries/4", headers=auth(ci)).status_code == 404

    # a later checkpoint extends the receipt's: the consistency proof verifies
    assert upload_signed(world, ci, pipeline_key, "signed-2", count=5).status_code == 201
    proof = world.client.get("/api/v1/log/proof/consistency?from=4", headers=auth(ci)).json()
    assert (proof["old_size"], proof["new_size"]) == (4, 4 + 1 + 2)  # 3 of the 5 are new
    assert proof["old_checkpoint"] == receipt["checkpoint"]
    assert verify_consistency(receipt["checkpoint"], proof["new_checkpoint"], proof, trust).ok
    inclusion = world.client.get(
        "/api/v1/log/proof/inclusion?index=0&size=4", headers=auth(ci)
    ).json()
    assert inclusion["proof"] == receipt["inclusion_proof"]
    assert inclusion["checkpoint"] == receipt["checkpoint"]

    # a replay of the same signed run is told so, with the receipt of the stored decision
    again = upload_signed(world, ci, pipeline_key, "signed-1", count=3)
    assert again.status_code == 409
    assert again.json()["detail"]["receipt"]["leaf_index"] == 0
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(LogEntryRow)) == 7
        assert tlog.open_log(session).audit().ok


def test_uploads_not_signed_by_the_projects_key_are_refused(
    world: World, pipeline_key: keys.SigningKey
) -> None:
    ci = world.ci_token("shop")
    stranger = keys.generate()
    # no key registered yet
    refused = upload_signed(world, ci, pipeline_key, "r0")
    assert refused.status_code == 403
    assert "add-signing-key" in refused.json()["detail"]
    register(world, "shop", pipeline_key)
    unknown = upload_signed(world, ci, stranger, "r1")
    assert unknown.status_code == 403
    assert "none of which is registered" in unknown.json()["detail"]
    assert stranger.keyid[:16] in unknown.json()["detail"]

    text, envelope = signed.sign(signed.report_object(reports.many(2)), pipeline_key)
    other_text, _ = signed.sign(signed.report_object(reports.many(3)), pipeline_key)
    swapped = world.upload(
        ci, "shop", signed.body(other_text, envelope), "r2", Content_Type=signed.SIGNED_RUN
    )
    assert swapped.status_code == 422
    assert "not the uploaded report" in swapped.json()["detail"]

    forged = envelope.to_dict()
    forged["payload"] = dsse.Envelope(
        envelope.payload_type, envelope.payload.replace(b"a" * 40, b"b" * 40)
    ).to_dict()["payload"]
    bad = world.upload(ci, "shop", signed.body(text, forged), "r3", Content_Type=signed.SIGNED_RUN)
    assert bad.status_code == 422
    assert "does not verify" in bad.json()["detail"]

    garbage = world.upload(
        ci, "shop", signed.body(text, {"payload": 1}), "r4", Content_Type=signed.SIGNED_RUN
    )
    assert garbage.status_code == 422
    not_wrapped = world.upload(
        ci, "shop", reports.body(reports.report(reports.many(1))), "r5",
        Content_Type=signed.SIGNED_RUN,
    )  # fmt: skip
    assert not_wrapped.status_code == 422

    # unsigned uploads still work (no receipt) until the project requires signatures
    plain = world.upload(ci, "shop", reports.body(reports.report(reports.many(1))), "u1")
    assert plain.status_code == 201
    assert plain.json()["receipt"] is None
    with world.db.write() as session:
        session.execute(update(Project).where(Project.slug == "shop").values(require_signed=True))
    required = world.upload(ci, "shop", reports.body(reports.report(reports.many(1))), "u2")
    assert required.status_code == 403
    assert "requires a signed gate decision" in required.json()["detail"]
    assert upload_signed(world, ci, pipeline_key, "s1").status_code == 201
    with world.db.read() as session:
        kinds = session.scalars(select(LogEntryRow.kind).order_by(LogEntryRow.idx)).all()
        # refused uploads left nothing; the unsigned run logged its one "open" event, the
        # signed one its decision and the one finding it added
        assert kinds == ["triage", "decision", "triage"]


def test_every_triage_and_waiver_event_is_logged_once_in_its_transaction(world: World) -> None:
    ci = world.ci_token("shop")
    sec = world.user("sec", "security")
    dev = world.user("dev", "developer", "shop")
    first = world.upload(ci, "shop", reports.body(reports.report(reports.many(3))), "1")
    assert first.status_code == 201
    findings = world.client.get("/api/v1/projects/shop/findings", headers=auth(ci)).json()
    finding = findings["findings"][0]
    answer = world.client.post(
        f"/api/v1/findings/{finding['id']}/triage",
        json={"state": "false_positive", "reason": "test code"},
        headers=auth(sec),
    )
    assert answer.status_code == 200
    # a refused change writes no event and logs nothing
    wrong = world.client.post(
        f"/api/v1/findings/{finding['id']}/triage",
        json={"state": "accepted_risk", "reason": "no expiry"},
        headers=auth(sec),
    )
    assert wrong.status_code == 422
    made = [
        world.client.post(
            "/api/v1/projects/shop/waivers",
            json={"rule": f"GHSA-{i}", "reason": "later", "expires": SOON, "ticket": "T-1"},
            headers=auth(dev),
        ).json()["id"]
        for i in range(2)
    ]
    for waiver, approve in zip(made, (True, False), strict=True):
        decided = world.client.post(
            f"/api/v1/waivers/{waiver}/decision",
            json={"approve": approve, "reason": "checked"},
            headers=auth(sec),
        )
        assert decided.status_code == 200
    # the next run fixes two findings: two more triage events
    last = world.upload(ci, "shop", reports.body(reports.report(reports.many(1))), "2")
    assert last.status_code == 201
    with world.db.read() as session:
        logged = {
            int(event_id): entry_from_bytes(data)
            for event_id, data in session.execute(
                select(LogEntryRow.event_id, LogEntryRow.data).order_by(LogEntryRow.idx)
            )
        }
        events = session.scalars(
            select(Event)
            .where((Event.action == "triage") | Event.action.like("waiver_%"))
            .order_by(Event.id)
        ).all()
        size = session.scalar(select(LogState.size))
        assert tlog.open_log(session).audit().ok
    assert size == len(logged) == len(events) == 3 + 1 + 2 + 2 + 2
    assert sorted(logged) == [e.id for e in events]  # each event once, none without its row
    by_action = {e.id: e.action for e in events}
    approved = next(logged[i] for i, a in by_action.items() if a == "waiver_approved")
    assert approved.kind == "waiver"
    assert approved.body["waiver"]["approver"] == "sec"
    assert approved.body["waiver"]["expires"] == SOON
    assert approved.body["waiver"]["status"] == "approved"
    assert approved.body["project"] == "shop"
    person = next(e for e in logged.values() if e.kind == "triage" and e.body["actor"] == "sec")
    assert person.body["state"] == "false_positive"
    assert person.body["finding"] == {"id": finding["id"], "fingerprint": finding["fingerprint"]}


def test_log_entries_are_read_by_their_project_and_by_auditors_only(world: World) -> None:
    shop, blog = world.ci_token("shop"), world.ci_token("blog")
    aud = world.user("aud", "auditor")
    dev_blog = world.user("dev-blog", "developer", "blog")
    world.upload(shop, "shop", reports.body(reports.report(reports.many(1))), "1")
    for token, status in ((shop, 200), (aud, 200), (blog, 404), (dev_blog, 404)):
        assert world.client.get("/api/v1/log/entries/0", headers=auth(token)).status_code == status
        inclusion = world.client.get("/api/v1/log/proof/inclusion?index=0", headers=auth(token))
        assert inclusion.status_code == status
    # checkpoints and consistency proofs carry hashes only: every token reads them
    for token in (shop, blog, dev_blog):
        assert world.client.get("/api/v1/log/checkpoint", headers=auth(token)).status_code == 200
    assert (
        world.client.get("/api/v1/log/proof/consistency?from=2", headers=auth(aud)).status_code
        == 400
    )
    assert (
        world.client.get(
            "/api/v1/log/proof/inclusion?index=0&size=9", headers=auth(aud)
        ).status_code
        == 400
    )


def test_the_log_key_and_origin_never_change(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        made = tlog.ensure_identity(session, origin="glasshouse.example/log")
    with db.write() as session:
        assert tlog.ensure_identity(session).key.keyid == made.key.keyid
        with pytest.raises(tlog.LogSetupError, match="never changes"):
            tlog.ensure_identity(session, origin="other.example/log")
        with pytest.raises(tlog.LogSetupError, match="not the log's key"):
            tlog.ensure_identity(session, key=keys.generate())
        with pytest.raises(tlog.LogSetupError, match="letters, digits"):
            tlog.check_origin("has space")


def populate(world: World, key: keys.SigningKey) -> dict[str, Any]:
    ci = world.ci_token("shop")
    register(world, "shop", key)
    first = upload_signed(world, ci, key, "t1", count=2)
    assert first.status_code == 201
    return {"ci": ci, "receipt": first.json()["receipt"]}


def test_the_audit_names_a_dropped_or_reordered_entry(
    world: World, pipeline_key: keys.SigningKey
) -> None:
    populate(world, pipeline_key)
    ci = world.tokens["ci:shop"]
    assert upload_signed(world, ci, pipeline_key, "t2", count=4).status_code == 201
    with world.db.read() as session:
        log = tlog.public_log(session)
        assert log is not None
        assert log.audit().ok
        size = log.size
    assert size == 6
    with world.db.write() as session:  # swap two rows' contents (a reordering)
        rows = {
            int(i): bytes(d) for i, d in session.execute(select(LogEntryRow.idx, LogEntryRow.data))
        }
        session.execute(update(LogEntryRow).where(LogEntryRow.idx == 1).values(data=rows[2]))
        session.execute(update(LogEntryRow).where(LogEntryRow.idx == 2).values(data=rows[1]))
    with world.db.read() as session:
        problems = tlog.public_log(session).audit().problems  # type: ignore[union-attr]
    assert problems[0].startswith("entry 1: its content does not match its leaf hash")
    with world.db.write() as session:  # put them back, then drop one
        session.execute(update(LogEntryRow).where(LogEntryRow.idx == 1).values(data=rows[1]))
        session.execute(update(LogEntryRow).where(LogEntryRow.idx == 2).values(data=rows[2]))
        session.execute(delete(LogEntryRow).where(LogEntryRow.idx == 4))
    with world.db.read() as session:
        problems = tlog.public_log(session).audit().problems  # type: ignore[union-attr]
    assert problems == ["entry 4 is missing"]


def rewrite(db: Database, change_index: int) -> None:
    """What an operator holding the log key could do: rebuild the whole log from
    altered entries, with fresh nodes and freshly signed checkpoints."""
    with db.write() as session:
        ident = tlog.identity(session)
        old = [
            bytes(d) for d in session.scalars(select(LogEntryRow.data).order_by(LogEntryRow.idx))
        ]
        for table in (LogEntryRow, LogNode, LogCheckpoint):
            session.execute(delete(table))
        session.execute(update(LogState).values(size=0))
    entries = [entry_from_bytes(data) for data in old]
    target = entries[change_index]
    entries[change_index] = type(target)(
        target.kind, target.logged_at, {**target.body, "reason": "rewritten"}
    )
    with db.write() as session:
        storage = tlog.SQLLogStorage(session)
        storage.labels = [tlog.Label(e.kind) for e in entries]
        log = TransparencyLog(storage, ident.key, ident.origin)
        log.append(entries)
        log.checkpoint()


def test_a_receipt_from_before_a_rewrite_fails_consistency_against_a_later_checkpoint(
    world: World, pipeline_key: keys.SigningKey, tmp_path: Path
) -> None:
    populate(world, pipeline_key)
    ci = world.tokens["ci:shop"]
    receipt = world.client.get("/api/v1/log/entries/0", headers=auth(ci)).json()["receipt"]
    vkey = world.client.get("/api/v1/log/key", headers=auth(ci)).json()["vkey"]
    (tmp_path / "log.vkey").write_text(vkey + "\n")
    (tmp_path / "old.checkpoint").write_text(receipt["checkpoint"])

    def check_against_latest() -> Any:
        size = receipt["checkpoint"].split("\n")[1]
        proof = world.client.get(
            f"/api/v1/log/proof/consistency?from={size}", headers=auth(ci)
        ).json()
        (tmp_path / "new.checkpoint").write_text(proof["new_checkpoint"])
        (tmp_path / "proof.json").write_text(json.dumps(proof))
        return cli(
            "verify", "--checkpoint", str(tmp_path / "old.checkpoint"),
            "--checkpoint", str(tmp_path / "new.checkpoint"),
            "--consistency-proof", str(tmp_path / "proof.json"),
            "--log-key", str(tmp_path / "log.vkey"), check=False,
        )  # fmt: skip

    assert upload_signed(world, ci, pipeline_key, "t2").status_code == 201
    honest = check_against_latest()
    assert honest.returncode == 0, honest.stdout + honest.stderr
    rewrite(world.db, change_index=1)  # an "open" event's reason, before the receipt's size
    assert upload_signed(world, ci, pipeline_key, "t3", count=4).status_code == 201
    caught = check_against_latest()
    assert caught.returncode == 1
    assert "FAILED  consistency" in caught.stdout
    assert "does not extend the log at size 3" in caught.stdout
    # and the server's own audit, given the checkpoint the client kept, names it
    with world.db.read() as session:
        log = tlog.public_log(session)
        assert log is not None
        problems = log.audit([receipt["checkpoint"]]).problems
    assert any("trusted checkpoint of size 3" in p and "rewritten" in p for p in problems)


def test_compare_and_append_refuses_a_stale_tree_and_the_retry_lands_after(pg_url: str) -> None:
    """On PostgreSQL a second writer waits for the first's row lock, then finds the size
    moved (LogConflict); ``tlog``'s retry appends after it, in the same transaction."""
    db = empty_postgres(pg_url)
    with db.write() as session:
        tlog.ensure_identity(session)
    entry = LogEntry("triage", "2026-11-27T10:00:00Z", {"n": 1})
    data = entry.encode()
    nodes = merkle.Frontier().append(merkle.leaf_hash(data))
    outcome: dict[str, object] = {}

    def second_writer() -> None:
        with db.write() as second:
            storage = tlog.SQLLogStorage(second)
            storage.labels = [tlog.Label("triage")]
            try:
                with second.begin_nested():
                    storage.append(0, [data], nodes)
                outcome["first try"] = "appended"
            except LogConflict:
                outcome["first try"] = "conflict"
            outcome["retry"] = tlog._append(second, [entry], [tlog.Label("triage")])[1].first

    with db.write() as first:
        storage = tlog.SQLLogStorage(first)
        storage.labels = [tlog.Label("triage")]
        storage.append(0, [data], nodes)
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive(), "the second writer waits for the first's row lock"
    thread.join(30)
    assert outcome == {"first try": "conflict", "retry": 1}
    with db.read() as session:
        log = tlog.open_log(session)
        assert log.size == 2
        assert log.audit().ok
    db.dispose()


def test_a_log_key_from_a_file_stays_out_of_the_database(db: Database) -> None:
    key = keys.generate()
    with db.write() as session:
        made = tlog.ensure_identity(session, origin="glasshouse.example/log", key=key)
        assert made.key.keyid == key.keyid
    with db.read() as session:
        stored = session.execute(select(LogState.private_key, LogState.public_key)).one()
        assert stored.private_key is None
        assert stored.public_key == keys.public_pem(key).decode()
        with pytest.raises(tlog.LogSetupError, match="--log-key-file"):
            tlog.ensure_identity(session)
        audited = tlog.public_log(session)  # the audit needs the public key only
        assert audited is not None
        assert audited.audit().ok
