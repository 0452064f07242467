"""Alpine: apk's version order (``1.2.3a_rc1_p2~hash-r4``).

apk reads a version as a stream of typed tokens: numbers after ``.``, one lowercase
letter, suffixes ``_alpha _beta _pre _rc`` (before the release) and ``_cvs _svn _git
_hg _p`` (after it), each with an optional number, a ``~`` commit hash and a ``-rN``
revision. Two versions are compared token by token; once they differ in the kind of
token that comes next, the kind decides: more components win, a pre-release suffix
loses, a version that ends beats one that goes on with something invalid.

This follows apk-tools 2 (Alpine 3.x) with the stricter reading of apk-tools 3 where
the two disagree: text apk cannot read (uppercase letters, an unknown ``_suffix``,
``-`` not starting a revision, ``-r`` before a letter) sorts below the version without
it, ``.`` not followed by a digit sorts below the end of the version, and a number
after a dot with a leading zero compares as text, below those without (``1.05`` <
``1.5``). Versions that are equal up to invalid text are equal. As in apk 2, ``1-r``
is ``1-r0`` and a number may follow a letter (``6.6.2p1`` < ``6.6.2p2``).

The key is flat: (rank, value) per token, then a terminal rank; ranks are ordered so
that comparing the next token's kind is comparing ranks.
"""

from __future__ import annotations

import functools
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

AlpineKey: TypeAlias = tuple[int | str, ...]

# Token kinds in apk's order: a kind may only follow an earlier one (three exceptions).
_DOT, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _HASH, _REVISION = range(7)
_BACKWARDS_OK = {(_DIGIT, _DOT), (_SUFFIX_NO, _SUFFIX), (_LETTER, _DIGIT)}

# Key ranks: of two versions that agree so far, the one whose next rank is higher is
# the greater version.
_R_PRE_SUFFIX = 0
_R_INVALID = 1
_R_EMPTY = 2
_R_END = 3
_R_REVISION = 4
_R_HASH = 5
_R_SUFFIX_NO = 6
_R_POST_SUFFIX = 7
_R_LETTER = 8
_R_DIGIT = 9
_R_DOT_ZERO = 10
_R_DOT = 11
_NUMBER_RANK = {_DIGIT: _R_DIGIT, _SUFFIX_NO: _R_SUFFIX_NO, _REVISION: _R_REVISION}

_PRE_SUFFIXES = ("alpha", "beta", "pre", "rc")
_POST_SUFFIXES = ("cvs", "svn", "git", "hg", "p")
_HEX = frozenset("0123456789abcdef")


def _digits_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return end


def _next_kind(text: str, at: int, kind: int) -> tuple[int, int] | None:
    """The kind of the token at ``at`` and where its value starts; None if invalid."""
    char = text[at]
    if kind in (_DOT, _DIGIT) and "a" <= char <= "z":
        found = _LETTER
    elif kind == _LETTER and "0" <= char <= "9":
        found = _DIGIT
    elif kind == _SUFFIX and "0" <= char <= "9":
        found = _SUFFIX_NO
    elif char == ".":
        found, at = _DOT, at + 1
    elif char == "_":
        found, at = _SUFFIX, at + 1
    elif char == "~":
        found, at = _HASH, at + 1
    elif text.startswith("-r", at) and not "a" <= text[at + 2 : at + 3] <= "z":
        found, at = _REVISION, at + 2  # "-ruff" is no revision: apk 3 rejects it
    else:
        return None
    if found < kind and (kind, found) not in _BACKWARDS_OK:
        return None
    return found, at


def _suffix(text: str, at: int) -> tuple[int, int, int] | None:
    """(rank, value, end) of the suffix word at ``at``; apk matches by prefix."""
    for value, word in enumerate(_PRE_SUFFIXES):
        if text.startswith(word, at):
            return _R_PRE_SUFFIX, value, at + len(word)
    for value, word in enumerate(_POST_SUFFIXES):
        if text.startswith(word, at):
            return _R_POST_SUFFIX, value, at + len(word)
    return None


def _key(text: str) -> AlpineKey:
    end = _digits_end(text, 0)
    key: list[int | str] = [_R_DIGIT, int(text[:end] or 0)]
    at, kind, size = end, _DIGIT, len(text)
    while at < size:
        found = _next_kind(text, at, kind)
        if found is None:
            key.append(_R_INVALID)
            return tuple(key)
        kind, at = found
        if kind == _DOT:
            end = _digits_end(text, at)
            if end == at:
                key += (_R_EMPTY, 0)
            elif text[at] == "0":
                key += (_R_DOT_ZERO, text[at:end])  # compared as text, as apk 3 does
            else:
                key += (_R_DOT, int(text[at:end]))
            at = end
        elif kind == _LETTER:
            key += (_R_LETTER, ord(text[at]))
            at += 1
        elif kind == _SUFFIX:
            suffix = _suffix(text, at)
            if suffix is None:
                key.append(_R_INVALID)
                return tuple(key)
            rank, value, at = suffix
            key += (rank, value)
        elif kind == _HASH:
            end = at
            while end < size and text[end] in _HEX:
                end += 1
            if end == at:
                key.append(_R_INVALID)
                return tuple(key)
            key += (_R_HASH, text[at:end])
            at = end
        else:  # a number: after a letter, a suffix or "-r" (where none means 0)
            end = _digits_end(text, at)
            key += (_NUMBER_RANK[kind], int(text[at:end] or 0))
            at = end
    key.append(_R_END)
    return tuple(key)


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> AlpineKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "Alpine")
    # apk orders any string (invalid parts sort low); refuse only what is no token at all
    if not text or not text.isprintable() or any(c.isspace() for c in text):
        raise InvalidVersion(f"not an Alpine version: {text!r}")
    return _key(text)


class AlpineScheme:
    name = "Alpine"

    def parse(self, text: str) -> AlpineKey:
        return parse_key(text)


SCHEME = AlpineScheme()
