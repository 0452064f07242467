"""The local advisory store: an embedded SQLite file indexed by (ecosystem, package name).

A scan asks only for the packages it found, so it reads a few advisories, never the
whole database. Each import or update replaces one *source* (an ecosystem export or an
imported path) in a single transaction, so a scan running beside an update sees either
the old or the new data, never half of it.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Bump when the tables change: an older file is then rebuilt by the next import.
# Version 2 added the ``aliases`` table.
STORE_SCHEMA_VERSION = 2
STORE_FILENAME = f"advisories-v{STORE_SCHEMA_VERSION}.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,              -- 'update' (downloaded) or 'import' (a local path)
    location TEXT NOT NULL,          -- URL or path it came from
    etag TEXT,
    last_modified TEXT,
    fetched_at REAL NOT NULL,        -- when it was last checked against its origin
    imported_at REAL NOT NULL,       -- when its content last changed here
    advisory_count INTEGER NOT NULL,
    newest_modified TEXT NOT NULL    -- the newest 'modified' among its advisories
);
CREATE TABLE IF NOT EXISTS advisories (
    rowid INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    modified TEXT NOT NULL,
    body BLOB NOT NULL,              -- the OSV JSON document, zlib-compressed
    UNIQUE (source, id)
);
CREATE TABLE IF NOT EXISTS affected (
    source TEXT NOT NULL,
    ecosystem TEXT NOT NULL,         -- base ecosystem ('Debian', not 'Debian:12')
    name TEXT NOT NULL,              -- normalized with ecosystems.normalize_name
    advisory INTEGER NOT NULL REFERENCES advisories(rowid)
);
CREATE TABLE IF NOT EXISTS source_ecosystems (
    source TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    advisory_count INTEGER NOT NULL,
    PRIMARY KEY (source, ecosystem)
);
CREATE TABLE IF NOT EXISTS aliases (
    source TEXT NOT NULL,
    alias TEXT NOT NULL COLLATE NOCASE,  -- every name of an advisory: its id and its aliases
    advisory INTEGER NOT NULL REFERENCES advisories(rowid)
);
CREATE INDEX IF NOT EXISTS affected_key ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_source ON affected (source);
CREATE INDEX IF NOT EXISTS aliases_key ON aliases (alias);
CREATE INDEX IF NOT EXISTS aliases_source ON aliases (source);
"""

_LOOKUP_SQL = (
    "SELECT f.name, a.id, a.modified, a.body FROM affected f"
    " JOIN advisories a ON a.rowid = f.advisory"
    " WHERE f.ecosystem = ? AND f.name IN (MARKS)"  # MARKS: a run of '?' placeholders
)
_LOOKUP_CHUNK = 500  # names per query, far below SQLite's parameter limit

_FIND_SQL = (
    "SELECT a.id, a.modified, a.body FROM aliases l"
    " JOIN advisories a ON a.rowid = l.advisory"
    " WHERE l.alias = ?"  # the column's NOCASE collation applies, and the index serves it
)


class StoreError(Exception):
    """The store file cannot be used; the message says what to run."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    name: str
    kind: str
    location: str
    etag: str | None
    last_modified: str | None
    fetched_at: float
    imported_at: float
    advisory_count: int
    newest_modified: str


@dataclass(frozen=True, slots=True)
class StoredAdvisory:
    id: str
    modified: str
    blob: bytes  # zlib-compressed OSV JSON: decompressed only if the scan needs it

    @property
    def body(self) -> bytes:
        try:
            return zlib.decompress(self.blob)
        except zlib.error as exc:
            raise StoreError(f"advisory {self.id} is corrupt in the database ({exc})") from None


@dataclass(frozen=True, slots=True)
class NewRecord:
    """One advisory to write: its keys are the (ecosystem, normalized name) it affects."""

    id: str
    modified: str
    body: bytes
    keys: frozenset[tuple[str, str]]
    aliases: tuple[str, ...] | None = None  # None: read from ``body``'s OSV ``aliases``


class AdvisoryStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def in_dir(cls, cache_dir: Path) -> AdvisoryStore:
        return cls(cache_dir / STORE_FILENAME)

    # -- connection -------------------------------------------------------------------
    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        if not create and not self.path.exists():
            raise StoreError(
                "no advisory database: run `glasshouse db update` "
                "(or `glasshouse db import PATH` offline)"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                (str(STORE_SCHEMA_VERSION),),
            )
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(
                f"advisory database {self.path} is unusable ({exc}); delete it and run "
                "`glasshouse db update`"
            ) from None
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> AdvisoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------
    def exists(self) -> bool:
        """True when at least one source has been imported."""
        if not self.path.exists():
            return False
        return bool(self.sources())

    def sources(self) -> list[SourceInfo]:
        conn = self._connect(create=False)
        try:
            rows = conn.execute(
                "SELECT name, kind, location, etag, last_modified, fetched_at, imported_at,"
                " advisory_count, newest_modified FROM sources ORDER BY name"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"advisory database {self.path} is unreadable ({exc})") from None
        return [SourceInfo(*row) for row in rows]

    def source(self, name: str) -> SourceInfo | None:
        return next((s for s in self.sources() if s.name == name), None)

    def ecosystem_counts(self) -> dict[str, int]:
        """Advisories per ecosystem, per source summed (a copy in two sources counts twice).

        An ecosystem absent here has no advisories at all: a scan must not pass its
        packages as clean.
        """
        conn = self._connect(create=False)
        try:
            rows = conn.execute(
                "SELECT ecosystem, SUM(advisory_count) FROM source_ecosystems GROUP BY ecosystem"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"advisory database {self.path} is unreadable ({exc})") from None
        return dict(rows)

    def lookup(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[StoredAdvisory]]:
        """Advisories affecting each (ecosystem, normalized name); one per id, newest wins."""
        by_ecosystem: dict[str, set[str]] = defaultdict(set)
        for ecosystem, name in keys:
            by_ecosystem[ecosystem].add(name)
        conn = self._connect(create=False)
        found: dict[tuple[str, str], dict[str, StoredAdvisory]] = defaultdict(dict)
        try:
            for ecosystem, names in by_ecosystem.items():
                ordered = sorted(names)
                for start in range(0, len(ordered), _LOOKUP_CHUNK):
                    chunk = ordered[start : start + _LOOKUP_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        _LOOKUP_SQL.replace("MARKS", marks), (ecosystem, *chunk)
                    ).fetchall()
                    for name, advisory_id, modified, blob in rows:
                        slot = found[(ecosystem, name)]
                        current = slot.get(advisory_id)
                        if current is None or modified > current.modified:
                            slot[advisory_id] = StoredAdvisory(advisory_id, modified, blob)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"advisory database {self.path} is unreadable ({exc})") from None
        return {key: list(slot.values()) for key, slot in found.items()}

    def find(self, ident: str) -> list[StoredAdvisory]:
        """Advisories whose id or one of whose aliases is ``ident`` (ASCII case ignored).

        One per id, newest wins; sorted by id. ``CVE-2023-43804`` finds every record
        that names that CVE (the PyPA record, the GitHub one...), whatever its own id.
        """
        conn = self._connect(create=False)
        try:
            rows = conn.execute(_FIND_SQL, (ident,)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"advisory database {self.path} is unreadable ({exc})") from None
        found: dict[str, StoredAdvisory] = {}
        for advisory_id, modified, blob in rows:
            current = found.get(advisory_id)
            if current is None or modified > current.modified:
                found[advisory_id] = StoredAdvisory(advisory_id, modified, blob)
        return [found[key] for key in sorted(found)]

    # -- writing ----------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect(create=True)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def replace_source(
        self,
        *,
        name: str,
        kind: str,
        location: str,
        records: Iterable[NewRecord],
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> int:
        """Replace everything ``name`` held with ``records``; returns how many were written.

        ``records`` is consumed inside the transaction, so a failure while producing
        them (an unreadable archive) leaves the previous content in place.
        """
        now = time.time()
        with self._transaction() as conn:
            conn.execute("DELETE FROM affected WHERE source = ?", (name,))
            conn.execute("DELETE FROM aliases WHERE source = ?", (name,))
            conn.execute("DELETE FROM advisories WHERE source = ?", (name,))
            conn.execute("DELETE FROM source_ecosystems WHERE source = ?", (name,))
            per_ecosystem: dict[str, int] = defaultdict(int)
            count = 0
            newest = ""
            cursor = conn.cursor()
            for record in records:
                cursor.execute(
                    "INSERT INTO advisories (source, id, modified, body) VALUES (?, ?, ?, ?)",
                    (name, record.id, record.modified, zlib.compress(record.body, 6)),
                )
                rowid = cursor.lastrowid
                cursor.executemany(
                    "INSERT INTO affected (source, ecosystem, name, advisory) VALUES (?,?,?,?)",
                    [(name, eco, pkg, rowid) for eco, pkg in record.keys],
                )
                cursor.executemany(
                    "INSERT INTO aliases (source, alias, advisory) VALUES (?, ?, ?)",
                    [(name, alias, rowid) for alias in _names(record)],
                )
                for ecosystem in {eco for eco, _ in record.keys}:
                    per_ecosystem[ecosystem] += 1
                count += 1
                newest = max(newest, record.modified)
            conn.executemany(
                "INSERT INTO source_ecosystems VALUES (?, ?, ?)",
                [(name, eco, n) for eco, n in per_ecosystem.items()],
            )
            conn.execute(
                "INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?)",
                (name, kind, location, etag, last_modified, now, now, count, newest),
            )
        return count

    def touch_source(self, name: str) -> None:
        """Record that ``name`` was checked against its origin and had not changed."""
        with self._transaction() as conn:
            conn.execute("UPDATE sources SET fetched_at = ? WHERE name = ?", (time.time(), name))


def _names(record: NewRecord) -> set[str]:
    """The names ``record`` goes by: its id and the ``aliases`` of its OSV document.

    The importer has validated the document; anything else here (a body that is not
    JSON, aliases that are not strings) leaves only the id, never fails the import.
    """
    names = {record.id}
    if record.aliases is not None:
        names.update(a for a in record.aliases if a.strip())
        return names
    try:
        document = json.loads(record.body)
    except (ValueError, RecursionError):
        return names
    aliases = document.get("aliases") if isinstance(document, dict) else None
    if isinstance(aliases, list):
        names.update(a for a in aliases if isinstance(a, str) and a.strip())
    return names
