"""Composer's ``composer.lock`` (PHP, Packagist).

``packages`` ship, ``packages-dev`` are dev-only. Composer writes versions as tagged
(``v5.4.0`` or ``5.4.0``); OSV's Packagist records use the bare form, so a leading ``v``
before a digit is stripped. Branch versions (``dev-main``, ``3.0.x-dev``) name no
release: they are reported unpinned, with the branch as the requirement.
"""

from __future__ import annotations

from glasshouse.ecosystems import PACKAGIST
from glasshouse.inventory._json import JsonLines, expect_array, expect_object, load_json, opt_string
from glasshouse.inventory._packagist import bare_version
from glasshouse.inventory.base import Extractor, Source
from glasshouse.model.package import Location, Package


def _matches(basename: str, path: str) -> bool:
    return basename == "composer.lock"


def _version(raw: str) -> tuple[str | None, str | None]:
    """(version, requirement): branch versions are not releases."""
    lowered = raw.lower()
    if lowered.startswith("dev-") or lowered.endswith("-dev"):
        return None, raw
    return bare_version(raw), None


def parse(source: Source) -> list[Package]:
    doc, text = load_json(source.data)
    root = expect_object(doc, "composer.lock")
    lines = JsonLines.of_string_values(text, "name")
    packages: list[Package] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    # Dict order is file order: walk the sections as written so lines line up.
    for section in [k for k in root if k in ("packages", "packages-dev")]:
        value = root[section]
        if value is None:
            continue
        dev = section == "packages-dev"
        for index, entry in enumerate(expect_array(value, section)):
            what = f"{section}[{index}]"
            obj = expect_object(entry, what)
            name = opt_string(obj, "name", what)
            if name is None:
                continue  # nothing to name or match; Composer itself would refuse it
            line = lines.take(name)
            raw = opt_string(obj, "version", what)
            version, requirement = _version(raw) if raw is not None else (None, "*")
            key = (name, version, requirement)
            if key in seen:
                continue
            seen.add(key)
            packages.append(
                Package(
                    name=name,
                    version=version,
                    ecosystem=PACKAGIST,
                    location=Location(source.path, line),
                    dev=dev,
                    requirement=requirement,
                )
            )
    return packages


EXTRACTOR = Extractor(name="composerlock", ecosystem=PACKAGIST, matches=_matches, parse=parse)
