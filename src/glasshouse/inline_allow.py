"""The inline suppression marker every scanner understands: ``glasshouse:allow RULE reason``.

It lives in a comment of whatever syntax the file has (``#``, ``//``, ``/* */``,
``<!-- -->``); ``RULE`` is one rule id, several separated by commas, or ``*``. A marker
without a reason suppresses nothing and is reported: an exception must say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RULE_ID = rb"[A-Za-z0-9*][A-Za-z0-9_.*-]*"
# The marker counts only where a comment could hold it: followed by blank space or the
# end of the line. Code that merely names it (a string "glasshouse:allow", ``docs``)
# is neither a suppression nor a suppression without a reason.
MARKER = re.compile(
    rb"glasshouse:allow(?=[ \t\r\n]|$)(?:[ \t]+(?P<rules>"
    + _RULE_ID
    + rb"(?:,"
    + _RULE_ID
    + rb")*))?"
    rb"(?P<reason>(?:(?!glasshouse:allow)[^\n])*)"
)
COMMENT_CLOSERS = re.compile(r"(?:\*/|-->|%>|#>|\]\]>)\s*$")
LITERAL = b"glasshouse:allow"


@dataclass(slots=True)
class Markers:
    """The markers of one file: line -> (rule ids, reason); lines of reasonless ones."""

    by_line: dict[int, tuple[frozenset[str], str]] = field(default_factory=dict)
    bare: list[int] = field(default_factory=list)

    def reason(self, rule_id: str, *lines: int | None) -> str | None:
        """The reason a marker on one of ``lines`` gives for ``rule_id``, or None."""
        for line in lines:
            if line is None:
                continue
            found = self.by_line.get(line)
            if found is not None and ("*" in found[0] or rule_id in found[0]):
                return found[1]
        return None


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def read_marker_line(data: bytes, line_start: int, line_end: int) -> tuple[set[str], str, bool]:
    """The rule ids and reasons of the markers in one line, and whether all had a reason."""
    ids: set[str] = set()
    reasons: list[str] = []
    valid = True
    for marker in MARKER.finditer(data, line_start, line_end):
        rules = marker.group("rules")
        reason = COMMENT_CLOSERS.sub("", decode(marker.group("reason"))).strip()
        if rules and any(ch.isalnum() for ch in reason):
            ids.update(decode(rules).split(","))
            reasons.append(reason)
        else:
            valid = False
    return ids, "; ".join(reasons), valid


def read_markers(data: bytes) -> Markers:
    """Every marker of a whole file (cheap when there is none: one ``find``)."""
    markers = Markers()
    at = data.find(LITERAL)
    while at >= 0:
        line_start = data.rfind(b"\n", 0, at) + 1
        line_end = data.find(b"\n", at)
        line_end = len(data) if line_end < 0 else line_end
        line = data.count(b"\n", 0, at) + 1
        ids, reason, valid = read_marker_line(data, line_start, line_end)
        if ids:
            markers.by_line[line] = (frozenset(ids), reason)
        if not valid:
            markers.bare.append(line)
        at = data.find(LITERAL, line_end)
    return markers
