"""``pdm.lock``: PDM's lockfile (TOML).

Semantics:

- every ``[[package]]`` is reported with its locked version (git and local sources
  carry their real version too); PDM locks an extra (``requests[socks]``) as another
  entry of the same name and version: such entries make one package;
- ``dev``: a package in the ``default`` group is production; otherwise, one in the
  ``dev`` group is dev; a package only in other named groups is unknown, because the
  lockfile does not say whether such a group is an extra (production) or a
  development dependency group. Merged entries: production if any entry is, unknown
  if any is, dev otherwise;
- ``direct`` is unknown: the lockfile does not list the project's own dependencies.
"""

from __future__ import annotations

from dataclasses import replace

from glasshouse.inventory._toml import (
    load_toml,
    merge_dev,
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


def _dev(groups: list[str] | None) -> bool | None:
    if groups is None:
        return None
    if "default" in groups:
        return False
    if "dev" in groups:
        return True
    return None


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    doc = load_toml(text)
    lines = name_lines(text, "package")
    packages: dict[tuple[str, str | None], Package] = {}
    for index, table in enumerate(table_array(doc, "package"), 1):
        where = f"package #{index}"
        name = req_str(table, "name", where)
        version = opt_str(table, "version", where)
        line = take_line(lines, name)
        dev = _dev(opt_str_list(table, "groups", where))
        known = packages.get((name, version))
        if known is not None:
            packages[(name, version)] = replace(known, dev=merge_dev(known.dev, dev))
            continue
        packages[(name, version)] = Package(
            name=name,
            version=version,
            ecosystem=ECOSYSTEM,
            location=Location(path=source.path, line=line),
            dev=dev,
        )
    return list(packages.values())


def matches(name: str, path: str) -> bool:
    return name == "pdm.lock"


EXTRACTOR = Extractor(name="pdmlock", ecosystem=ECOSYSTEM, matches=matches, parse=parse)
