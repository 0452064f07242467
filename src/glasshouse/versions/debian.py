"""Debian: dpkg's version order (``[epoch:]upstream[-revision]``).

Upstream and revision each compare as alternating non-digit and digit runs. Non-digit
runs compare character by character with ``~`` below everything (even the end of the
run), then the end of the run, then letters, then other characters; digit runs compare
numerically, an empty one being 0. The revision is what follows the last ``-``; no
revision equals revision ``0``.

A string compares as if followed forever by empty runs, which weigh 0. The key groups
each run of zeros with the value that ends it, and an end marker sits between the
groups that fall below zero (a ``~``) and those above, so tuple order is dpkg's order.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

Chunks: TypeAlias = tuple[tuple[int, ...], ...]
DebianKey: TypeAlias = tuple[int, Chunks, Chunks]

_UPSTREAM = re.compile(r"[0-9][A-Za-z0-9.+~:-]*")
_REVISION = re.compile(r"[A-Za-z0-9.+~]+")
_RUNS = re.compile(r"([^0-9]*)([0-9]*)")

_BELOW, _END, _ABOVE = range(3)
_END_CHUNK = (_END,)


def _weight(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _chunks(part: str) -> Chunks:
    chunks: list[tuple[int, ...]] = []
    zeros = 0
    for letters, digits in _RUNS.findall(part):
        # each non-digit run ends with a 0 ("end of run"), then its number follows
        for value in (*(_weight(c) for c in letters), 0, int(digits or 0)):
            if value == 0:
                zeros += 1
            elif value < 0:
                chunks.append((_BELOW, zeros, value))  # fewer zeros first: lower sooner
                zeros = 0
            else:
                chunks.append((_ABOVE, -zeros, value))  # fewer zeros first: higher sooner
                zeros = 0
    chunks.append(_END_CHUNK)
    return tuple(chunks)


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> DebianKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "Debian")
    version = text.strip()
    epoch = 0
    if ":" in version:
        head, version = version.split(":", 1)
        if not (head.isascii() and head.isdigit()):
            raise InvalidVersion(f"not a Debian version (bad epoch): {text!r}")
        epoch = int(head)
    upstream, revision = version, ""
    if "-" in version:
        upstream, revision = version.rsplit("-", 1)
        if not _REVISION.fullmatch(revision):
            raise InvalidVersion(f"not a Debian version (bad revision): {text!r}")
    if not _UPSTREAM.fullmatch(upstream):
        raise InvalidVersion(f"not a Debian version: {text!r}")
    return (epoch, _chunks(upstream), _chunks(revision))


class DebianScheme:
    name = "Debian"

    def parse(self, text: str) -> DebianKey:
        return parse_key(text)


SCHEME = DebianScheme()
