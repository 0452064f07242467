"""Package URLs (purl) for packages, as SBOMs and the server identify them."""

from __future__ import annotations

import re
from functools import lru_cache

from packageurl import normalize

from glasshouse.ecosystems import base_ecosystem
from glasshouse.model import Package

# RFC 3986 unreserved characters: never percent-encoded.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")
# packageurl-python's case rules for the types produced here (tests hold us to them).
_LOWER_NAMESPACE = frozenset({"pypi", "composer", "apk"})
_LOWER_NAME = frozenset({"pypi", "composer", "npm", "apk"})

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
    version = package.version
    if _PLAIN.fullmatch(f"{namespace or ''}{name}{version or ''}"):
        # Nothing to percent-encode: apply the library's case rules and join. The
        # general path below costs about 20 us a package, too much for a monorepo.
        if kind in _LOWER_NAMESPACE and namespace:
            namespace = namespace.lower()
        if kind in _LOWER_NAME:
            name = name.lower()
        text = f"pkg:{kind}/{namespace}/{name}" if namespace else f"pkg:{kind}/{name}"
        return f"{text}@{version}" if version else text
    kind_, namespace_, name_, version_, _, _ = normalize(
        kind, namespace, name, version, None, None, encode=True
    )
    text = f"pkg:{kind_}/{namespace_}/{name_}" if namespace_ else f"pkg:{kind_}/{name_}"
    return f"{text}@{version_}" if version_ else text
