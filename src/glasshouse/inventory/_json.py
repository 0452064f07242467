"""JSON helpers shared by the JSON lockfile and SBOM parsers (``composer.lock``,
``packages.lock.json``, CycloneDX, SPDX).

Input is untrusted: loading turns every failure (syntax, nesting too deep for the
decoder, numbers too long to convert) into a one-line ``ParseError``; typed access
raises ``ParseError`` on a wrong shape and refuses control and surrogate characters in
the strings it returns. ``json`` keeps no positions, so ``JsonLines`` finds declaration
lines in one linear pass over the text.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from glasshouse.inventory.base import ParseError, decode_text

_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_OBJECT_KEY_END = re.compile(r'"\s*:\s*\{')
_JSON_STRING = r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"'


def load_json(data: bytes) -> tuple[Any, str]:
    """Decode and parse a JSON document; return it with its text."""
    text = decode_text(data)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer longer than Python will convert
        raise ParseError(f"invalid JSON: {str(exc).splitlines()[0]}") from None


def expect_object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{what} is not a JSON object")
    return value


def expect_array(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(f"{what} is not a JSON array")
    return value


def opt_string(obj: dict[str, Any], key: str, what: str) -> str | None:
    """``obj[key]`` as a clean one-line string; ``None`` when absent, null or empty."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{what}: {key!r} is not a string")
    if _BAD_CHARS.search(value):
        raise ParseError(f"{what}: {key!r} holds control or surrogate characters")
    value = value.strip()
    return value or None


def clean_text(value: str, what: str) -> str:
    """Reject a name taken from a JSON key that holds control or surrogate characters."""
    if _BAD_CHARS.search(value):
        raise ParseError(f"{what} holds control or surrogate characters")
    return value


def _escaped(text: str, quote: int) -> bool:
    """Whether the ``"`` at ``quote`` is escaped (preceded by an odd run of backslashes)."""
    run = 0
    while quote - run > 0 and text[quote - run - 1] == "\\":
        run += 1
    return run % 2 == 1


class JsonLines:
    """Line numbers of JSON strings, found in one linear pass over the text.

    Built from ``(offset, raw string contents)`` pairs in ascending offset order. ``take``
    hands out the lines of each decoded value in document order, each once: callers
    asking for the values in document order get the line of each declaration.
    """

    __slots__ = ("_lines",)

    def __init__(self, text: str, found: Iterable[tuple[int, str]]) -> None:
        lines: dict[str, deque[int]] = {}
        line, last = 1, 0
        for start, raw in found:
            line += text.count("\n", last, start)
            last = start
            if "\\" in raw:
                try:
                    raw = json.loads(f'"{raw}"')
                except ValueError:
                    continue
            lines.setdefault(raw, deque()).append(line)
        self._lines = lines

    @classmethod
    def of_string_values(cls, text: str, key: str) -> JsonLines:
        """Lines of every ``"key": "value"`` pair, by value."""
        pattern = re.compile(rf'"{re.escape(key)}"\s*:\s*{_JSON_STRING}')
        return cls(text, ((m.start(), m.group(1)) for m in pattern.finditer(text)))

    @classmethod
    def of_object_keys(cls, text: str) -> JsonLines:
        """Lines of every ``"key": {`` (a key whose value is an object), by key."""

        def found() -> Iterator[tuple[int, str]]:
            # Find each `": {` (fast: a literal), then its key's opening quote backwards.
            for match in _OBJECT_KEY_END.finditer(text):
                end = match.start()
                if _escaped(text, end):
                    continue  # inside a string
                start = text.rfind('"', 0, end)
                while start > 0 and _escaped(text, start):
                    start = text.rfind('"', 0, start)
                if start >= 0 and "\n" not in text[start:end]:
                    yield start, text[start + 1 : end]

        return cls(text, found())

    def take(self, value: str) -> int | None:
        queue = self._lines.get(value)
        return queue.popleft() if queue else None
