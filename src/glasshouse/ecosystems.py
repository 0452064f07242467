"""Ecosystem names (as OSV spells them) and per-ecosystem package-name normalization."""

from __future__ import annotations

import re
from functools import lru_cache

PYPI = "PyPI"
NPM = "npm"
GO = "Go"
CRATES_IO = "crates.io"
MAVEN = "Maven"
RUBYGEMS = "RubyGems"
PACKAGIST = "Packagist"
NUGET = "NuGet"
DEBIAN = "Debian"
ALPINE = "Alpine"

# What `glasshouse db update` fetches when no ecosystem is named: those a lockfile
# parser can produce. OS package ecosystems are large and only fetched on request.
DEFAULT_UPDATE_ECOSYSTEMS: tuple[str, ...] = (
    PYPI,
    NPM,
    GO,
    CRATES_IO,
    MAVEN,
    RUBYGEMS,
    PACKAGIST,
    NUGET,
)

_PEP503 = re.compile(r"[-_.]+")


@lru_cache(maxsize=1 << 16)
def normalize_name(ecosystem: str, name: str) -> str:
    """The key a package is indexed and matched by within its ecosystem."""
    base = ecosystem.split(":", 1)[0]  # "Debian:12" -> "Debian"
    if base == PYPI:
        return _PEP503.sub("-", name).lower()  # PEP 503
    if base in (NUGET, PACKAGIST, CRATES_IO, MAVEN):
        # Registries that treat names case-insensitively; OSV records them in
        # their canonical spelling, lockfiles sometimes do not.
        return name.lower()
    # npm, Go module paths, RubyGems and the rest are case-sensitive.
    return name


def base_ecosystem(ecosystem: str) -> str:
    """OSV ecosystems may carry a release suffix (``Debian:12``, ``Alpine:v3.19``)."""
    return ecosystem.split(":", 1)[0]
