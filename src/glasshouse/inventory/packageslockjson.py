"""NuGet's ``packages.lock.json`` (.NET).

``dependencies`` maps each target framework to its packages; ``type`` says ``Direct``,
``Transitive``, ``CentralTransitive`` (pinned centrally, pulled in transitively) or
``Project`` (another project of the solution: not a package, skipped). A package locked
for several frameworks at one version is reported once, at its first declaration.
"""

from __future__ import annotations

from glasshouse.ecosystems import NUGET
from glasshouse.inventory._json import (
    JsonLines,
    clean_text,
    expect_object,
    load_json,
    opt_string,
)
from glasshouse.inventory.base import Extractor, Source
from glasshouse.model.package import Location, Package

_DIRECT = {"direct": True, "transitive": False, "centraltransitive": False}


def _matches(basename: str, path: str) -> bool:
    return basename == "packages.lock.json"


def parse(source: Source) -> list[Package]:
    doc, text = load_json(source.data)
    root = expect_object(doc, "packages.lock.json")
    frameworks = root.get("dependencies")
    if frameworks is None:
        return []
    lines = JsonLines.of_object_keys(text)
    packages: list[Package] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for framework, deps in expect_object(frameworks, "dependencies").items():
        lines.take(framework)
        for name, entry in expect_object(deps, f"dependencies[{framework!r}]").items():
            what = f"package {name!r}"
            obj = expect_object(entry, what)
            line = lines.take(name)
            kind = opt_string(obj, "type", what)
            if kind is not None and kind.lower() == "project":
                continue
            name = clean_text(name.strip(), "a package name")
            if not name:
                continue
            version = opt_string(obj, "resolved", what)
            requirement = None if version is not None else opt_string(obj, "requested", what)
            if version is None and requirement is None:
                requirement = "*"
            key = (name.lower(), version, requirement)
            if key in seen:
                continue
            seen.add(key)
            packages.append(
                Package(
                    name=name,
                    version=version,
                    ecosystem=NUGET,
                    location=Location(source.path, line),
                    direct=None if kind is None else _DIRECT.get(kind.lower()),
                    requirement=requirement,
                )
            )
    return packages


EXTRACTOR = Extractor(name="packageslockjson", ecosystem=NUGET, matches=_matches, parse=parse)
