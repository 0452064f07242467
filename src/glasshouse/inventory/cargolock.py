"""Cargo's ``Cargo.lock`` (Rust, crates.io).

Every ``[[package]]`` table is one crate. A table without ``source`` is a crate of the
local workspace (or a ``path`` dependency): it is not from a registry and is skipped.
Git and alternative-registry sources are reported under crates.io, by name and version.

Cargo writes a small, regular subset of TOML; a reader that matches whole
``[[package]]`` tables of that subset takes it in one pass (several times faster than
``tomli``) and hands anything else (the ``[metadata]`` table of v1 lockfiles, comments
inside tables, escapes, hand edits) to ``tomli``, which has the last word on validity.
The line of a package is the line of its ``[[package]]`` header.
"""

from __future__ import annotations

import re
from typing import Any

import tomli  # mypyc-compiled: about 3x faster than the stdlib tomllib, same parser

from glasshouse.ecosystems import CRATES_IO
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

# What Cargo writes, exactly: the fast reader takes only this, and every text it takes
# is valid TOML with the meaning read here. Anything else (hand edits, comments inside a
# table, other keys, the [metadata] table of v1 lockfiles) goes to tomllib.
_STRING = r'"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"'
_NL = r"\r?\n"
_TRIVIA = re.compile(rf"(?:[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?{_NL})+")
_TOP_VERSION = re.compile(rf"version = (?:0|[1-9][0-9]{{0,8}}){_NL}")
_BLOCK = re.compile(
    rf"\[\[package\]\]{_NL}"
    rf"name = {_STRING}{_NL}"
    rf"version = {_STRING}{_NL}"
    rf"(?:source = {_STRING}{_NL})?"
    rf"(?:checksum = {_STRING}{_NL})?"
    rf'(?:dependencies = \[{_NL}(?: "[^"\\\x00-\x08\x0a-\x1f\x7f]*",{_NL})*\]{_NL})?'
)
_HEADER_LINE = re.compile(r"^[ \t]*\[\[[ \t]*package[ \t]*\]\]", re.MULTILINE)

_Entry = tuple[dict[str, Any], int | None]


def _matches(basename: str, path: str) -> bool:
    return basename == "Cargo.lock"


def _fast_read(text: str) -> list[_Entry] | None:
    """The packages of a lockfile exactly as Cargo writes it, or None to defer to tomli."""
    if not text.endswith("\n"):
        text += "\n"
    entries: list[_Entry] = []
    pos, end, line = 0, len(text), 1
    top_version = False
    while pos < end:
        trivia = _TRIVIA.match(text, pos)
        if trivia is not None:
            line += text.count("\n", pos, trivia.end())
            pos = trivia.end()
            continue
        block = _BLOCK.match(text, pos)
        if block is not None:
            name, version, source = block.group(1, 2, 3)
            entries.append(({"name": name, "version": version, "source": source}, line))
            line += text.count("\n", pos, block.end())
            pos = block.end()
            continue
        top = _TOP_VERSION.match(text, pos)
        if top is None or top_version or entries:
            return None
        top_version = True
        line += 1
        pos = top.end()
    return entries


def _slow_read(text: str) -> list[_Entry]:
    try:
        doc = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise ParseError(f"invalid TOML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ParseError("invalid TOML: nested too deeply") from None
    except ValueError as exc:  # a number Python will not convert, for instance
        raise ParseError(f"invalid TOML: {str(exc).splitlines()[0]}") from None
    tables = doc.get("package", [])
    if not isinstance(tables, list):
        raise ParseError("'package' is not an array of tables")
    for index, table in enumerate(tables):
        if not isinstance(table, dict):
            raise ParseError(f"package[{index}] is not a table")
    headers: list[int | None] = []
    line, last = 1, 0
    for match in _HEADER_LINE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        headers.append(line)
    if len(headers) != len(tables):
        return [(table, None) for table in tables]
    return list(zip(tables, headers, strict=True))


def _string(table: dict[str, Any], key: str, index: int) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"package[{index}]: {key!r} is not a string")
    return value.strip() or None


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    entries = _fast_read(text)
    if entries is None:
        entries = _slow_read(text)
    packages: list[Package] = []
    seen: set[tuple[str, str | None]] = set()
    for index, (table, line) in enumerate(entries):
        name = _string(table, "name", index)
        version = _string(table, "version", index)
        source_url = _string(table, "source", index)
        if name is None or source_url is None:
            continue  # nameless (nothing to match), or a local workspace/path crate
        key = (name, version)
        if key in seen:
            continue
        seen.add(key)
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=CRATES_IO,
                location=Location(source.path, line),
                requirement=None if version is not None else "*",
            )
        )
    return packages


EXTRACTOR = Extractor(name="cargolock", ecosystem=CRATES_IO, matches=_matches, parse=parse)
