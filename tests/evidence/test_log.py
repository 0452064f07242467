"""The transparency log over memory and SQLite: receipts, proofs, and tampering named."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from glasshouse.evidence import dsse, keys, merkle
from glasshouse.evidence.checkpoint import open_checkpoint
from glasshouse.evidence.log import LogConflict, LogError, MemoryStorage, TransparencyLog
from glasshouse.evidence.receipt import (
    LogEntry,
    Receipt,
    ReceiptError,
    consistency_from_dict,
    receipt_from_dict,
)
from glasshouse.evidence.sqlite_store import SQLiteStorage
from glasshouse.evidence.verify import Expectations, LogTrust, verify_consistency, verify_receipt

from .helpers import public

ORIGIN = "glasshouse.test/log"
STATEMENT = b'{"_type":"https://in-toto.io/Statement/v1"}'


def envelope(signer: keys.SigningKey, n: int) -> dsse.Envelope:
    return dsse.sign("application/vnd.in-toto+json", STATEMENT + str(n).encode(), signer)


@pytest.fixture(params=["memory", "sqlite"])
def log(
    request: pytest.FixtureRequest, tmp_path: Path, log_signer: keys.SigningKey
) -> Iterator[TransparencyLog]:
    if request.param == "memory":
        yield TransparencyLog(MemoryStorage(), log_signer, ORIGIN)
    else:
        with SQLiteStorage(tmp_path / "log.db", durable=False) as storage:
            yield TransparencyLog(storage, log_signer, ORIGIN)


def test_append_and_prove(log: TransparencyLog, signer: keys.SigningKey) -> None:
    receipts = [log.append_decision(envelope(signer, i)) for i in range(13)]
    assert log.size == 13
    for index, receipt in enumerate(receipts):
        assert receipt.leaf_index == index
        checkpoint = open_checkpoint(receipt.checkpoint, log.verifying_key, ORIGIN)
        assert checkpoint.size == index + 1
        merkle.verify_inclusion(
            receipt.entry.leaf_hash,
            index,
            checkpoint.size,
            receipt.inclusion_proof,
            checkpoint.root,
        )
    # an old entry against the newest checkpoint
    latest = log.receipt(2)
    assert open_checkpoint(latest.checkpoint, log.verifying_key).size == 13
    assert log.audit().ok


def test_decisions_are_counter_signed(log: TransparencyLog, signer: keys.SigningKey) -> None:
    receipt = log.append_decision(envelope(signer, 1))
    logged = dsse.from_dict(receipt.entry.body)
    assert {s.keyid for s in logged.signatures} == {signer.keyid, log.key.keyid}
    dsse.verify(logged, public(signer))
    dsse.verify(logged, log.verifying_key)


def test_receipts_and_consistency_round_trip_as_json(
    log: TransparencyLog, signer: keys.SigningKey
) -> None:
    receipt = log.append_decision(envelope(signer, 0))
    parsed = receipt_from_dict(json.loads(receipt.to_json()))
    assert parsed == receipt
    log.append_event("waiver", {"id": "W-1", "action": "approved", "approver": "security-lead"})
    proof = log.consistency_proof(1, 2)
    assert consistency_from_dict(json.loads(proof.to_json())) == proof


def test_events_are_logged(log: TransparencyLog) -> None:
    receipt = log.append_event("triage", {"finding": "abc", "status": "accepted", "by": "alice"})
    assert receipt.entry.kind == "triage"
    assert log.entry(0).body["by"] == "alice"
    with pytest.raises(LogError, match="unknown event kind"):
        log.append_event("decision", {})
    with pytest.raises(TypeError, match="floats"):
        log.append_event("triage", {"score": 1.5})
    assert log.size == 1


def test_sizes_out_of_range_are_refused(log: TransparencyLog, signer: keys.SigningKey) -> None:
    log.append_decision(envelope(signer, 0))
    with pytest.raises(LogError):
        log.inclusion_proof(1, 1)
    with pytest.raises(LogError):
        log.consistency_proof(0, 2)
    with pytest.raises(LogError):
        log.root(5)
    with pytest.raises(LogError, match="not in the log"):
        log.entry(3)


def test_conflicting_writers_are_refused(tmp_path: Path, log_signer: keys.SigningKey) -> None:
    with SQLiteStorage(tmp_path / "log.db") as one, SQLiteStorage(tmp_path / "log.db") as two:
        first = TransparencyLog(one, log_signer, ORIGIN)
        second = TransparencyLog(two, log_signer, ORIGIN)
        entry = LogEntry("triage", "2026-01-01T00:00:00Z", {"n": 1})
        first.append([entry])
        second.append([entry])  # reloads its frontier from the store: no conflict
        with pytest.raises(LogConflict):
            two.append(0, [b"x"], [])
        assert first.size == second.size == 2
        assert first.audit().ok


def _filled(
    tmp_path: Path, log_signer: keys.SigningKey, signer: keys.SigningKey, count: int = 20
) -> tuple[SQLiteStorage, TransparencyLog, list[Receipt]]:
    storage = SQLiteStorage(tmp_path / "log.db", durable=False)
    log = TransparencyLog(storage, log_signer, ORIGIN)
    receipts = [log.append_decision(envelope(signer, i)) for i in range(count)]
    return storage, log, receipts


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "log.db", isolation_level=None)


def test_a_dropped_entry_is_named(
    tmp_path: Path, log_signer: keys.SigningKey, signer: keys.SigningKey
) -> None:
    storage, log, _ = _filled(tmp_path, log_signer, signer)
    with _db(tmp_path) as db:
        db.execute("DELETE FROM entries WHERE idx = 7")
    result = log.audit()
    assert result.problems[0] == "entry 7 is missing"
    with pytest.raises(LogError, match="entry 7 is not in the log"):
        log.receipt(7)
    storage.close()


def test_reordered_entries_are_named(
    tmp_path: Path, log_signer: keys.SigningKey, signer: keys.SigningKey
) -> None:
    storage, log, _ = _filled(tmp_path, log_signer, signer)
    with _db(tmp_path) as db:
        rows = dict(db.execute("SELECT idx, data FROM entries WHERE idx IN (3, 4)").fetchall())
        db.execute("UPDATE entries SET data = ? WHERE idx = 3", (rows[4],))
        db.execute("UPDATE entries SET data = ? WHERE idx = 4", (rows[3],))
    result = log.audit()
    assert result.problems[0].startswith("entry 3: its content does not match its leaf hash")
    storage.close()


def test_a_changed_entry_is_named(
    tmp_path: Path, log_signer: keys.SigningKey, signer: keys.SigningKey
) -> None:
    storage, log, _ = _filled(tmp_path, log_signer, signer)
    with _db(tmp_path) as db:
        (data,) = db.execute("SELECT data FROM entries WHERE idx = 11").fetchone()
        db.execute(
            "UPDATE entries SET data = ? WHERE idx = 11", (data.replace(b"decision", b"triage"),)
        )
    assert log.audit().problems[0].startswith("entry 11: its content does not match")
    storage.close()


def test_a_rewritten_log_breaks_consistency_with_old_checkpoints(
    tmp_path: Path, log_signer: keys.SigningKey, signer: keys.SigningKey
) -> None:
    """The operator drops entry 5 and rebuilds the whole tree and its checkpoints with the
    log's own key: every checkpoint someone kept exposes it."""
    storage, log, receipts = _filled(tmp_path, log_signer, signer)
    kept = receipts[9].checkpoint  # a client kept the checkpoint of size 10
    entries = [data for i, data in storage.entries(0, 20) if i != 5]
    storage.close()
    (tmp_path / "log.db").unlink()
    with SQLiteStorage(tmp_path / "log.db", durable=False) as forged_store:
        forged = TransparencyLog(forged_store, log_signer, ORIGIN)
        from glasshouse.evidence.receipt import entry_from_bytes

        forged.append([entry_from_bytes(data) for data in entries])
        new_note = forged.checkpoint()
        assert forged.audit().ok  # self-consistent...
        result = forged.audit(trusted=[kept])  # ...but not with what others saw
        assert any("the log was rewritten" in p for p in result.problems)
        proof = forged.consistency_proof(10, forged.size)
        outcome = verify_consistency(
            kept, new_note, proof.to_dict(), LogTrust(log.verifying_key, ORIGIN)
        )
        assert not outcome.ok
        assert outcome.failure is not None
        assert outcome.failure.name == "consistency"
        assert "does not extend" in outcome.failure.detail
        # and the old receipt of entry 12 no longer proves against the new tree
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(
                receipts[12].entry.leaf_hash,
                12,
                forged.size,
                forged.inclusion_proof(12, forged.size),
                forged.root(),
            )


def test_an_honest_log_is_consistent(
    tmp_path: Path, log_signer: keys.SigningKey, signer: keys.SigningKey
) -> None:
    storage, log, receipts = _filled(tmp_path, log_signer, signer)
    old, new = receipts[6].checkpoint, receipts[19].checkpoint
    proof = log.consistency_proof(7, 20)
    trust = LogTrust(log.verifying_key, ORIGIN)
    assert verify_consistency(old, new, proof.to_dict(), trust).ok
    assert verify_consistency(new, old, proof.to_dict(), trust).ok  # either order
    assert log.audit(trusted=[old, new]).ok
    # swapping in a checkpoint of another size: the proof no longer matches it
    swapped = verify_consistency(receipts[5].checkpoint, new, proof.to_dict(), trust)
    assert swapped.failure is not None
    assert "the proof is from size 7 to 20" in swapped.failure.detail
    storage.close()


def test_receipt_verification_names_what_broke(
    log: TransparencyLog, signer: keys.SigningKey, other_signer: keys.SigningKey
) -> None:
    """Uses a raw statement: the receipt checks stop at the payload, which is not a VSA."""
    receipt = log.append_decision(envelope(signer, 0))
    log.append_decision(envelope(signer, 1))
    trust = LogTrust(log.verifying_key, ORIGIN)
    expect = Expectations()
    outcome = verify_receipt(receipt.to_dict(), public(signer), expect, trust)
    assert outcome.failure is not None
    assert outcome.failure.name == "payload"  # signature held, the toy payload is no VSA
    with pytest.raises(ReceiptError, match="unsupported schema_version"):
        receipt_from_dict({**receipt.to_dict(), "schema_version": "2.0"})


def test_receipts_follow_their_json_schema(log: TransparencyLog, signer: keys.SigningKey) -> None:
    from importlib import resources

    import jsonschema

    from glasshouse.evidence import attestation

    schema = json.loads(
        resources.files("glasshouse.evidence").joinpath("schemas/receipt-1.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    statement = dsse.sign(attestation.PAYLOAD_TYPE, b"{}", signer)
    for receipt in (
        log.append_decision(statement),
        log.append_event("waiver", {"id": "W-1", "action": "approved"}),
    ):
        errors = list(validator.iter_errors(receipt.to_dict()))
        assert errors == [], errors
    wrong = {**receipt.to_dict(), "leaf_index": -1}
    assert list(validator.iter_errors(wrong))


def _real_decision(signer: keys.SigningKey) -> dsse.Envelope:
    from glasshouse.evidence import attestation as att

    from .helpers import sample_report

    context = att.DecisionContext(
        subjects=(att.commit_subject("c" * 40, "repo"),),
        resource_uri="repo@" + "c" * 40,
        report_json=b"{}",
    )
    return att.sign_statement(att.build_statement(sample_report(), context), signer)


def test_a_tampered_receipt_names_what_broke(
    log: TransparencyLog, signer: keys.SigningKey, other_signer: keys.SigningKey
) -> None:
    receipt = log.append_decision(_real_decision(signer))
    log.append_event("waiver", {"id": "W-7", "action": "approved"})
    receipt = log.receipt(0)
    trust = LogTrust(log.verifying_key, ORIGIN)
    expect = Expectations(commit="c" * 40)
    good = verify_receipt(receipt.to_dict(), public(signer), expect, trust)
    assert good.ok, good.checks
    assert [c.name for c in good.checks] == [
        "receipt", "signature", "payload", "subject", "decision",
        "checkpoint", "counter-signature", "inclusion",
    ]  # fmt: skip

    def failure(data: dict[str, object], key: keys.VerifyingKey | None = None) -> str:
        outcome = verify_receipt(data, key or public(signer), expect, trust)
        assert outcome.failure is not None
        return f"{outcome.failure.name}: {outcome.failure.detail}"

    moved = {**receipt.to_dict(), "entry": {**receipt.entry.to_dict(), "logged_at": "1999-01-01"}}
    assert failure(moved).startswith("inclusion: the inclusion proof of entry 0 does not lead")
    no_countersign = receipt.entry.to_dict()
    no_countersign["body"] = {
        **no_countersign["body"],
        "signatures": [
            s for s in no_countersign["body"]["signatures"] if s["keyid"] == signer.keyid
        ],
    }
    assert failure({**receipt.to_dict(), "entry": no_countersign}).startswith("counter-signature:")
    other_log = TransparencyLog(MemoryStorage(), other_signer, ORIGIN)
    foreign = other_log.append_decision(_real_decision(signer))
    assert failure(foreign.to_dict()).startswith("checkpoint: checkpoint signature: no signature")
    lines = receipt.checkpoint.split("\n")
    grown = "\n".join([lines[0], "3", *lines[2:]])
    assert "does not verify" in failure({**receipt.to_dict(), "checkpoint": grown})
    assert failure(receipt.to_dict(), public(other_signer)).startswith("signature: no signature")
    wrong_commit = verify_receipt(
        receipt.to_dict(), public(signer), Expectations(commit="d" * 40), trust
    )
    assert wrong_commit.failure is not None
    assert wrong_commit.failure.name == "subject"
