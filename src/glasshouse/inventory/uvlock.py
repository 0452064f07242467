"""``uv.lock``: uv's universal lockfile (TOML).

Semantics:

- the project and its workspace members (``source = { virtual = ... }`` or
  ``{ editable = ... }``) are the code under scan, not dependencies: they are the roots
  of the graph and are not reported; every other ``[[package]]`` is, with its version
  (absent for some local sources: then unknown, never dropped, and ``requirement``
  names the source, credentials in URLs redacted);
- ``direct``: a dependency of a root (``dependencies``, ``optional-dependencies`` or
  ``dev-dependencies``); with no root in the file, unknown;
- ``dev``: reachable from the roots only through their ``dev-dependencies`` (dependency
  groups). Extras (``optional-dependencies``) are part of the published package, so
  they count as production. Markers are not evaluated: a package locked for any
  platform counts. Unreachable from every root: unknown.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from glasshouse.inventory._redact import redact_userinfo
from glasshouse.inventory._toml import (
    load_toml,
    name_lines,
    opt_str,
    opt_str_list,
    opt_table,
    req_str,
    table_array,
    take_line,
)
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

ECOSYSTEM = "PyPI"
_LOCAL_SOURCES = ("virtual", "editable")

# An edge: the dependency's name, its version if the entry pins one, and the extras
# of the target that it turns on.
_Edge = tuple[str, str | None, tuple[str, ...]]


def _edges(value: object, where: str) -> list[_Edge]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{where} is not an array")
    edges: list[_Edge] = []
    for item in value:
        if not isinstance(item, dict):
            raise ParseError(f"{where}: an entry is not a table")
        name = req_str(item, "name", where)
        extras = opt_str_list(item, "extra", where) or []
        edges.append((name, opt_str(item, "version", where), tuple(extras)))
    return edges


def _edge_groups(table: dict[str, Any], key: str, where: str) -> dict[str, list[_Edge]]:
    groups = opt_table(table, key, where) or {}
    return {group: _edges(deps, f"{where} {key}.{group}") for group, deps in groups.items()}


class _Graph:
    def __init__(self, names: list[str], versions: list[str | None]) -> None:
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for index, name in enumerate(names):
            self.by_name[name].append(index)
        self.versions = versions
        self.deps: list[list[_Edge]] = []
        self.extras: list[dict[str, list[_Edge]]] = []

    def targets(self, edge: _Edge) -> list[int]:
        name, version, _ = edge
        found = self.by_name.get(name, [])
        if version is None:
            return found
        return [index for index in found if self.versions[index] == version]

    def reach(self, seeds: list[_Edge]) -> set[int]:
        """Every package reachable from ``seeds``, following the extras edges turn on."""
        seen: set[int] = set()
        seen_extras: set[tuple[int, str]] = set()
        stack = list(seeds)
        while stack:
            edge = stack.pop()
            for index in self.targets(edge):
                if index not in seen:
                    seen.add(index)
                    stack.extend(self.deps[index])
                for extra in edge[2]:
                    if (index, extra) not in seen_extras:
                        seen_extras.add((index, extra))
                        stack.extend(self.extras[index].get(extra, []))
        return seen


def _origin(pkg_source: dict[str, Any]) -> str | None:
    """What an unversioned package's ``source`` says, for ``requirement``."""
    for value in pkg_source.values():
        if isinstance(value, str) and value:
            return redact_userinfo(value)
    return None


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    doc = load_toml(text)
    tables = table_array(doc, "package")
    lines = name_lines(text, "package")
    names: list[str] = []
    versions: list[str | None] = []
    located: list[int | None] = []
    origins: list[str | None] = []
    roots: list[int] = []
    for index, table in enumerate(tables):
        where = f"package #{index + 1}"
        name = req_str(table, "name", where)
        names.append(name)
        versions.append(opt_str(table, "version", where))
        located.append(take_line(lines, name))
        pkg_source = opt_table(table, "source", where) or {}
        origins.append(_origin(pkg_source) if versions[-1] is None else None)
        if any(key in pkg_source for key in _LOCAL_SOURCES):
            roots.append(index)

    root_set = set(roots)
    graph = _Graph(names, versions)
    dev_seeds: list[_Edge] = []
    prod_seeds: list[_Edge] = []
    for index, table in enumerate(tables):
        where = f"package #{index + 1}"
        graph.deps.append(_edges(table.get("dependencies"), f"{where} dependencies"))
        graph.extras.append(_edge_groups(table, "optional-dependencies", where))
        if index in root_set:
            prod_seeds.extend(graph.deps[index])
            for group in graph.extras[index].values():
                prod_seeds.extend(group)
            for group in _edge_groups(table, "dev-dependencies", where).values():
                dev_seeds.extend(group)

    direct: set[int] = set()
    prod: set[int] = set()
    dev: set[int] = set()
    if roots:
        for edge in prod_seeds + dev_seeds:
            direct.update(graph.targets(edge))
        prod = graph.reach(prod_seeds)
        dev = graph.reach(dev_seeds)

    packages: list[Package] = []
    for index, name in enumerate(names):
        if index in root_set:
            continue
        is_dev: bool | None = None
        if index in prod:
            is_dev = False
        elif index in dev:
            is_dev = True
        packages.append(
            Package(
                name=name,
                version=versions[index],
                ecosystem=ECOSYSTEM,
                location=Location(path=source.path, line=located[index]),
                direct=(index in direct) if roots else None,
                dev=is_dev,
                requirement=origins[index],
            )
        )
    return packages


def matches(name: str, path: str) -> bool:
    return name == "uv.lock"


EXTRACTOR = Extractor(name="uvlock", ecosystem=ECOSYSTEM, matches=matches, parse=parse)
