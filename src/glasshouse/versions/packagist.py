"""Packagist: Composer's order, which is PHP's ``version_compare`` on normalized versions.

Composer strips a ``v`` prefix and reads stability flags case-insensitively, then
compares as ``version_compare`` does: the version splits at ``.``, ``-``, ``_``, ``+``
(any non-alphanumeric) and at digit/letter transitions; numbers compare numerically;
words by their stability: ``dev`` < ``alpha``/``a`` < ``beta``/``b`` < ``RC`` < a number
< ``patch``/``pl``/``p``. A word PHP does not know sorts below ``dev``; ``stable`` means
the release itself, so it is dropped. Words match by prefix, as in PHP (``p`` covers
``patch`` and ``pre``). When one version runs out, the other is greater if it goes on
with a number or a patch word and smaller otherwise, so ``1.0.0`` > ``1.0``.

Two deliberate differences from PHP: numbers are unbounded (PHP's ``strtol`` clamps
them) and ``#`` is a separator like any other punctuation.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

PackagistKey: TypeAlias = tuple[tuple[int, ...], ...]

_TEXT = re.compile(r"[A-Za-z0-9._+#-]+")
_PARTS = re.compile(r"[0-9]+|[a-z]+")

# Element order: unknown word < dev < alpha < beta < rc < (end) < number < patch.
_UNKNOWN, _DEV, _ALPHA, _BETA, _RC, _END, _NUMBER, _PATCH = range(8)
_END_PART = (_END,)
# version_compare's table, checked in this order, each a prefix of the word.
_WORDS = (("dev", _DEV), ("a", _ALPHA), ("b", _BETA), ("rc", _RC), ("p", _PATCH))


def word_rank(word: str) -> int:
    """Where a word sorts: ``version_compare``'s table, as a rank of this module."""
    for prefix, rank in _WORDS:
        if word.startswith(prefix):
            return rank
    return _UNKNOWN


def parts(text: str) -> list[int | str]:
    """The numbers and stability words ``version_compare`` walks; raises ``InvalidVersion``."""
    stripped = text.strip()
    if not _TEXT.fullmatch(stripped):
        raise InvalidVersion(f"not a Packagist version: {text!r}")
    if stripped[0] in "vV" and stripped[1:2].isdigit():
        stripped = stripped[1:]
    found: list[int | str] = [
        int(part) if part[0].isdigit() else part
        for part in _PARTS.findall(stripped.lower())
        if part != "stable"
    ]
    if not found:
        raise InvalidVersion(f"not a Packagist version: {text!r}")
    return found


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> PackagistKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "Packagist")
    key = [(_NUMBER, part) if isinstance(part, int) else (word_rank(part),) for part in parts(text)]
    key.append(_END_PART)
    return tuple(key)


class PackagistScheme:
    name = "Packagist"

    def parse(self, text: str) -> PackagistKey:
        return parse_key(text)


SCHEME = PackagistScheme()
