"""Package URLs (purl) for packages, as SBOMs and the server identify them."""

from __future__ import annotations

from functools import lru_cache

from packageurl import normalize

from glasshouse.ecosystems import base_ecosystem
from glasshouse.model import Package

_PURL_TYPES = {
    "PyPI": "pypi",
    "npm": "npm",
    "Go": "golang",
    "crates.io": "cargo",
    "Maven": "maven",
    "RubyGems": "gem",
    "Packagist": "composer",
    "NuGet": "nuget",
    "Debian": "deb",
    "Alpine": "apk",
}


@lru_cache(maxsize=1 << 16)
def purl(package: Package) -> str | None:
    kind = _PURL_TYPES.get(base_ecosystem(package.ecosystem))
    if kind is None:
        return None
    namespace: str | None = None
    name = package.name
    if kind == "maven" and ":" in name:
        namespace, name = name.split(":", 1)
    elif kind in ("npm", "golang", "composer") and "/" in name:
        namespace, name = name.rsplit("/", 1)
    if kind == "pypi":
        name = name.lower().replace("_", "-")
    # normalize() once and join, as PackageURL(...).to_string() does after normalizing
    # twice: a monorepo report builds tens of thousands of these.
    kind_, namespace_, name_, version_, _, _ = normalize(
        kind, namespace, name, package.version, None, None, encode=True
    )
    text = f"pkg:{kind_}/{namespace_}/{name_}" if namespace_ else f"pkg:{kind_}/{name_}"
    return f"{text}@{version_}" if version_ else text
