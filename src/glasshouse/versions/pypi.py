"""PyPI: PEP 440 through ``packaging``, with pre-PEP 440 ("legacy") versions below them.

Old releases on PyPI and old advisories still carry versions PEP 440 cannot parse
(``0.1-bulbasaur``, ``2004d``). ``packaging`` dropped ``LegacyVersion``, so the legacy
order (setuptools' old ``parse_version``) is rebuilt here: every legacy version sorts
below every PEP 440 version, as the legacy epoch of -1 made it. One deliberate
difference: numbers compare as integers, where the original zero-padded them to eight
characters and misordered longer ones.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from packaging.version import InvalidVersion as _NotPep440
from packaging.version import Version

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

# Legacy parts: (0, text) for words, (1, number) for numbers; words sort below numbers
# as "*word" sorted below "00000001" in the original string encoding.
_Part: TypeAlias = tuple[int, str] | tuple[int, int]
PypiKey: TypeAlias = tuple[int, Version] | tuple[int, tuple[_Part, ...]]

_LEGACY_TEXT = re.compile(r"[A-Za-z0-9._+!~:-]+")  # ":" is in real ones: 2013-01-21T20:33:09
_LEGACY_SPLIT = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_ALIASES = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}
_FINAL: _Part = (0, "*final")
_DASH: _Part = (0, "*final-")
_ZERO: _Part = (1, 0)


def _legacy_key(text: str) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    for raw in _LEGACY_SPLIT.split(text.lower()):
        piece = _LEGACY_ALIASES.get(raw, raw)
        if not piece or piece == ".":
            continue
        if piece[0].isdigit():
            parts.append((1, int(piece)))
            continue
        word = "*" + piece
        # a pre-release word drops the "-" before it; any word ends a number series,
        # whose trailing zeros then do not count (1.0-a == 1-a)
        if word < "*final":
            while parts and parts[-1] == _DASH:
                parts.pop()
        while parts and parts[-1] == _ZERO:
            parts.pop()
        parts.append((0, word))
    while parts and parts[-1] == _ZERO:
        parts.pop()
    parts.append(_FINAL)  # so that alpha/beta/candidate words sort before the release
    return tuple(parts)


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> PypiKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "PyPI")
    try:
        return (1, Version(text))
    except _NotPep440:
        pass
    stripped = text.strip()
    # Legacy parsing accepted any string; only take what looks like one version.
    if not _LEGACY_TEXT.fullmatch(stripped) or not any(c.isalnum() for c in stripped):
        raise InvalidVersion(f"not a PyPI version: {text!r}")
    return (0, _legacy_key(stripped))


class PypiScheme:
    name = "PyPI"

    def parse(self, text: str) -> PypiKey:
        return parse_key(text)


SCHEME = PypiScheme()
