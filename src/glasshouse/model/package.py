"""A dependency found in a lockfile, manifest or SBOM."""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was found, relative to the scan root (POSIX separators)."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


class VersionStatus(enum.Enum):
    """How much a lockfile tells about the version that ships."""

    PINNED = "pinned"  # one exact version
    UNPINNED = "unpinned"  # a range or nothing: the shipped version is not knowable here


@dataclass(frozen=True, slots=True)
class Package:
    """One pinned (or, honestly, unpinned) dependency.

    ``ecosystem`` uses OSV's ecosystem names (``PyPI``, ``npm``, ``Go``, ``crates.io``,
    ``Maven``, ``RubyGems``, ``Packagist``, ``NuGet``...). ``name`` is as written in the
    source; matching normalizes it per ecosystem. ``version`` is ``None`` when unpinned,
    and ``requirement`` then keeps what the file said (``>=2,<3``), for the report.
    ``direct`` and ``dev`` are ``None`` when the format does not say.
    """

    name: str
    version: str | None
    ecosystem: str
    location: Location
    direct: bool | None = None
    dev: bool | None = None
    requirement: str | None = None

    @property
    def status(self) -> VersionStatus:
        return VersionStatus.UNPINNED if self.version is None else VersionStatus.PINNED
