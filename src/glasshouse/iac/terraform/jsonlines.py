"""JSON into ``Node`` trees that keep the line of every value.

For Terraform's JSON syntax (``.tf.json``, ``.tfvars.json``) and for policy documents
written as JSON strings. Scalars are decoded by the standard library; containers are
walked here to know where each value starts. Nesting deeper than ``MAX_DEPTH`` is an
error, not a crash.
"""

from __future__ import annotations

import bisect
import json
import re

from glasshouse.iac.model import Node

MAX_DEPTH = 100
_BLANK = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class JSONLinesError(ValueError):
    """Not JSON; the message is one line and names the line of the problem."""


def load_json(text: str, line: int = 1) -> Node:
    """The JSON document ``text`` (whose first line is ``line``) as a Node tree."""
    reader = _Reader(text, line)
    try:
        node = reader.value(0)
        reader.blank()
        if reader.pos != len(text):
            raise reader.error("extra data after the document")
    except RecursionError:
        raise reader.error("nested too deeply") from None
    return node


class _Reader:
    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.pos = 0
        self.base = line
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self) -> int:
        return self.base + bisect.bisect_left(self._newlines, self.pos)

    def error(self, message: str) -> JSONLinesError:
        return JSONLinesError(f"line {self.line()}: {message}")

    def blank(self) -> None:
        match = _BLANK.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()

    def value(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.error("nested too deeply")
        self.blank()
        line = self.line()
        if self.pos >= len(self.text):
            raise self.error("unexpected end of input")
        c = self.text[self.pos]
        if c == "{":
            return Node(self._object(depth), line)
        if c == "[":
            return Node(self._array(depth), line)
        try:
            value, end = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            self.pos = exc.pos
            raise self.error(exc.msg) from None
        self.pos = end
        return Node(value, line)

    def _object(self, depth: int) -> dict[str, Node]:
        self.pos += 1
        items: dict[str, Node] = {}
        self.blank()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return items
        while True:
            self.blank()
            key = self.value(depth + 1)
            if not isinstance(key.value, str):
                raise self.error("object keys must be strings")
            self.blank()
            if not self.text.startswith(":", self.pos):
                raise self.error("expected ':'")
            self.pos += 1
            items[key.value] = self.value(depth + 1)
            self.blank()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return items
            else:
                raise self.error("expected ',' or '}'")

    def _array(self, depth: int) -> list[Node]:
        self.pos += 1
        items: list[Node] = []
        self.blank()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            self.blank()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            else:
                raise self.error("expected ',' or ']'")
