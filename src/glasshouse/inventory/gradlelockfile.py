"""Gradle dependency locks: ``gradle.lockfile`` (and ``buildscript-gradle.lockfile``,
``settings-gradle.lockfile``), or per-configuration ``*.lockfile`` files under
``gradle/dependency-locks/`` (Gradle before 6.0).

Each line is ``group:artifact:version=configuration,...``; ``#`` starts a comment and
``empty=`` lists the configurations that resolved nothing. A package is dev when every
configuration it is locked in is a test one (``testRuntimeClasspath``,
``integrationTestCompileClasspath``...); Gradle locks do not say what is direct.
Lines that are not coordinates at all (merge-conflict markers, stray text) are skipped,
as long as the file holds at least one lock entry; ``group:artifact`` without a version
is reported unpinned. A file of nothing but such lines is not a Gradle lockfile.
"""

from __future__ import annotations

from glasshouse.ecosystems import MAVEN
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package


def _matches(basename: str, path: str) -> bool:
    if basename == "gradle.lockfile" or basename.endswith("-gradle.lockfile"):
        return True
    return basename.endswith(".lockfile") and (
        path.startswith("gradle/dependency-locks/") or "/gradle/dependency-locks/" in path
    )


def _is_test(configuration: str) -> bool:
    return configuration.startswith("test") or "Test" in configuration


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    packages: list[Package] = []
    seen: set[tuple[str, str | None]] = set()
    entries = 0
    junk = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        coordinates, _, configurations = line.partition("=")
        coordinates = coordinates.strip()
        if coordinates == "empty":
            entries += 1
            continue
        parts = [part.strip() for part in coordinates.split(":")]
        if len(parts) not in (2, 3) or not all(parts) or any(" " in p for p in parts):
            junk += 1
            continue
        entries += 1
        name = f"{parts[0]}:{parts[1]}"
        version = parts[2] if len(parts) == 3 else None
        if (name, version) in seen:
            continue
        seen.add((name, version))
        names = [c.strip() for c in configurations.split(",") if c.strip()]
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=MAVEN,
                location=Location(source.path, number),
                dev=all(_is_test(c) for c in names) if names else None,
                requirement=None if version is not None else "*",
            )
        )
    if junk and not entries:
        raise ParseError("not a Gradle lockfile: no 'group:artifact:version=...' line")
    return packages


EXTRACTOR = Extractor(name="gradlelockfile", ecosystem=MAVEN, matches=_matches, parse=parse)
