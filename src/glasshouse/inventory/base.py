"""The interface every lockfile parser implements.

Parsers are pure: bytes in, packages out. They never walk the tree or open files by
themselves; the few formats that refer to other files (``-r`` includes in
requirements files, ``go.sum`` beside ``go.mod``, a parent ``pom.xml``) ask the
``Source`` for them, and the caller decides what may be read.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

from glasshouse.model.package import Package


class ParseError(Exception):
    """A file could not be read as its format. The message is one line, without the path."""


@dataclass(frozen=True, slots=True)
class Source:
    """A file handed to a parser.

    ``path`` is relative to the scan root (POSIX separators) and goes into every
    ``Location``. ``read_relative(name)`` returns the bytes of another file, named
    relative to this file's directory, or raises ``ParseError`` if it is missing,
    outside the scanned tree, or too large; it is ``None`` when no other file may be read.
    """

    path: str
    data: bytes
    read_relative: Callable[[str], bytes] | None = None


@dataclass(frozen=True, slots=True)
class Extractor:
    """One lockfile format: a cheap predicate on the file name, and a pure parser.

    ``name`` is the format's id (``requirements``, ``packagelockjson``...); ``matches``
    gets the file's base name and its path relative to the root, and must not do I/O.
    """

    name: str
    ecosystem: str
    matches: Callable[[str, str], bool]
    parse: Callable[[Source], list[Package]]


def decode_text(data: bytes) -> str:
    """Decode a text lockfile: UTF-8 (with or without BOM), or UTF-16 with a BOM."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid UTF-16 text at byte {exc.start}") from None
    if b"\x00" in data[:8192]:
        raise ParseError("binary content, not a text lockfile")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not valid UTF-8 (byte {exc.start})") from None
