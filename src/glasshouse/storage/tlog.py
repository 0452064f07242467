"""The glass house's transparency log: ``glasshouse.evidence.log`` over the database.

Tables (migration 0004): ``log_state`` (one row: the log's origin, its Ed25519 key and
the tree size), ``log_entries`` (the leaves' bytes by index), ``log_nodes`` (the hash
of each complete subtree) and ``log_checkpoints`` (each signed checkpoint, by size).

*Appending* is compare-and-append: the append moves ``log_state.size`` from the size
its tree was computed on to the new size with ``UPDATE ... WHERE size = :first`` and
inserts the entries under their index, which is the primary key. When another writer
went first the update matches no row (``LogConflict``); the append is retried inside
a savepoint with the tree reloaded, so the rest of the caller's transaction stands.
On PostgreSQL the update waits for the other writer's row lock, then sees its size;
on SQLite writers are serialized by ``BEGIN IMMEDIATE`` and conflicts cannot occur.

*Events*: triage and waiver events are queued on the session as their rows are
inserted (``queue_events``) and appended by a ``before_commit`` hook in the same
transaction, right before COMMIT: an event row and its log entry commit together or
not at all, so no event is lost or logged twice, and the log's row lock is held only
for the end of the transaction. A decision (``append_decision``) is appended with the
events its run made, in one batch, and its receipt is returned to the uploader.

*The key*: generated on first start and kept in ``log_state.private_key`` (PKCS#8
PEM), so that every server process on one database signs as one log. Anyone who can
read that table can sign checkpoints: restrict database access and backups, or start
every process with ``--log-key-file`` (a 0600 PEM file); the database then keeps only
the public key, and a process given another key, or another origin, refuses to start.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import CursorResult, event, insert, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from glasshouse.evidence import dsse, merkle
from glasshouse.evidence.checkpoint import Checkpoint, sign_checkpoint
from glasshouse.evidence.keys import SigningKey, VerifyingKey, generate, private_pem, public_pem
from glasshouse.evidence.log import LogConflict, LogError, TransparencyLog, now
from glasshouse.evidence.note import NoteSigner
from glasshouse.evidence.receipt import LogEntry, Receipt
from glasshouse.storage.db import utcnow
from glasshouse.storage.models import (
    Finding,
    LogCheckpoint,
    LogEntryRow,
    LogNode,
    LogState,
    Project,
)

INFO_IDENTITY = "glasshouse_log"
INFO_PENDING = "glasshouse_log_pending"
MAX_ATTEMPTS = 100
_BATCH = 400
ORIGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")


class LogSetupError(LogError):
    """The log's key or name cannot be used as configured; the message says why."""


@dataclass(frozen=True)
class LogIdentity:
    origin: str
    key: SigningKey

    @property
    def verifying_key(self) -> VerifyingKey:
        return VerifyingKey(self.key.public)

    def vkey(self) -> str:
        """The C2SP verifier key (name+hash+key) that `glasshouse verify --log-key` reads."""
        return NoteSigner(self.origin, self.key).verifier.vkey()

    def public_pem(self) -> str:
        return public_pem(self.key).decode("ascii")


def default_origin() -> str:
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.getfqdn() or "localhost").strip("-.")
    return f"{host or 'localhost'}/glasshouse-log"


def check_origin(origin: str) -> str:
    if not ORIGIN.match(origin):
        raise LogSetupError(
            f"log origin {origin!r}: letters, digits and . _ : / - (no spaces, no '+'), "
            "at most 200 characters, e.g. glasshouse.example.com/log"
        )
    return origin


def _signing_key(pem: str) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise LogSetupError("the log's stored private key is not a PEM Ed25519 key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LogSetupError("the log's stored private key is not an Ed25519 key")
    return SigningKey(key)


def verifying_key_from_pem(pem: str) -> VerifyingKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm):
        raise LogSetupError("the log's stored public key is not a PEM key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise LogSetupError("the log's stored public key is not an Ed25519 key")
    return VerifyingKey(key)


def _dialect_insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def ensure_identity(
    session: Session,
    *,
    origin: str | None = None,
    key: SigningKey | None = None,
) -> LogIdentity:
    """The log's name and key, created on first use (first start) if the database has none.

    ``key`` is a key from a file (``--log-key-file``): the database then keeps only its
    public half. A log's name and key never change: one that differs is refused.
    """
    row = session.execute(
        select(LogState.origin, LogState.public_key, LogState.private_key).where(LogState.id == 1)
    ).first()
    if row is None:
        chosen = check_origin(origin or default_origin())
        new = key or generate()
        values = {
            "id": 1,
            "origin": chosen,
            "public_key": public_pem(new).decode("ascii"),
            "private_key": None if key is not None else private_pem(new).decode("ascii"),
            "size": 0,
            "created_at": utcnow(),
        }
        session.execute(_dialect_insert(session, LogState).values(values).on_conflict_do_nothing())
        row = session.execute(
            select(LogState.origin, LogState.public_key, LogState.private_key).where(
                LogState.id == 1
            )
        ).one()
    stored_origin, public, private = row
    if origin is not None and origin != stored_origin:
        raise LogSetupError(
            f"the log is named {stored_origin!r}, not {origin!r}: a log's name never changes "
            "(its checkpoints carry it)"
        )
    if key is not None:
        if verifying_key_from_pem(public).raw != VerifyingKey(key.public).raw:
            raise LogSetupError(
                "the given log key is not the log's key (its public key is in the database); "
                "a log's key never changes"
            )
        return LogIdentity(stored_origin, key)
    if private is None:
        raise LogSetupError(
            "the log's private key is kept outside the database: start with --log-key-file"
        )
    signing = _signing_key(private)
    if verifying_key_from_pem(public).raw != VerifyingKey(signing.public).raw:
        raise LogSetupError("the log's stored private and public keys do not match")
    return LogIdentity(stored_origin, signing)


def identity(session: Session) -> LogIdentity:
    """The identity the server configured for its sessions, else the database's own."""
    found = session.info.get(INFO_IDENTITY)
    if isinstance(found, LogIdentity):
        return found
    made = ensure_identity(session)
    session.info[INFO_IDENTITY] = made
    return made


def published_identity(session: Session) -> tuple[str, VerifyingKey] | None:
    """The log's origin and public key, without its private key (None before first use)."""
    row = session.execute(
        select(LogState.origin, LogState.public_key).where(LogState.id == 1)
    ).first()
    return None if row is None else (row[0], verifying_key_from_pem(row[1]))


# -- storage -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Label:
    """What an entry is about, for finding it again (not part of the hashed bytes)."""

    kind: str
    project_id: int | None = None
    run_id: int | None = None
    event_id: int | None = None


# On PostgreSQL an append's entries and nodes are inserted with one statement each over
# arrays (one round trip, a short statement text), not a pipelined statement per row.
_INSERT_ENTRIES = text(
    "INSERT INTO log_entries (idx, data, kind, project_id, run_id, event_id, logged_at) "
    "SELECT * FROM unnest(CAST(:idx AS bigint[]), CAST(:data AS bytea[]), "
    "CAST(:kind AS text[]), CAST(:project_id AS integer[]), CAST(:run_id AS bigint[]), "
    "CAST(:event_id AS bigint[]), CAST(:logged_at AS timestamp[]))"
)
_INSERT_NODES = text(
    "INSERT INTO log_nodes (level, idx, hash) SELECT * FROM unnest(CAST(:level AS smallint[]), "
    "CAST(:idx AS bigint[]), CAST(:hash AS bytea[]))"
)


def _columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in rows] for name in rows[0]}


class SQLLogStorage:
    """``evidence.log.LogStorage`` on one SQLAlchemy session (its transaction)."""

    def __init__(self, session: Session, *, prefetch: bool = False) -> None:
        self.session = session
        self.labels: Sequence[Label] = ()
        # auditing reads every node once: with ``prefetch``, reading a range of entries
        # loads the nodes those entries complete, a few queries per range instead of one
        # query per entry
        self.prefetch = prefetch
        self._cache: dict[merkle.NodeKey, bytes] = {}

    def size(self) -> int:
        value = self.session.execute(select(LogState.size).where(LogState.id == 1)).scalar()
        if value is None:
            raise LogError("the transparency log is not set up (no log_state row)")
        return int(value)

    def append(
        self, first_index: int, entries: Sequence[bytes], nodes: Sequence[tuple[int, int, bytes]]
    ) -> None:
        moved = cast(
            "CursorResult[Any]",
            self.session.execute(
                update(LogState)
                .where(LogState.id == 1, LogState.size == first_index)
                .values(size=first_index + len(entries))
                .execution_options(synchronize_session=False)
            ),
        )
        if moved.rowcount != 1:
            raise LogConflict(f"the log no longer has {first_index} entries")
        at = utcnow()
        labels = list(self.labels) or [Label("?")] * len(entries)
        if len(labels) != len(entries):
            raise LogError("each entry needs its label")
        pg = self.session.get_bind().dialect.name == "postgresql"
        if entries:
            rows = [
                {
                    "idx": first_index + i,
                    "data": data,
                    "kind": label.kind,
                    "project_id": label.project_id,
                    "run_id": label.run_id,
                    "event_id": label.event_id,
                    "logged_at": at,
                }
                for i, (data, label) in enumerate(zip(entries, labels, strict=True))
            ]
            if pg:
                self.session.execute(_INSERT_ENTRIES, _columns(rows))
            else:
                self.session.execute(insert(LogEntryRow), rows)
        if nodes:
            node_rows = [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes]
            if pg:
                self.session.execute(_INSERT_NODES, _columns(node_rows))
            else:
                self.session.execute(insert(LogNode), node_rows)

    def entries(self, start: int, end: int) -> Sequence[tuple[int, bytes]]:
        rows = self.session.execute(
            select(LogEntryRow.idx, LogEntryRow.data)
            .where(LogEntryRow.idx >= start, LogEntryRow.idx < end)
            .order_by(LogEntryRow.idx)
        )
        found = [(int(i), bytes(d)) for i, d in rows]
        if self.prefetch and end > start:
            self._prefetch(start, end)
        return found

    def _prefetch(self, start: int, end: int) -> None:
        """Cache the nodes that leaves start..end-1 complete: at each level, the nodes
        whose last leaf falls in the range."""
        self._cache.clear()
        level = 0
        while (end >> level) > 0:
            low = ((start + 1) >> level) - 1 if level else start
            high = end >> level  # exclusive
            if high > max(low, 0):
                for lv, ix, value in self.session.execute(
                    select(LogNode.level, LogNode.idx, LogNode.hash).where(
                        LogNode.level == level, LogNode.idx >= max(low, 0), LogNode.idx < high
                    )
                ):
                    self._cache[(int(lv), int(ix))] = bytes(value)
            level += 1

    def nodes(self, keys: Sequence[merkle.NodeKey]) -> Sequence[bytes]:
        if self._cache and all(key in self._cache for key in keys):
            return [self._cache[key] for key in keys]
        found: dict[merkle.NodeKey, bytes] = {}
        unique = list(dict.fromkeys(keys))
        for offset in range(0, len(unique), _BATCH):
            batch = unique[offset : offset + _BATCH]
            for level, idx, value in self.session.execute(
                select(LogNode.level, LogNode.idx, LogNode.hash).where(
                    tuple_(LogNode.level, LogNode.idx).in_(batch)
                )
            ):
                found[(int(level), int(idx))] = bytes(value)
        missing = [key for key in unique if key not in found]
        if missing:
            raise LogError(f"node {missing[0]} is missing from the store")
        return [found[key] for key in keys]

    def add_checkpoint(self, size: int, note: str) -> None:
        self.session.execute(
            _dialect_insert(self.session, LogCheckpoint)
            .values(size=size, note=note, created_at=utcnow())
            .on_conflict_do_nothing()
        )

    def checkpoints(self) -> Sequence[tuple[int, str]]:
        rows = self.session.execute(
            select(LogCheckpoint.size, LogCheckpoint.note).order_by(LogCheckpoint.size)
        )
        return [(int(s), str(n)) for s, n in rows]

    def latest_checkpoint(self) -> tuple[int, str] | None:
        row = self.session.execute(
            select(LogCheckpoint.size, LogCheckpoint.note)
            .order_by(LogCheckpoint.size.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), str(row[1]))


class ServerLog(TransparencyLog):
    """The log over the database: reads never write (a checkpoint of the current size is
    stored by the append that made that size; Ed25519 signatures are deterministic, so
    signing one again gives the same note)."""

    def __init__(self, storage: SQLLogStorage, ident: LogIdentity) -> None:
        super().__init__(storage, ident.key, ident.origin)
        self.sql = storage

    def latest_checkpoint(self) -> str:
        size = self.sql.size()
        stored = self.sql.latest_checkpoint()
        if stored is not None and stored[0] == size:
            return stored[1]
        return sign_checkpoint(Checkpoint(self.origin, size, self.root(size)), self.key)

    def checkpoint_after_append(self) -> str:
        """Sign and store the checkpoint of the tree this log just appended to, its root
        taken from the frontier in memory (no more reads)."""
        frontier = self._frontier
        if frontier is None:
            return self.checkpoint()
        note = sign_checkpoint(Checkpoint(self.origin, frontier.size, frontier.root()), self.key)
        self.sql.add_checkpoint(frontier.size, note)
        return note

    def checkpoint_at(self, size: int) -> str | None:
        row = self.sql.session.execute(
            select(LogCheckpoint.note).where(LogCheckpoint.size == size)
        ).scalar()
        return None if row is None else str(row)


def open_log(session: Session) -> ServerLog:
    return ServerLog(SQLLogStorage(session), identity(session))


class _PublicLog(TransparencyLog):
    """The log read with its public key only (to audit without the private key)."""

    def __init__(self, storage: SQLLogStorage, origin: str, key: VerifyingKey) -> None:
        super().__init__(storage, generate(), origin)  # never signs: the key is a stand-in
        self._public = key

    @property
    def verifying_key(self) -> VerifyingKey:
        return self._public


def public_log(session: Session) -> TransparencyLog | None:
    """The log to audit, with the public key the database holds (None before first use)."""
    published = published_identity(session)
    if published is None:
        return None
    return _PublicLog(SQLLogStorage(session, prefetch=True), published[0], published[1])


# -- appending ---------------------------------------------------------------------------
@dataclass
class _Queued:
    kind: str  # triage or waiver
    event_id: int
    project_id: int | None
    row: Mapping[str, Any]  # the event's columns as inserted
    extra: Mapping[str, Any] = field(default_factory=dict)


def _iso(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def queue_events(
    session: Session,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
    ids: Sequence[int],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Log these just-inserted event rows (``ids`` in the same order) at commit."""
    if kind not in ("triage", "waiver"):
        raise LogError(f"unknown event kind {kind!r}")
    if len(rows) != len(ids):
        raise LogError("each queued event needs its id")
    pending: list[_Queued] = session.info.setdefault(INFO_PENDING, [])
    for row, event_id in zip(rows, ids, strict=True):
        pending.append(_Queued(kind, int(event_id), row.get("project_id"), row, extra or {}))


def _lookup(session: Session, column: Any, key: Any, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), _BATCH):
        for k, value in session.execute(
            select(key, column).where(key.in_(wanted[start : start + _BATCH]))
        ):
            found[int(k)] = value
    return found


def _bodies(session: Session, queued: Sequence[_Queued]) -> list[dict[str, Any]]:
    slugs = _lookup(
        session, Project.slug, Project.id, (q.project_id for q in queued if q.project_id)
    )
    prints = _lookup(
        session,
        Finding.fingerprint,
        Finding.id,
        (q.row["finding_id"] for q in queued if q.kind == "triage" and q.row.get("finding_id")),
    )
    bodies = []
    for q in queued:
        row = q.row
        body: dict[str, Any] = {
            "event": q.event_id,
            "action": row.get("action", q.kind),
            "at": _iso(row.get("at")),
            "actor": row.get("actor"),
            "project": slugs.get(q.project_id) if q.project_id else None,
            "reason": row.get("reason"),
        }
        if q.kind == "triage":
            finding_id = row.get("finding_id")
            body["finding"] = {
                "id": finding_id,
                "fingerprint": prints.get(finding_id) if finding_id else None,
            }
            body["state"] = row.get("state")
            body["expires"] = _iso(row.get("expires"))
            body["run"] = row.get("run_id")
        body.update({k: _iso(v) for k, v in q.extra.items()})
        bodies.append(body)
    return bodies


@dataclass(frozen=True)
class Appended:
    first: int
    size: int
    checkpoint: str


def _append(
    session: Session, entries: Sequence[LogEntry], labels: Sequence[Label]
) -> tuple[ServerLog, Appended]:
    """Append in one batch (retried on conflict), store the new checkpoint."""
    ident = identity(session)
    for _ in range(MAX_ATTEMPTS):
        storage = SQLLogStorage(session)
        storage.labels = labels
        log = ServerLog(storage, ident)
        try:
            with session.begin_nested():
                indices = log.append(entries)
                note = log.checkpoint_after_append()
        except (LogConflict, IntegrityError):
            continue  # another writer went first: reload the tree, try again
        return log, Appended(indices[0], indices[-1] + 1, note)
    raise LogError(f"the log stayed busy through {MAX_ATTEMPTS} attempts")


def _pending_entries(session: Session, at: str) -> tuple[list[LogEntry], list[Label]]:
    queued: list[_Queued] = session.info.pop(INFO_PENDING, [])
    if not queued:
        return [], []
    bodies = _bodies(session, queued)
    entries = [LogEntry(q.kind, at, body) for q, body in zip(queued, bodies, strict=True)]
    labels = [Label(q.kind, q.project_id, q.row.get("run_id"), q.event_id) for q in queued]
    return entries, labels


def flush_events(session: Session) -> Appended | None:
    """Append the queued events now (the commit hook does it otherwise)."""
    entries, labels = _pending_entries(session, now())
    if not entries:
        return None
    return _append(session, entries, labels)[1]


def append_decision(
    session: Session, envelope: dsse.Envelope, *, project_id: int, run_id: int
) -> Receipt:
    """Counter-sign and append a verified decision, with the events its run queued; its
    receipt against the checkpoint this append stored."""
    ident = identity(session)
    at = now()
    countersigned = envelope
    if not any(s.keyid == ident.key.keyid for s in envelope.signatures):
        countersigned = envelope.signed_by(ident.key)
    decision = LogEntry("decision", at, countersigned.to_dict())
    events, labels = _pending_entries(session, at)
    log, done = _append(
        session, [decision, *events], [Label("decision", project_id, run_id), *labels]
    )
    return log.receipt(done.first, done.checkpoint)


@event.listens_for(Session, "before_commit")
def _log_before_commit(session: Session) -> None:
    if session.info.get(INFO_PENDING):
        flush_events(session)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(INFO_PENDING, None)


__all__ = [
    "Appended",
    "Label",
    "LogIdentity",
    "LogSetupError",
    "SQLLogStorage",
    "ServerLog",
    "append_decision",
    "ensure_identity",
    "flush_events",
    "identity",
    "open_log",
    "queue_events",
]
