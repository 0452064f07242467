"""What the log answers: log entries, receipts and consistency proofs, as versioned JSON.

A *log entry* is what a leaf holds: ``{"v": 1, "kind", "logged_at", "body"}``, where
``kind`` is ``decision`` (``body`` is the DSSE envelope, with the log's
counter-signature), ``triage`` or ``waiver`` (``body`` is the event). Its bytes are its
canonical JSON (sorted keys, no spaces, ASCII escapes), so anyone can recompute the
leaf hash from the parsed entry.

A *receipt* (``schemas/receipt-1.json``) proves that an entry is in the log::

    {"schema_version": "1.0", "type": "glasshouse.receipt",
     "entry": {...}, "leaf_index": 12,
     "inclusion_proof": ["<base64 hash>", ...],      # RFC 6962 audit path
     "checkpoint": "<signed checkpoint note>"}        # the tree it is proved against

A *consistency proof* file proves that a newer checkpoint extends an older one::

    {"schema_version": "1.0", "type": "glasshouse.consistency-proof",
     "old_size": 10, "new_size": 20, "proof": ["<base64 hash>", ...]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from glasshouse.evidence._codec import DecodeError, b64decode, b64encode, canonical_json
from glasshouse.evidence.merkle import HASH_SIZE, leaf_hash

ENTRY_VERSION = 1
ENTRY_KINDS = ("decision", "triage", "waiver")
RECEIPT_TYPE = "glasshouse.receipt"
CONSISTENCY_TYPE = "glasshouse.consistency-proof"
SCHEMA_VERSION = "1.0"
MAX_PROOF_LENGTH = 128  # a tree of 2**64 leaves needs 64 hashes at most; twice that is absurd


class ReceiptError(ValueError):
    """A receipt, entry or proof file that does not follow its schema."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    kind: str
    logged_at: str  # RFC 3339 UTC, when the log accepted it
    body: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": ENTRY_VERSION,
            "kind": self.kind,
            "logged_at": self.logged_at,
            "body": self.body,
        }

    def encode(self) -> bytes:
        return canonical_json(self.to_dict())

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.encode())


def entry_from_dict(data: object) -> LogEntry:
    if not isinstance(data, dict):
        raise ReceiptError("entry: expected an object")
    if data.get("v") != ENTRY_VERSION:
        raise ReceiptError(f"entry: unsupported version {data.get('v')!r}")
    kind, logged_at, body = data.get("kind"), data.get("logged_at"), data.get("body")
    if kind not in ENTRY_KINDS:
        raise ReceiptError(f"entry: unknown kind {kind!r}")
    if not isinstance(logged_at, str) or not isinstance(body, dict):
        raise ReceiptError("entry: logged_at must be a string and body an object")
    extra = set(data) - {"v", "kind", "logged_at", "body"}
    if extra:
        raise ReceiptError(f"entry: unknown field(s) {', '.join(sorted(extra))}")
    return LogEntry(str(kind), logged_at, body)


def entry_from_bytes(data: bytes) -> LogEntry:
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReceiptError(f"entry: not JSON ({exc})") from None
    return entry_from_dict(parsed)


def _hashes(values: object, what: str) -> list[bytes]:
    if not isinstance(values, list) or len(values) > MAX_PROOF_LENGTH:
        raise ReceiptError(f"{what}: expected a list of at most {MAX_PROOF_LENGTH} hashes")
    hashes = []
    for value in values:
        try:
            raw = b64decode(value, what)
        except DecodeError as exc:
            raise ReceiptError(str(exc)) from None
        if len(raw) != HASH_SIZE:
            raise ReceiptError(f"{what}: a hash is not 32 bytes")
        hashes.append(raw)
    return hashes


def _header(data: object, kind: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ReceiptError(f"not a {kind}: expected a JSON object")
    if data.get("type") != kind:
        raise ReceiptError(f"not a {kind} (type {data.get('type')!r})")
    version = data.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ReceiptError(f"{kind}: unsupported schema_version {version!r}")
    return data


def _count(data: Mapping[str, Any], key: str, what: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ReceiptError(f"{what}: {key} must be a non-negative integer")
    return value


@dataclass(frozen=True, slots=True)
class Receipt:
    entry: LogEntry
    leaf_index: int
    inclusion_proof: tuple[bytes, ...]
    checkpoint: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "type": RECEIPT_TYPE,
            "entry": self.entry.to_dict(),
            "leaf_index": self.leaf_index,
            "inclusion_proof": [b64encode(h) for h in self.inclusion_proof],
            "checkpoint": self.checkpoint,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def receipt_from_dict(data: object) -> Receipt:
    header = _header(data, RECEIPT_TYPE)
    checkpoint = header.get("checkpoint")
    if not isinstance(checkpoint, str):
        raise ReceiptError("receipt: checkpoint must be a signed note (a string)")
    return Receipt(
        entry=entry_from_dict(header.get("entry")),
        leaf_index=_count(header, "leaf_index", "receipt"),
        inclusion_proof=tuple(_hashes(header.get("inclusion_proof"), "receipt: inclusion_proof")),
        checkpoint=checkpoint,
    )


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    proof: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "type": CONSISTENCY_TYPE,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "proof": [b64encode(h) for h in self.proof],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"


def consistency_from_dict(data: object) -> ConsistencyProof:
    header = _header(data, CONSISTENCY_TYPE)
    return ConsistencyProof(
        old_size=_count(header, "old_size", "consistency proof"),
        new_size=_count(header, "new_size", "consistency proof"),
        proof=tuple(_hashes(header.get("proof"), "consistency proof")),
    )


def encode_hashes(hashes: Sequence[bytes]) -> list[str]:
    return [b64encode(h) for h in hashes]
