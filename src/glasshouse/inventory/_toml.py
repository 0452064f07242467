"""TOML helpers shared by the TOML lockfile parsers (``poetry.lock``, ``uv.lock``,
``pdm.lock``, ``pylock.toml``).

Lockfiles are untrusted input, so every helper fails the same way: loading turns any
TOML error into a one-line ``ParseError``, and the typed accessors turn a wrong shape
(a string where a table is expected, say) into a ``ParseError`` that names the place,
never into a ``TypeError`` further down. ``name_lines`` finds, in one linear pass over
the text, the line where each ``[[package]]`` block names its package, since
``tomli`` keeps no positions. ``merge_dev`` is the rule every Python lockfile parser
(``Pipfile.lock`` too) uses when one package is found twice.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from typing import Any

import tomli  # mypyc-compiled: about 3x faster than the stdlib tomllib, same parser

from glasshouse.inventory.base import ParseError

# One pass over the text finds table headers and ``name = "..."`` lines. Only the first
# ``name`` line of each ``[[<key>]]`` block counts, so names in sub-tables
# (``[package.tool.poetry]``), in comments or in ``name_other`` keys are not taken; at
# the root, ``{ name = "..." ...`` lines are the inline-table form of the array
# (``packages = [ { name = ... }, ]``). Matching from a newline, rather than ``^`` in
# multiline mode, lets the regex engine skip to candidates: twice as fast.
_TOML_LINE_RE = re.compile(
    r"""
    \n[ \t]*(?:
        \[\[[ \t]*(?P<aot>[^\]\n]*?)[ \t]*\]\]
      | \[[ \t]*(?P<table>[^\]\n]*?)[ \t]*\]
      | (?P<inline>\{[ \t]*)?name[ \t]*=[ \t]*(?:"(?P<dq>[^"\\\n]*)"|'(?P<sq>[^'\n]*)')
    )
    """,
    re.VERBOSE,
)
# Multi-line string delimiters: header-like or name-like lines inside such a string
# (a description quoting a lockfile, say) are text, not structure.
_MULTILINE_QUOTE_RE = re.compile(r'"""|\'\'\'')


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML text, turning every failure into a one-line ``ParseError``."""
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise ParseError(f"invalid TOML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ParseError("invalid TOML: nested too deeply") from None


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), "a date or time")


def table_array(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The array of tables ``doc[key]`` (``[]`` when absent), checked entry by entry."""
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ParseError(f"'{key}' is {_type_name(value)}, expected an array of tables")
    for index, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise ParseError(f"{key} #{index} is {_type_name(item)}, expected a table")
    return value


def opt_str(table: dict[str, Any], key: str, where: str) -> str | None:
    """``table[key]`` if it is a non-empty string, ``None`` if absent or empty."""
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where}: '{key}' is {_type_name(value)}, expected a string")
    return value or None


def req_str(table: dict[str, Any], key: str, where: str) -> str:
    """``table[key]``, which must be a non-empty string."""
    value = opt_str(table, key, where)
    if value is None:
        raise ParseError(f"{where}: no '{key}'")
    return value


def opt_table(table: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ParseError(f"{where}: '{key}' is {_type_name(value)}, expected a table")
    return value


def opt_str_list(table: dict[str, Any], key: str, where: str) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ParseError(f"{where}: '{key}' is not an array of strings")
    return value


def name_lines(text: str, key: str) -> dict[str, deque[int]]:
    """Line numbers where each ``[[key]]`` block names its package, by name, in order.

    Callers take the lines with ``take_line`` in the order the parsed packages come,
    so two blocks for one name (two versions) get their own lines. Linear in the text.
    Best effort: a line is a hint for the reader, so text that fools this scan (a
    triple quote inside a one-line string, say) costs a line number, never a package.
    """
    lines: dict[str, deque[int]] = defaultdict(deque)
    in_block = False
    named = False
    at_root = True
    text = "\n" + text
    quotes = [(quote.start(), quote.group()) for quote in _MULTILINE_QUOTE_RE.finditer(text)]
    next_quote = 0
    open_quote: str | None = None
    line = 0
    pos = 0
    for match in _TOML_LINE_RE.finditer(text):
        start = match.start() + 1  # the line starts after the newline matched
        while next_quote < len(quotes) and quotes[next_quote][0] < start:
            delimiter = quotes[next_quote][1]
            next_quote += 1
            if open_quote is None:
                open_quote = delimiter
            elif delimiter == open_quote:
                open_quote = None
        if open_quote is not None:
            continue
        line += text.count("\n", pos, start)
        pos = start
        aot = match["aot"]
        if aot is not None:
            in_block = aot == key
            named = False
            at_root = False
        elif match["table"] is not None:
            in_block = False
            at_root = False
        else:
            name = match["dq"] if match["dq"] is not None else match["sq"]
            if match["inline"] is not None:
                if at_root:
                    lines[name].append(line)
            elif in_block and not named:
                lines[name].append(line)
                named = True
    return lines


def take_line(lines: dict[str, deque[int]], name: str) -> int | None:
    found = lines.get(name)
    return found.popleft() if found else None


def merge_dev(first: bool | None, second: bool | None) -> bool | None:
    """``dev`` of one package found twice: production wins, then unknown, then dev."""
    if first is False or second is False:
        return False
    if first is None or second is None:
        return None
    return True
