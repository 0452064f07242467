"""RubyGems: ``Gem::Version`` order.

Segments are runs of digits or letters (``1.0.a10`` is 1, 0, a, 10); ``-`` means
``.pre.``. Any letter segment makes a prerelease, because strings sort below numbers.
Trailing zeros are ignored in the release part and in the prerelease part separately,
and the shorter version is padded with zeros.

Padding with zero makes a zero segment "equal to nothing", but still above a string
that may follow it (``1.a.0.b`` < ``1.a`` yet > ``1.a.b``). The key therefore groups
each run of zeros with the segment that ends it; with an end marker between the
string-ended and the number-ended groups, plain tuple order is ``Gem::Version#<=>``.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

Chunk: TypeAlias = tuple[int, ...] | tuple[int, int, str]
RubyGemsKey: TypeAlias = tuple[Chunk, ...]

# Gem's pattern, except that a letter may follow a digit without a dot ("1beta"): gem
# metadata has those, and Gem::Version orders them the same way once split.
_PATTERN = re.compile(
    r"[0-9][0-9A-Za-z]*(?:\.[0-9A-Za-z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_SEGMENTS = re.compile(r"[0-9]+|[A-Za-z]+")

_STRING_ENDED, _END, _NUMBER_ENDED = range(3)
_END_CHUNK: Chunk = (_END,)


def _canonical(text: str) -> list[int | str]:
    segments: list[int | str] = [
        int(s) if s[0].isdigit() else s for s in _SEGMENTS.findall(text.replace("-", ".pre."))
    ]
    split = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    release, pre = segments[:split], segments[split:]
    for part in (release, pre):
        while part and part[-1] == 0:
            part.pop()
    return release + pre


def _chunks(segments: list[int | str]) -> RubyGemsKey:
    chunks: list[Chunk] = []
    zeros = 0
    for segment in segments:
        if segment == 0:
            zeros += 1
        elif isinstance(segment, str):
            # against padding (zeros) a string loses; fewer zeros before it lose sooner
            chunks.append((_STRING_ENDED, zeros, segment))
            zeros = 0
        else:
            # against padding a number wins; fewer zeros before it win sooner
            chunks.append((_NUMBER_ENDED, -zeros, segment))
            zeros = 0
    chunks.append(_END_CHUNK)
    return tuple(chunks)


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> RubyGemsKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "RubyGems")
    stripped = text.strip()
    if not _PATTERN.fullmatch(stripped):
        raise InvalidVersion(f"not a RubyGems version: {text!r}")
    return _chunks(_canonical(stripped))


class RubyGemsScheme:
    name = "RubyGems"

    def parse(self, text: str) -> RubyGemsKey:
        return parse_key(text)


SCHEME = RubyGemsScheme()
