"""NuGet's ``packages.config`` (.NET, the format before PackageReference).

Each ``<package id version>`` under ``<packages>`` is one installed package (the file
lists transitive packages too, without saying which are direct).
``developmentDependency="true"`` marks build-time-only packages (dev). A package without
``version`` is reported unpinned (requirement: its ``allowedVersions`` if given, else
``*``); one without ``id`` names nothing and is skipped. Parsed with the safe XML reader
of ``_xml`` (no DTD, no entities).
"""

from __future__ import annotations

from glasshouse.ecosystems import NUGET
from glasshouse.inventory._xml import parse_xml
from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model.package import Location, Package


def _matches(basename: str, path: str) -> bool:
    return basename.lower() == "packages.config"


def parse(source: Source) -> list[Package]:
    root = parse_xml(source.data)
    if root.tag != "packages":
        raise ParseError(f"not a packages.config: the root element is <{root.tag[:40]}>")
    packages: list[Package] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for element in root.children:
        if element.tag != "package":
            continue
        name = element.attrib.get("id", "").strip()
        if not name:
            continue
        version = element.attrib.get("version", "").strip() or None
        requirement = None
        if version is None:
            requirement = element.attrib.get("allowedVersions", "").strip() or "*"
        key = (name.lower(), version, requirement)
        if key in seen:
            continue
        seen.add(key)
        dev = element.attrib.get("developmentDependency", "").strip().lower() == "true"
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=NUGET,
                location=Location(source.path, element.line),
                dev=dev,
                requirement=requirement,
            )
        )
    return packages


EXTRACTOR = Extractor(name="packagesconfig", ecosystem=NUGET, matches=_matches, parse=parse)
