"""Which version scheme orders the versions of which OSV ecosystem: one explicit table."""

from __future__ import annotations

from glasshouse.versions import alpine, debian, maven, nuget, packagist, pypi, rubygems, semver
from glasshouse.versions.base import VersionScheme


class UnsupportedEcosystem(KeyError):
    """No version scheme is known for the ecosystem; its versions cannot be ordered."""


SEMVER: VersionScheme = semver.SCHEME
"""For OSV ranges of type ``SEMVER``, whatever the ecosystem."""

SCHEMES: tuple[VersionScheme, ...] = (
    pypi.SCHEME,
    semver.SCHEME,
    maven.SCHEME,
    rubygems.SCHEME,
    packagist.SCHEME,
    nuget.SCHEME,
    debian.SCHEME,
    alpine.SCHEME,
)

_BY_ECOSYSTEM: dict[str, VersionScheme] = {
    "PyPI": pypi.SCHEME,
    "npm": semver.SCHEME,
    "Go": semver.SCHEME,
    "crates.io": semver.SCHEME,
    "Hex": semver.SCHEME,  # Hex requires SemVer 2.0 versions
    "Maven": maven.SCHEME,
    "RubyGems": rubygems.SCHEME,
    "Packagist": packagist.SCHEME,
    "NuGet": nuget.SCHEME,
    "Debian": debian.SCHEME,
    "Ubuntu": debian.SCHEME,  # dpkg versions, as in Debian
    "Alpine": alpine.SCHEME,
    "Wolfi": alpine.SCHEME,  # apk versions, as in Alpine
    "Chainguard": alpine.SCHEME,
}
# Lockfiles and purls spell ecosystems loosely ("pypi", "maven"); OSV names are distinct
# even ignoring case, so a case-insensitive lookup cannot pick a wrong scheme.
_BY_FOLDED = {name.casefold(): scheme for name, scheme in _BY_ECOSYSTEM.items()}


def scheme_for(ecosystem: str) -> VersionScheme:
    """The scheme for an OSV ecosystem name; a release suffix is ignored ("Debian:12").

    Raises ``UnsupportedEcosystem`` (a ``KeyError``) when no scheme is known.
    """
    base = ecosystem.split(":", 1)[0]
    scheme = _BY_ECOSYSTEM.get(base) or _BY_FOLDED.get(base.casefold())
    if scheme is None:
        raise UnsupportedEcosystem(ecosystem)
    return scheme


def supported_ecosystems() -> tuple[str, ...]:
    """The OSV ecosystem names that have a scheme, as OSV spells them."""
    return tuple(_BY_ECOSYSTEM)
