"""NuGet: ``NuGetVersion`` order (SemVer 2.0 with a fourth, "revision" number).

Missing numbers are zero, so ``1.0`` == ``1.0.0`` == ``1.0.0.0``. Prerelease labels
compare as in SemVer, except that letters compare case-insensitively (NuGet uses
``OrdinalIgnoreCase``) and an all-digit label compares numerically even with leading
zeros. Build metadata never affects order. NuGet rejects a leading ``v``, and so does
this scheme: a lockfile or advisory carrying one is not a NuGet version.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

from glasshouse.versions._limits import refuse_overlong
from glasshouse.versions.base import InvalidVersion

NuGetKey: TypeAlias = tuple[int, int, int, int, tuple[object, ...]]

_LABEL = r"[0-9A-Za-z-]+"
_PATTERN = re.compile(
    rf"(?P<release>[0-9]+(?:\.[0-9]+){{0,3}})"
    rf"(?:-(?P<pre>{_LABEL}(?:\.{_LABEL})*))?"
    rf"(?:\+{_LABEL}(?:\.{_LABEL})*)?"
)
_RELEASE = (1,)  # above (0, ...), every prerelease


@functools.lru_cache(maxsize=1 << 16)
def parse_key(text: str) -> NuGetKey:
    """The ordering key of ``text``; raises ``InvalidVersion``."""
    refuse_overlong(text, "NuGet")
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        raise InvalidVersion(f"not a NuGet version: {text!r}")
    numbers = [int(n) for n in match["release"].split(".")]
    numbers.extend([0] * (4 - len(numbers)))
    pre = match["pre"]
    labels: tuple[object, ...] = _RELEASE
    if pre is not None:
        labels = (
            0,
            *(
                (0, int(label)) if label.isdigit() else (1, label.upper())
                for label in pre.split(".")
            ),
        )
    return (numbers[0], numbers[1], numbers[2], numbers[3], labels)


class NuGetScheme:
    name = "NuGet"

    def parse(self, text: str) -> NuGetKey:
        return parse_key(text)


SCHEME = NuGetScheme()
