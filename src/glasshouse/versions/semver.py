"""SemVer 2.0 ordering, as npm, crates.io, Go modules and OSV ``SEMVER`` ranges use it.

Lenient where real data is: a leading ``v`` (Go), missing minor or patch (``1.2`` is
``1.2.0``; OSV records and lockfiles contain both spellings) and extra numeric
components (``1.2.3.4`` sorts after ``1.2.3``; trailing zeros never matter). Build
metadata, Go's ``+incompatible`` among it, never affects order. Go pseudo-versions
(``v0.0.0-20191109021931-daa7c04131f5``) need no special case: they are prereleases.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

_IDENT = r"[0-9A-Za-z-]+"
_PATTERN = re.compile(
    rf"[vV]?(?P<release>[0-9]+(?:\.[0-9]+)*)"
    rf"(?:-(?P<pre>{_IDENT}(?:\.{_IDENT})*))?"
    rf"(?:\+{_IDENT}(?:\.{_IDENT})*)?"
)
# A numeric identifier by the spec; "01" is alphanumeric, which keeps it unequal to "1".
_NUMERIC = re.compile(r"0|[1-9][0-9]*")

# A release sorts after all of its prereleases: (1,) > (0, ...).
_RELEASE = (1,)

SemverKey: TypeAlias = tuple[tuple[int, ...], tuple[object, ...]]


def _trimmed(release: str) -> tuple[int, ...]:
    parts = [int(p) for p in release.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _prerelease(pre: str) -> tuple[object, ...]:
    # Numeric identifiers sort below alphanumeric ones; the tag keeps int and str apart.
    ids: list[tuple[int, int] | tuple[int, str]] = [
        (0, int(i)) if _NUMERIC.fullmatch(i) else (1, i) for i in pre.split(".")
    ]
    return (0, *ids)


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> SemverKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "SemVer")
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        raise InvalidVersion(f"not a SemVer version: {text!r}")
    pre = match["pre"]
    return (_trimmed(match["release"]), _RELEASE if pre is None else _prerelease(pre))


class SemverScheme:
    name = "SemVer"

    def parse(self, text: str) -> SemverKey:
        return parse_key(text)


SCHEME = SemverScheme()
