"""SPDX 2.x JSON documents (``*.spdx.json``).

Every entry of ``packages`` with an ``externalRefs`` entry of ``referenceType: purl`` is
read through that purl (the first one of a type Glasshouse maps), as the CycloneDX
reader reads components; ``versionInfo`` stands in when the purl has no version.
Packages without a usable purl are skipped. SPDX does not say which packages are direct
or dev-only in a way tools agree on, so neither is set.
"""

from __future__ import annotations

from glasshouse.inventory._json import (
    JsonLines,
    expect_array,
    expect_object,
    load_json,
    opt_string,
)
from glasshouse.inventory._purl import purl_package
from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model.package import Location, Package


def _matches(basename: str, path: str) -> bool:
    return basename.endswith(".spdx.json")


def parse(source: Source) -> list[Package]:
    doc, text = load_json(source.data)
    root = expect_object(doc, "the SPDX document")
    version = root.get("spdxVersion")
    if not isinstance(version, str) or not version.startswith("SPDX-"):
        raise ParseError("not an SPDX 2.x JSON document: no 'spdxVersion'")
    entries = root.get("packages")
    if entries is None:
        return []
    lines = JsonLines.of_string_values(text, "SPDXID")
    packages: list[Package] = []
    seen: set[tuple[str, str, str | None]] = set()
    for index, entry in enumerate(expect_array(entries, "packages")):
        what = f"packages[{index}]"
        package = expect_object(entry, what)
        spdx_id = opt_string(package, "SPDXID", what)
        line = lines.take(spdx_id) if spdx_id is not None else None
        version_info = opt_string(package, "versionInfo", what)
        refs = package.get("externalRefs")
        if refs is None:
            continue
        mapped = None
        for ref_index, ref in enumerate(expect_array(refs, f"{what}.externalRefs")):
            ref_what = f"{what}.externalRefs[{ref_index}]"
            ref_obj = expect_object(ref, ref_what)
            if opt_string(ref_obj, "referenceType", ref_what) != "purl":
                continue
            locator = opt_string(ref_obj, "referenceLocator", ref_what)
            if locator is not None:
                mapped = purl_package(locator, version_info)
                if mapped is not None:
                    break
        if mapped is None:
            continue
        if mapped in seen:
            continue
        seen.add(mapped)
        ecosystem, name, pkg_version = mapped
        packages.append(
            Package(
                name=name,
                version=pkg_version,
                ecosystem=ecosystem,
                location=Location(source.path, line),
                requirement=None if pkg_version is not None else "*",
            )
        )
    return packages


EXTRACTOR = Extractor(name="spdx", ecosystem="", matches=_matches, parse=parse)
