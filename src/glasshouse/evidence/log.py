"""An append-only transparency log: RFC 6962 tree, signed checkpoints, receipts.

The log works over ``LogStorage``, a small interface a database table can back (the
server's SQLAlchemy storage, ``sqlite_store.SQLiteStorage`` here, ``MemoryStorage`` for
tests). The storage keeps, in order:

- entries: the bytes of each leaf, by index (0, 1, 2, ... with no gap);
- nodes: the hash of each complete perfect subtree, by (level, index), level 0 being
  the leaf hashes (see ``merkle``): about two per entry;
- checkpoints: each signed checkpoint the log published, by tree size.

``append`` is compare-and-append: it names the index of the first new entry, and a
storage must refuse (``LogConflict``) when that is not its current size, so that two
writers can never interleave (a unique key on the entry index does it in SQL).

Trust: the log signs checkpoints with its key under its origin name, and counter-signs
each decision envelope it accepts (a second DSSE signature, by the log's key). Nobody,
the operator included, can change, drop or reorder an entry without changing every
later root, which ``audit`` recomputes and which consistency proofs against checkpoints
that others kept would expose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from glasshouse.evidence import dsse, merkle
from glasshouse.evidence.checkpoint import (
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    sign_checkpoint,
)
from glasshouse.evidence.keys import SigningKey, VerifyingKey
from glasshouse.evidence.receipt import (
    ConsistencyProof,
    LogEntry,
    Receipt,
    ReceiptError,
    entry_from_bytes,
)

MAX_AUDIT_PROBLEMS = 20


class LogError(Exception):
    """The log cannot do what was asked (an index out of range, a broken store)."""


class LogConflict(LogError):
    """Another writer appended first: reload and retry."""


class LogStorage(Protocol):
    def size(self) -> int:
        """The number of entries appended (the tree size)."""
        ...

    def append(
        self,
        first_index: int,
        entries: Sequence[bytes],
        nodes: Sequence[tuple[int, int, bytes]],
    ) -> None:
        """Atomically store ``entries`` at ``first_index``... and the new ``nodes``;
        LogConflict when ``first_index`` is not the current size."""
        ...

    def entries(self, start: int, end: int) -> Sequence[tuple[int, bytes]]:
        """The stored (index, bytes) with start <= index < end, by index."""
        ...

    def nodes(self, keys: Sequence[merkle.NodeKey]) -> Sequence[bytes]:
        """The stored hashes of these nodes, in the order asked; LogError if one is missing."""
        ...

    def add_checkpoint(self, size: int, note: str) -> None: ...

    def checkpoints(self) -> Sequence[tuple[int, str]]:
        """Every stored (size, signed note), by size."""
        ...


class MemoryStorage:
    """A storage in memory, for tests and benchmarks."""

    def __init__(self) -> None:
        self._entries: list[bytes] = []
        self._nodes: dict[merkle.NodeKey, bytes] = {}
        self._checkpoints: dict[int, str] = {}

    def size(self) -> int:
        return len(self._entries)

    def append(
        self, first_index: int, entries: Sequence[bytes], nodes: Sequence[tuple[int, int, bytes]]
    ) -> None:
        if first_index != len(self._entries):
            raise LogConflict(f"the log has {len(self._entries)} entries, not {first_index}")
        self._entries.extend(entries)
        for level, index, value in nodes:
            self._nodes[(level, index)] = value

    def entries(self, start: int, end: int) -> Sequence[tuple[int, bytes]]:
        return [(i, self._entries[i]) for i in range(start, min(end, len(self._entries)))]

    def nodes(self, keys: Sequence[merkle.NodeKey]) -> Sequence[bytes]:
        try:
            return [self._nodes[key] for key in keys]
        except KeyError as exc:
            raise LogError(f"node {exc.args[0]} is missing from the store") from None

    def add_checkpoint(self, size: int, note: str) -> None:
        self._checkpoints[size] = note

    def checkpoints(self) -> Sequence[tuple[int, str]]:
        return sorted(self._checkpoints.items())


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AuditResult:
    size: int
    root: bytes
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class TransparencyLog:
    def __init__(self, storage: LogStorage, key: SigningKey, origin: str) -> None:
        self.storage = storage
        self.key = key
        self.origin = origin
        self._frontier: merkle.Frontier | None = None

    @property
    def verifying_key(self) -> VerifyingKey:
        return VerifyingKey(self.key.public)

    # -- appending ---------------------------------------------------------------------
    def _load_frontier(self) -> merkle.Frontier:
        size = self.storage.size()
        if self._frontier is None or self._frontier.size != size:
            keys = merkle.Frontier.keys(size)
            self._frontier = merkle.Frontier(size, list(self.storage.nodes(keys)) if keys else [])
        return self._frontier

    def append(self, entries: Sequence[LogEntry]) -> list[int]:
        """Append entries in order, in one storage transaction; their indices."""
        frontier = self._load_frontier()
        first = frontier.size
        encoded = [entry.encode() for entry in entries]
        nodes: list[tuple[int, int, bytes]] = []
        try:
            for data in encoded:
                nodes.extend(frontier.append(merkle.leaf_hash(data)))
            self.storage.append(first, encoded, nodes)
        except BaseException:
            self._frontier = None  # rebuilt from the storage next time
            raise
        return list(range(first, first + len(encoded)))

    def countersign(self, envelope: dsse.Envelope) -> dsse.Envelope:
        """The envelope with the log's own signature added (once)."""
        mine = self.key.keyid
        if any(s.keyid == mine for s in envelope.signatures):
            return envelope
        return envelope.signed_by(self.key)

    def append_decision(self, envelope: dsse.Envelope, *, logged_at: str | None = None) -> Receipt:
        """Counter-sign and log a decision envelope; its receipt against a new checkpoint.

        The caller (the server) verifies the uploader's signature with the key it holds
        for that project BEFORE calling: the log vouches for what it accepted and when.
        """
        body = self.countersign(envelope).to_dict()
        entry = LogEntry("decision", logged_at or now(), body)
        (index,) = self.append([entry])
        return self.receipt(index, self.checkpoint())

    def append_event(
        self, kind: str, event: Mapping[str, Any], *, logged_at: str | None = None
    ) -> Receipt:
        """Log a triage or waiver event (``kind`` "triage" or "waiver"); its receipt."""
        if kind not in ("triage", "waiver"):
            raise LogError(f"unknown event kind {kind!r}")
        entry = LogEntry(kind, logged_at or now(), dict(event))
        entry.encode()  # refuses what canonical JSON cannot hold before anything is stored
        (index,) = self.append([entry])
        return self.receipt(index, self.checkpoint())

    # -- reading -----------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self.storage.size()

    def root(self, size: int | None = None) -> bytes:
        current = self.storage.size()
        size = current if size is None else size
        if not 0 <= size <= current:
            raise LogError(f"no tree of size {size}: the log has {current} entries")
        return merkle.root(self.storage, size)

    def entry(self, index: int) -> LogEntry:
        rows = self.storage.entries(index, index + 1)
        if not rows or rows[0][0] != index:
            raise LogError(f"entry {index} is not in the log")
        try:
            return entry_from_bytes(rows[0][1])
        except ReceiptError as exc:
            raise LogError(f"entry {index} is damaged: {exc}") from None

    def checkpoint(self) -> str:
        """Sign and store a checkpoint of the current tree."""
        size = self.storage.size()
        note = sign_checkpoint(Checkpoint(self.origin, size, self.root(size)), self.key)
        self.storage.add_checkpoint(size, note)
        return note

    def latest_checkpoint(self) -> str:
        stored = self.storage.checkpoints()
        if stored and stored[-1][0] == self.storage.size():
            return stored[-1][1]
        return self.checkpoint()

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        self._check_size(size)
        if not 0 <= index < size:
            raise LogError(f"entry {index} is not in the tree of size {size}")
        return merkle.inclusion_proof(self.storage, index, size)

    def consistency_proof(self, old_size: int, new_size: int) -> ConsistencyProof:
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise LogError(f"no consistency proof from size {old_size} to {new_size}")
        proof = merkle.consistency_proof(self.storage, old_size, new_size)
        return ConsistencyProof(old_size, new_size, tuple(proof))

    def receipt(self, index: int, checkpoint_note: str | None = None) -> Receipt:
        """The receipt of entry ``index`` against a checkpoint (the latest by default)."""
        note = checkpoint_note or self.latest_checkpoint()
        try:
            size = open_checkpoint(note, self.verifying_key, self.origin).size
        except CheckpointError as exc:
            raise LogError(f"not this log's checkpoint: {exc}") from None
        return Receipt(self.entry(index), index, tuple(self.inclusion_proof(index, size)), note)

    def _check_size(self, size: int) -> None:
        current = self.storage.size()
        if not 0 <= size <= current:
            raise LogError(f"no tree of size {size}: the log has {current} entries")

    # -- auditing ----------------------------------------------------------------------
    def audit(self, trusted: Sequence[str] = (), *, chunk: int = 4096) -> AuditResult:
        """Recompute the whole tree from the stored entries and compare.

        Names each entry that is missing or does not hash to its stored leaf, each stored
        node that differs from the recomputed one, each stored or ``trusted`` checkpoint
        (signed notes kept by others: receipts, auditors) whose signature or root does
        not match the tree the entries make now.
        """
        size = self.storage.size()
        problems: list[str] = []
        notes: dict[int, list[tuple[str, str]]] = {}
        for cp_size, note in self.storage.checkpoints():
            notes.setdefault(cp_size, []).append(("stored checkpoint", note))
        for note in trusted:
            try:
                claimed = open_checkpoint(note, self.verifying_key, self.origin)
            except CheckpointError as exc:
                problems.append(f"trusted checkpoint: {exc}")
                continue
            notes.setdefault(claimed.size, []).append(("trusted checkpoint", note))
        frontier = merkle.Frontier()
        self._check_notes(notes, 0, merkle.EMPTY_ROOT, problems)
        for entry_index, data in self._all_entries(size, chunk, problems):
            created = frontier.append(merkle.leaf_hash(data))
            stored = self.storage.nodes([(lv, ix) for lv, ix, _ in created])
            for (level, index, value), kept in zip(created, stored, strict=True):
                if value != kept:
                    what = (
                        f"entry {entry_index}: its content does not match its leaf hash "
                        "(changed, dropped or moved)"
                        if level == 0
                        else f"node ({level}, {index}) differs from the hash of its entries"
                    )
                    problems.append(what)
                    break
            self._check_notes(notes, frontier.size, frontier.root(), problems)
            if len(problems) >= MAX_AUDIT_PROBLEMS:
                problems.append("... and possibly more: the audit stopped there")
                break
        for cp_size in sorted(notes):
            if cp_size > size:
                problems.append(
                    f"a checkpoint of size {cp_size} exists but the log has only {size} entries "
                    "(entries were dropped)"
                )
        return AuditResult(size, frontier.root(), problems)

    def _all_entries(
        self, size: int, chunk: int, problems: list[str]
    ) -> Iterator[tuple[int, bytes]]:
        expected = 0
        for start in range(0, size, chunk):
            for index, data in self.storage.entries(start, min(size, start + chunk)):
                if index != expected:
                    problems.append(
                        f"entries {expected} to {index - 1} are missing"
                        if index - 1 > expected
                        else f"entry {expected} is missing"
                    )
                    return
                expected += 1
                yield index, data
        if expected != size:
            problems.append(f"entries {expected} to {size - 1} are missing")

    def _check_notes(
        self,
        notes: Mapping[int, list[tuple[str, str]]],
        size: int,
        root: bytes,
        problems: list[str],
    ) -> None:
        for what, note in notes.get(size, ()):
            try:
                checkpoint = open_checkpoint(note, self.verifying_key, self.origin)
            except CheckpointError as exc:
                problems.append(f"{what} of size {size}: {exc}")
                continue
            if checkpoint.root != root:
                problems.append(
                    f"{what} of size {size}: its root differs from the tree the stored "
                    "entries make (the log was rewritten)"
                )
