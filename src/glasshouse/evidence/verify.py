"""Offline verification of gate decisions, receipts and checkpoints.

Each function returns an ``Outcome``: every check made, in order, each with a one-line
reason, so that a failure names what broke. Checks that rest on an earlier one (the
subject of a payload whose signature failed, say) are not made after it fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from glasshouse.evidence import dsse, merkle
from glasshouse.evidence.attestation import (
    PAYLOAD_TYPE,
    AttestationError,
    Decision,
    parse_statement,
    subject_matches,
)
from glasshouse.evidence.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from glasshouse.evidence.keys import VerifyingKey
from glasshouse.evidence.receipt import (
    RECEIPT_TYPE,
    ConsistencyProof,
    Receipt,
    ReceiptError,
    consistency_from_dict,
    receipt_from_dict,
)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Outcome:
    checks: list[Check] = field(default_factory=list)
    decision: Decision | None = None
    receipt: Receipt | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    @property
    def failure(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)


@dataclass(frozen=True, slots=True)
class Expectations:
    """What the verifier requires of the decision beyond its signature."""

    commit: str | None = None
    artifacts: tuple[tuple[str, str], ...] = ()  # (file name, sha256)
    require_pass: bool = True


@dataclass(frozen=True, slots=True)
class LogTrust:
    key: VerifyingKey
    origin: str | None = None  # pin the log's name; any origin signed by the key otherwise


def document_kind(data: bytes) -> str:
    """``envelope``, ``receipt`` or ``unknown``: what a file holds, without trusting it."""
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "unknown"
    if isinstance(parsed, dict):
        if "payloadType" in parsed:
            return "envelope"
        if parsed.get("type") == RECEIPT_TYPE:
            return "receipt"
    return "unknown"


def verify_document(
    data: bytes, key: VerifyingKey, expect: Expectations, log: LogTrust | None = None
) -> Outcome:
    """An envelope or a receipt, whichever ``data`` holds."""
    outcome = Outcome()
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        outcome.add("format", False, f"not JSON ({exc})")
        return outcome
    if isinstance(parsed, dict) and parsed.get("type") == RECEIPT_TYPE:
        return verify_receipt(parsed, key, expect, log)
    _verify_envelope(parsed, key, expect, outcome)
    return outcome


def verify_receipt(
    data: object, key: VerifyingKey, expect: Expectations, log: LogTrust | None
) -> Outcome:
    outcome = Outcome()
    try:
        receipt = receipt_from_dict(data)
    except ReceiptError as exc:
        outcome.add("receipt", False, str(exc))
        return outcome
    outcome.receipt = receipt
    entry = receipt.entry
    outcome.add("receipt", True, f"entry {receipt.leaf_index} of the log ({entry.kind})")
    if entry.kind != "decision":
        outcome.add("entry", False, f"the entry is a {entry.kind} event, not a gate decision")
        return outcome
    if not _verify_envelope(entry.body, key, expect, outcome):
        return outcome
    if log is None:
        outcome.add("checkpoint", False, "no log key given: the log proof cannot be checked")
        return outcome
    try:
        checkpoint = open_checkpoint(receipt.checkpoint, log.key, log.origin)
    except CheckpointError as exc:
        outcome.add("checkpoint", False, str(exc))
        return outcome
    outcome.add(
        "checkpoint",
        True,
        f"signed by the log {checkpoint.origin!r} (key {log.key.keyid[:16]}...), "
        f"tree size {checkpoint.size}",
    )
    envelope = dsse.from_dict(entry.body)  # parsed once already by _verify_envelope
    try:
        dsse.verify(envelope, log.key)
        outcome.add("counter-signature", True, "the log counter-signed the envelope")
    except dsse.EnvelopeError as exc:
        outcome.add("counter-signature", False, f"the log's counter-signature: {exc}")
        return outcome
    _verify_inclusion(receipt, checkpoint, outcome)
    return outcome


def _verify_inclusion(receipt: Receipt, checkpoint: Checkpoint, outcome: Outcome) -> None:
    if receipt.leaf_index >= checkpoint.size:
        outcome.add(
            "inclusion",
            False,
            f"entry {receipt.leaf_index} cannot be in the checkpoint's tree of size "
            f"{checkpoint.size}",
        )
        return
    try:
        merkle.verify_inclusion(
            receipt.entry.leaf_hash,
            receipt.leaf_index,
            checkpoint.size,
            receipt.inclusion_proof,
            checkpoint.root,
        )
    except merkle.ProofError as exc:
        outcome.add(
            "inclusion",
            False,
            f"{exc}: the entry, its index, the proof or the checkpoint was changed",
        )
        return
    outcome.add(
        "inclusion",
        True,
        f"entry {receipt.leaf_index} is in the tree of size {checkpoint.size} "
        f"({len(receipt.inclusion_proof)} proof hashes)",
    )


def _verify_envelope(
    data: object, key: VerifyingKey, expect: Expectations, outcome: Outcome
) -> bool:
    try:
        envelope = dsse.from_dict(data)
    except dsse.EnvelopeError as exc:
        return outcome.add("envelope", False, str(exc))
    try:
        verified = dsse.verify(envelope, key)
    except dsse.EnvelopeError as exc:
        return outcome.add("signature", False, str(exc))
    others = f"; {verified.ignored} signature(s) by other keys" if verified.ignored else ""
    outcome.add("signature", True, f"signed by key {key.keyid[:16]}... (Ed25519){others}")
    if verified.payload_type != PAYLOAD_TYPE:
        return outcome.add(
            "payload", False, f"payloadType is {verified.payload_type!r}, not {PAYLOAD_TYPE!r}"
        )
    try:
        decision = parse_statement(verified.payload)
    except AttestationError as exc:
        return outcome.add("payload", False, str(exc))
    outcome.decision = decision
    outcome.add(
        "payload",
        True,
        f"in-toto Statement v1, SLSA verification summary of {decision.time_verified}",
    )
    if expect.commit is not None:
        if subject_matches(decision, commit=expect.commit, sha256=None):
            outcome.add("subject", True, f"commit {expect.commit.lower()}")
        else:
            known = ", ".join(decision.commits) or "no commit"
            return outcome.add(
                "subject",
                False,
                f"the decision is about {known}, not commit {expect.commit.lower()}",
            )
    for name, digest in expect.artifacts:
        if subject_matches(decision, commit=None, sha256=digest):
            outcome.add("subject", True, f"{name} (sha256 {digest[:16]}...)")
        else:
            return outcome.add(
                "subject",
                False,
                f"{name} (sha256 {digest[:16]}...) is not a subject of the decision",
            )
    if decision.passed:
        outcome.add("decision", True, "the gate PASSED")
    elif expect.require_pass:
        return outcome.add("decision", False, "the gate FAILED for this subject")
    else:
        outcome.add("decision", True, "the gate FAILED (accepted: --allow-failed)")
    return True


def verify_consistency(old_note: str, new_note: str, proof_data: object, log: LogTrust) -> Outcome:
    """That the newer checkpoint's tree extends the older one's, both signed by the log."""
    outcome = Outcome()
    checkpoints = []
    for label, note in (("older", old_note), ("newer", new_note)):
        try:
            checkpoint = open_checkpoint(note, log.key, log.origin)
        except CheckpointError as exc:
            outcome.add(f"{label} checkpoint", False, str(exc))
            return outcome
        outcome.add(
            f"{label} checkpoint", True, f"{checkpoint.origin!r}, tree size {checkpoint.size}"
        )
        checkpoints.append(checkpoint)
    old, new = checkpoints
    if old.origin != new.origin:
        outcome.add("origin", False, f"two different logs: {old.origin!r} and {new.origin!r}")
        return outcome
    if old.size > new.size:
        old, new = new, old  # given in the other order: still one question
    try:
        proof: ConsistencyProof = consistency_from_dict(proof_data)
    except ReceiptError as exc:
        outcome.add("consistency", False, str(exc))
        return outcome
    if (proof.old_size, proof.new_size) != (old.size, new.size):
        outcome.add(
            "consistency",
            False,
            f"the proof is from size {proof.old_size} to {proof.new_size}, the checkpoints "
            f"are of sizes {old.size} and {new.size}",
        )
        return outcome
    try:
        merkle.verify_consistency(old.size, new.size, proof.proof, old.root, new.root)
    except merkle.ProofError as exc:
        outcome.add(
            "consistency",
            False,
            f"{exc}: the log at size {new.size} does not extend the log at size {old.size}",
        )
        return outcome
    outcome.add(
        "consistency",
        True,
        f"the tree of size {new.size} extends the tree of size {old.size} "
        f"({len(proof.proof)} proof hashes)",
    )
    return outcome
