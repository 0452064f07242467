"""Package URLs (purls) to the ecosystem, name and version OSV advisories use, shared
by the SBOM parsers (CycloneDX, SPDX).

Only purl types Glasshouse has advisories for are mapped; a malformed purl, an unmapped
type, a Maven artifact without its group, or a name or version holding control
characters maps to nothing, and the caller skips the component.
"""

from __future__ import annotations

import re

from packageurl import PackageURL

from glasshouse.ecosystems import CRATES_IO, GO, MAVEN, NPM, NUGET, PACKAGIST, PYPI, RUBYGEMS
from glasshouse.inventory._packagist import bare_version

_ECOSYSTEMS = {
    "pypi": PYPI,
    "npm": NPM,
    "golang": GO,
    "cargo": CRATES_IO,
    "gem": RUBYGEMS,
    "composer": PACKAGIST,
    "nuget": NUGET,
    "maven": MAVEN,
}
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def purl_package(purl: str, fallback_version: str | None) -> tuple[str, str, str | None] | None:
    """(ecosystem, name as OSV writes it, version) of a purl; None if not mapped."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    ecosystem = _ECOSYSTEMS.get(parsed.type)
    if ecosystem is None or not parsed.name:
        return None
    namespace = parsed.namespace or ""
    name = parsed.name
    if parsed.type == "maven":
        if not namespace:
            return None  # an artifact without its group matches nothing
        name = f"{namespace}:{name}"
    elif parsed.type == "npm" and namespace:
        name = f"{namespace if namespace.startswith('@') else '@' + namespace}/{name}"
    elif parsed.type in ("golang", "composer") and namespace:
        name = f"{namespace}/{name}"
    version = (parsed.version or "").strip() or fallback_version
    if version is not None and ecosystem == PACKAGIST:
        version = bare_version(version)
    if _BAD_CHARS.search(name) or (version is not None and _BAD_CHARS.search(version)):
        return None
    return ecosystem, name, version
