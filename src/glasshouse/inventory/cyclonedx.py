"""CycloneDX JSON SBOMs (``bom.json``, ``*.cdx.json``), any spec version 1.x.

Every entry of ``components``, nested ``components`` included, is read; ``metadata.
component`` is the subject the BOM describes, not one of its parts, and is not. The
ecosystem, name and version come from the component's purl (the ``version`` field only
when the purl has none); components without a purl, with a malformed one or of a type
Glasshouse has no advisories for are skipped (this module's ``ecosystem`` is therefore
empty: it yields several). Direct dependencies are the ``dependsOn`` of the subject in
``dependencies`` when the BOM records them; ``scope: excluded`` (documented for tests
and other non-runtime use) marks dev.

Purls are mapped by ``_purl.purl_package``, shared with the SPDX reader.
"""

from __future__ import annotations

from typing import Any

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
    return basename == "bom.json" or basename.endswith(".cdx.json")


def _direct_refs(root: dict[str, Any]) -> set[str] | None:
    """bom-refs the subject depends on directly, or None if the BOM does not say."""
    metadata = root.get("metadata")
    if not isinstance(metadata, dict):
        return None
    subject = metadata.get("component")
    if not isinstance(subject, dict):
        return None
    ref = subject.get("bom-ref")
    dependencies = root.get("dependencies")
    if not isinstance(ref, str) or not isinstance(dependencies, list):
        return None
    for entry in dependencies:
        if isinstance(entry, dict) and entry.get("ref") == ref:
            depends_on = entry.get("dependsOn")
            if isinstance(depends_on, list):
                return {r for r in depends_on if isinstance(r, str)}
            return None
    return None


def parse(source: Source) -> list[Package]:
    doc, text = load_json(source.data)
    root = expect_object(doc, "the BOM")
    if root.get("bomFormat") != "CycloneDX":
        raise ParseError("not a CycloneDX JSON BOM: 'bomFormat' is not 'CycloneDX'")
    components = root.get("components")
    if components is None:
        return []
    direct_refs = _direct_refs(root)
    lines = JsonLines.of_string_values(text, "purl")
    packages: list[Package] = []
    seen: set[tuple[str, str, str | None]] = set()
    # Depth-first, in document order, without recursion (nesting depth is the file's).
    stack: list[tuple[list[Any], int, str]] = [
        (expect_array(components, "components"), 0, "components")
    ]
    while stack:
        items, index, where = stack[-1]
        if index >= len(items):
            stack.pop()
            continue
        stack[-1] = (items, index + 1, where)
        what = f"{where}[{index}]"
        component = expect_object(items[index], what)
        purl = opt_string(component, "purl", what)
        version_field = opt_string(component, "version", what)
        children = component.get("components")
        if children is not None:
            stack.append((expect_array(children, f"{what}.components"), 0, f"{what}.components"))
        if purl is None:
            continue
        line = lines.take(purl)
        mapped = purl_package(purl, version_field)
        if mapped is None:
            continue
        ecosystem, name, version = mapped
        key = (ecosystem, name, version)
        if key in seen:
            continue
        seen.add(key)
        ref = component.get("bom-ref")
        scope = component.get("scope")
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=ecosystem,
                location=Location(source.path, line),
                direct=None if direct_refs is None else isinstance(ref, str) and ref in direct_refs,
                dev=True if scope == "excluded" else None,
                requirement=None if version is not None else "*",
            )
        )
    return packages


EXTRACTOR = Extractor(name="cyclonedx", ecosystem="", matches=_matches, parse=parse)
