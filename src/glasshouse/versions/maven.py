"""Maven version order, as the POM reference's "Version Order Specification" states it.

Tokens are split at ``.``, ``-`` and digit/letter transitions (a transition counts as
``-``); empty tokens are ``0``. Trailing "null" tokens (``0``, ``""``, ``ga``,
``final``, ``release``) are trimmed at the end of every hyphen group, so ``1-ga-1`` is
``1-1``. Qualifiers order alpha < beta < milestone < rc = cr < snapshot < release < sp,
then unknown ones lexically; ``a``, ``b``, ``m`` directly before a digit are aliases.
Across prefixes: qualifier < ``-number`` < ``.number``.

As in Maven 3.9 (MNG-7644), a qualifier after ``.`` is treated as after ``-``: the spec
says ``.q`` equals ``-q``, and without this the null padding of ``.0`` before a
qualifier would make the order intransitive (``1 < 1-sp < 1.0.alpha < 1``).

The key is flat: one tuple per token and an end marker. A shorter version is padded
with nulls; every token is strictly above or below that padding (a null that survives
trimming is always followed by something larger), so the end marker can sit between
the qualifiers below a release and everything else.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

Token: TypeAlias = tuple[int, ...] | tuple[int, int, str]
MavenKey: TypeAlias = tuple[Token, ...]

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_RANK = {q: i for i, q in enumerate(_QUALIFIERS)}
_RELEASE_RANK = _RANK[""]
_UNKNOWN_RANK = len(_QUALIFIERS)
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}

# Token classes, in order: qualifiers below a release, end of version, the release and
# later qualifiers, then "-number" and ".number".
_LOW, _END, _HIGH, _DASH_NUMBER, _DOT_NUMBER = range(5)
_END_TOKEN: Token = (_END,)

_PIECES = re.compile(r"[0-9]+|[.-]|[^0-9.-]+")


def _raw_tokens(text: str) -> list[tuple[str, str | int]]:
    """(separator, token) pairs, qualifiers resolved; the first token counts as dotted."""
    pieces: list[tuple[str, str]] = []
    sep = "."
    after_sep = True  # an empty token is pending at the start and after a separator
    for piece in _PIECES.findall(text):
        if piece in (".", "-"):
            if after_sep:
                pieces.append((sep, "0"))
            sep, after_sep = piece, True
            continue
        pieces.append((sep if after_sep else "", piece))  # "": a digit/letter transition
        after_sep = False
    if after_sep:
        pieces.append((sep, "0"))
    tokens: list[tuple[str, str | int]] = []
    for index, (sep, piece) in enumerate(pieces):
        if "0" <= piece[0] <= "9":
            tokens.append((sep or "-", int(piece)))
            continue
        # "a1" is alpha-1, but "a-1" and "a.1" are the unknown qualifier "a"
        before_digit = index + 1 < len(pieces) and pieces[index + 1][0] == ""
        word = _SHORT[piece] if before_digit and piece in _SHORT else _ALIASES.get(piece, piece)
        tokens.append(("-", word))  # ".q" is "-q" (see the module docstring)
    return tokens


def _encode(sep: str, token: str | int) -> Token:
    if isinstance(token, int):
        return (_DOT_NUMBER if sep == "." else _DASH_NUMBER, token)
    rank = _RANK.get(token, _UNKNOWN_RANK)
    label = token if rank == _UNKNOWN_RANK else ""
    return (_LOW if rank < _RELEASE_RANK else _HIGH, rank, label)


def tokens(text: str) -> list[tuple[str, str | int]]:
    """The (separator, token) sequence the order is defined on, nulls trimmed."""
    groups: list[list[tuple[str, str | int]]] = []
    for sep, token in _raw_tokens(text.lower()):
        if sep == "-" or not groups:
            groups.append([])
        groups[-1].append((sep, token))
    trimmed: list[tuple[str, str | int]] = []
    for group in groups:
        while group and group[-1][1] in (0, ""):
            group.pop()  # trailing nulls of every hyphen group
        trimmed.extend(group)
    return trimmed


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> MavenKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "Maven")
    if not text or not text.isprintable() or any(c.isspace() for c in text):
        raise InvalidVersion(f"not a Maven version: {text!r}")
    return (*(_encode(sep, token) for sep, token in tokens(text)), _END_TOKEN)


class MavenScheme:
    name = "Maven"

    def parse(self, text: str) -> MavenKey:
        return parse_key(text)


SCHEME = MavenScheme()
