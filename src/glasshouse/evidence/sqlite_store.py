"""A transparency log's storage in one SQLite file (tests, the CLI, small servers).

Tables: ``entries(idx, data)``, ``nodes(level, idx, hash)``, ``checkpoints(size,
note)`` and ``meta`` (the tree size and the schema version). The tree size is kept
apart from the entries, so that a dropped entry row is seen as missing rather than
silently shrinking the log.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from glasshouse.evidence.log import LogConflict, LogError
from glasshouse.evidence.merkle import NodeKey

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
"""
_BATCH = 400  # host parameters per lookup stay well under SQLite's limit


class SQLiteStorage:
    def __init__(self, path: Path | str, *, durable: bool = True) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'OFF'}")
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema', ?), ('size', 0)", (SCHEMA_VERSION,)
            )
        except sqlite3.Error as exc:
            raise LogError(f"{path}: cannot open the log ({exc})") from None
        (version,) = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if version != SCHEMA_VERSION:
            raise LogError(f"{path}: log schema {version}, this version reads {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStorage:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def size(self) -> int:
        (value,) = self._db.execute("SELECT value FROM meta WHERE key = 'size'").fetchone()
        return int(value)

    def append(
        self, first_index: int, entries: Sequence[bytes], nodes: Sequence[tuple[int, int, bytes]]
    ) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            size = self.size()
            if size != first_index:
                raise LogConflict(f"the log has {size} entries, not {first_index}")
            db.executemany(
                "INSERT INTO entries (idx, data) VALUES (?, ?)",
                ((first_index + i, data) for i, data in enumerate(entries)),
            )
            db.executemany("INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)", nodes)
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'size'", (first_index + len(entries),)
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def entries(self, start: int, end: int) -> Sequence[tuple[int, bytes]]:
        rows = self._db.execute(
            "SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end)
        )
        return [(int(i), bytes(d)) for i, d in rows]

    def nodes(self, keys: Sequence[NodeKey]) -> Sequence[bytes]:
        found: dict[NodeKey, bytes] = {}
        unique = list(dict.fromkeys(keys))
        for offset in range(0, len(unique), _BATCH):
            batch = unique[offset : offset + _BATCH]
            where = " OR ".join("(level = ? AND idx = ?)" for _ in batch)
            params = [value for key in batch for value in key]
            for level, idx, value in self._db.execute(
                f"SELECT level, idx, hash FROM nodes WHERE {where}",  # noqa: S608 - placeholders only
                params,
            ):
                found[(level, idx)] = bytes(value)
        missing = [key for key in unique if key not in found]
        if missing:
            raise LogError(f"node {missing[0]} is missing from the store")
        return [found[key] for key in keys]

    def add_checkpoint(self, size: int, note: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?, ?)", (size, note)
        )

    def checkpoints(self) -> Sequence[tuple[int, str]]:
        rows = self._db.execute("SELECT size, note FROM checkpoints ORDER BY size")
        return [(int(s), str(n)) for s, n in rows]
