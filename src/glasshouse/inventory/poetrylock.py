"""``poetry.lock``: Poetry's lockfile (TOML), 1.x ``category`` and 2.x ``groups`` layouts.

Semantics:

- every ``[[package]]`` is reported with its locked version (``git``, ``url``, ``file``
  and ``directory`` sources included: Poetry records their real version);
- ``dev``: 1.x ``category = "dev"`` is dev, ``"main"`` is not; 2.x ``groups`` without
  ``"main"`` is dev (Poetry's non-main groups are dependency groups, never installed by
  the package's users; optional extras live in ``main``); neither key: unknown;
- ``direct`` is unknown: the lockfile does not list the project's own dependencies.
"""

from __future__ import annotations

from typing import Any

from glasshouse.inventory._toml import (
    load_toml,
    name_lines,
    opt_str,
    opt_str_list,
    req_str,
    table_array,
    take_line,
)
from glasshouse.inventory.base import Extractor, Source, decode_text
from glasshouse.model.package import Location, Package

ECOSYSTEM = "PyPI"


def _dev(table: dict[str, Any], where: str) -> bool | None:
    groups = opt_str_list(table, "groups", where)
    if groups:
        return "main" not in groups
    category = opt_str(table, "category", where)
    if category is not None:
        return category == "dev"
    return None


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    doc = load_toml(text)
    lines = name_lines(text, "package")
    packages: list[Package] = []
    for index, table in enumerate(table_array(doc, "package"), 1):
        where = f"package #{index}"
        name = req_str(table, "name", where)
        packages.append(
            Package(
                name=name,
                version=opt_str(table, "version", where),
                ecosystem=ECOSYSTEM,
                location=Location(path=source.path, line=take_line(lines, name)),
                dev=_dev(table, where),
            )
        )
    return packages


def matches(name: str, path: str) -> bool:
    return name == "poetry.lock"


EXTRACTOR = Extractor(name="poetrylock", ecosystem=ECOSYSTEM, matches=matches, parse=parse)
