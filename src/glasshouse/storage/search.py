"""Text search over findings (title, path, rule id, package): a substring, any case.

PostgreSQL: a trigram index (pg_trgm, GIN) on the four columns joined by newlines, so
the planner can choose between it (a rare text) and walking the newest findings first (a
common one). SQLite: an FTS5 table with the trigram tokenizer, kept by triggers, read in
the order of the finding ids, newest first, so a page is found without reading every
match. Both are made by migration 0002 when the database can (pg_trgm needs a superuser
to install, FTS5's trigram tokenizer SQLite 3.34); without them, and for texts shorter
than three characters (a trigram), the search is a plain LIKE over the four columns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, column, literal_column, or_, table, text
from sqlalchemy.orm import Session

from glasshouse.storage.models import Finding

PG_INDEX = "ix_findings_search_trgm"


def pg_expression(table: str = "") -> str:
    """The indexed expression; queries spell it the same way, so the planner matches it."""
    t = f"{table}." if table else ""
    newline = " || E'\\n' || "
    return newline.join((f"{t}title", f"{t}path", f"{t}rule_id", f"coalesce({t}package, '')"))


SQLITE_TABLE = "findings_fts"  # made, with its triggers, by migration 0002


def owns(name: str | None) -> bool:
    """Is this table or index the text index (made by hand in a migration, not a model)?"""
    return bool(name) and (name == PG_INDEX or str(name).startswith(SQLITE_TABLE))


def clean(value: str) -> str:
    """What is searched for: one line (the columns are joined by newlines)."""
    return " ".join(value.splitlines()).strip()


def like_pattern(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def plain_condition(value: str) -> ColumnElement[bool]:
    """LIKE over the four columns (case-insensitive), with no index."""
    pattern = like_pattern(value)
    return or_(
        Finding.title.ilike(pattern, escape="\\"),
        Finding.path.ilike(pattern, escape="\\"),
        Finding.rule_id.ilike(pattern, escape="\\"),
        Finding.package.ilike(pattern, escape="\\"),
    )


def pg_condition(value: str) -> ColumnElement[bool]:
    """ILIKE on the indexed expression (backslash is PostgreSQL's LIKE escape)."""
    return literal_column(f"({pg_expression('findings')})").ilike(like_pattern(value))


FTS = table(SQLITE_TABLE, column("rowid", Integer))


def fts_match(value: str) -> ColumnElement[bool]:
    """An FTS5 phrase: with the trigram tokenizer, the text as a substring, any case."""
    phrase = '"' + value.replace('"', '""') + '"'
    return literal_column(SQLITE_TABLE).op("MATCH")(bindparam("fts_phrase", phrase))


def usable(value: str) -> bool:
    """Can the trigram indexes answer this text? (Not under three characters.)"""
    return len(value) >= 3


def has_index(session: Session) -> bool:
    """Whether this database has the text index (checked on each search: cheap)."""
    if session.get_bind().dialect.name == "postgresql":
        found: Any = session.scalar(text("SELECT to_regclass(:name)"), {"name": PG_INDEX})
        return found is not None
    return (
        session.scalar(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": SQLITE_TABLE},
        )
        is not None
    )
