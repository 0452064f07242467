"""Projects' signing keys, and the check of a signed gate decision sent with a run.

A project registers the public keys its pipelines sign decisions with (``glasshouse
server add-signing-key``). An upload that carries a DSSE envelope is accepted only if
a registered key of that project signed it, its statement is a Glasshouse gate
decision, the JSON report it names (by SHA-256) is the uploaded report, and its
verdict is the report's. A project may require every upload to be signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from glasshouse.evidence import dsse
from glasshouse.evidence.attestation import PAYLOAD_TYPE, AttestationError, parse_statement
from glasshouse.evidence.keys import VerifyingKey, public_pem
from glasshouse.storage.accounts import log as log_event
from glasshouse.storage.models import Project, SigningKeyRecord
from glasshouse.storage.tlog import verifying_key_from_pem

REPORT_INPUT = "glasshouse-report.json"


class SignatureRefused(Exception):
    """An upload whose signed decision is refused; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def add_key(
    session: Session, project: Project, key: VerifyingKey, *, name: str, actor: str, at: datetime
) -> SigningKeyRecord:
    existing = session.scalar(
        select(SigningKeyRecord).where(
            SigningKeyRecord.project_id == project.id, SigningKeyRecord.keyid == key.keyid
        )
    )
    if existing is not None:
        existing.revoked_at = None
        return existing
    record = SigningKeyRecord(
        project_id=project.id,
        keyid=key.keyid,
        public_key=public_pem(key).decode("ascii"),
        name=name[:200],
        added_at=at,
        added_by=actor,
    )
    session.add(record)
    session.flush()
    log_event(
        session,
        actor,
        "signing_key_added",
        f"{key.keyid} ({name}) for {project.slug}",
        at=at,
        project_id=project.id,
    )
    return record


def project_keys(
    session: Session, project_id: int, *, active: bool = True
) -> list[tuple[SigningKeyRecord, VerifyingKey]]:
    query = select(SigningKeyRecord).where(SigningKeyRecord.project_id == project_id)
    if active:
        query = query.where(SigningKeyRecord.revoked_at.is_(None))
    return [(r, verifying_key_from_pem(r.public_key)) for r in session.scalars(query)]


def signer_of(
    envelope: dsse.Envelope, keys: Sequence[tuple[SigningKeyRecord, VerifyingKey]]
) -> VerifyingKey | None:
    """The registered key whose signature on the envelope holds, if any."""
    for _record, key in keys:
        try:
            dsse.verify(envelope, key)
        except dsse.EnvelopeError:
            continue
        return key
    return None


@dataclass(frozen=True)
class CheckedDecision:
    envelope: dsse.Envelope
    key: VerifyingKey


def check_upload(
    session: Session,
    project: Project,
    envelope_data: object | None,
    report: dict[str, Any],
    digest: str,
) -> CheckedDecision | None:
    """The verified decision sent with a run (None for an unsigned run that may be)."""
    if envelope_data is None:
        if project.require_signed:
            raise SignatureRefused(
                403,
                f"project {project.slug!r} requires a signed gate decision with each run: "
                "scan with --sign-key KEY --attestation FILE --upload URL",
            )
        return None
    try:
        envelope = dsse.from_dict(envelope_data)
    except dsse.EnvelopeError as exc:
        raise SignatureRefused(422, f"the signed decision: {exc}") from None
    keys = project_keys(session, project.id)
    if not keys:
        raise SignatureRefused(
            403,
            f"project {project.slug!r} has no signing key registered: register the public key "
            f"with `glasshouse server add-signing-key --project {project.slug} FILE.pub`",
        )
    named = {s.keyid for s in envelope.signatures}
    candidates = [(r, k) for r, k in keys if k.keyid in named]
    if not candidates and "" not in named:
        shown = ", ".join(sorted(k[:16] + "..." for k in named if k)) or "none"
        raise SignatureRefused(
            403,
            f"the decision is signed by key(s) {shown}, none of which is registered for "
            f"project {project.slug!r} (`glasshouse server add-signing-key`)",
        )
    problem = ""
    verified: dsse.Verified | None = None
    signer: VerifyingKey | None = None
    for _record, key in candidates or keys:
        try:
            verified = dsse.verify(envelope, key)
        except dsse.EnvelopeError as exc:
            problem = str(exc)
            continue
        signer = key
        break
    if verified is None or signer is None:
        raise SignatureRefused(422, f"the decision's signature does not verify: {problem}")
    if verified.payload_type != PAYLOAD_TYPE:
        raise SignatureRefused(422, f"the decision's payloadType is {verified.payload_type!r}")
    try:
        decision = parse_statement(verified.payload)
    except AttestationError as exc:
        raise SignatureRefused(422, f"the signed decision: {exc}") from None
    inputs = decision.statement.get("predicate", {}).get("inputAttestations", [])
    named_reports = [
        str((i.get("digest") or {}).get("sha256", ""))
        for i in inputs
        if isinstance(i, dict) and i.get("name") == REPORT_INPUT
    ]
    if digest not in named_reports:
        shown = ", ".join(d[:16] + "..." for d in named_reports) or "no report"
        raise SignatureRefused(
            422,
            f"the signed decision is about report {shown}, not the uploaded report "
            f"(sha256 {digest[:16]}...)",
        )
    verdict_passed = report["decision"]["verdict"] == "pass"
    if decision.passed != verdict_passed:
        raise SignatureRefused(
            422,
            f"the signed decision says {decision.result} but the report's verdict is "
            f"{report['decision']['verdict']}",
        )
    return CheckedDecision(envelope, signer)
