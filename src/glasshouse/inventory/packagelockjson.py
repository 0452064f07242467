"""package-lock.json and npm-shrinkwrap.json (lockfile versions 1, 2 and 3).

v2/v3 list every installed package under ``packages``, keyed by its install path
(``node_modules/a/node_modules/@scope/b``); the root project is the ``""`` entry. v1 (and
v2 files read by old npm) nest ``dependencies`` by name. When ``packages`` is present it
is the one read: it is the complete and more precise of the two.

Semantics:
- the name is the entry's ``name`` when given (an alias ``"x": "npm:real@1"`` installs
  ``real`` under ``node_modules/x``), else the last path component after ``node_modules/``;
  in v1 an aliased version ``npm:real@1.0.0`` gives name and version;
- a git dependency keeps the version its package.json declares when the lockfile records
  one; without one it is reported unpinned with the git URL (credentials hidden);
- ``link: true`` entries, and local directories that are their targets or workspaces, are
  the project's own code and skipped; any other local directory or ``file:`` tarball is
  reported unpinned with its ``file:`` path;
- ``dev`` is true only for ``dev: true`` (``devOptional`` and ``optional`` ship);
- ``direct`` (v2/v3): the entry a dependency declared by the root or by a local package
  (a workspace) resolves to, looking where node looks (the declaring directory's
  ``node_modules``, then each enclosing one's); ``None`` when nothing is declared at all.
  v1 does not record the project's own dependencies, so ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from glasshouse.inventory._npm import (
    Collector,
    JsonKeyLines,
    as_dict,
    basename_matcher,
    gc_paused,
    is_concrete,
    load_json,
    optional_str,
    redact,
    split_spec,
)
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Package

_NM = "/node_modules/"
_DECLARING = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def parse(source: Source) -> list[Package]:
    with gc_paused():
        return _parse(source)


def _parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    document = load_json(text)
    if not isinstance(document, dict):
        raise ParseError("top level is not a JSON object")
    lines = JsonKeyLines(text)
    out = Collector(source.path)
    if document.get("packages") is not None:
        lines.find("packages")
        _read_packages(as_dict(document["packages"], '"packages"'), lines, out)
    else:
        _read_dependencies(as_dict(document.get("dependencies"), '"dependencies"'), lines, out)
    return out.packages()


def _read_packages(packages: dict[str, Any], lines: JsonKeyLines, out: Collector) -> None:
    entries = {path: as_dict(entry, f"packages entry {path!r}") for path, entry in packages.items()}
    root = entries.get("", {})
    workspaces = _workspace_patterns(root.get("workspaces"))
    link_targets = {
        _norm_dir(entry["resolved"])
        for entry in entries.values()
        if entry.get("link") is True and isinstance(entry.get("resolved"), str)
    }
    # Direct: what the root or a local package declares, found where node would look for
    # it from there (its own node_modules, then each enclosing directory's).
    direct_paths: set[str] = set()
    declares = False
    for path, entry in entries.items():
        if _NM in f"/{path}" or entry.get("link") is True:
            continue
        for field in _DECLARING:
            for name in as_dict(entry.get(field), f"{field} of {path or 'the root'}"):
                declares = True
                found = _resolve(entries, path, name)
                if found is not None:
                    direct_paths.add(found)

    for path, entry in entries.items():
        if path == "":
            continue
        line = lines.find(path)
        what = f"packages entry {path!r}"
        dev = entry.get("dev") is True
        slashed = f"/{path}"
        cut = slashed.rfind(_NM)
        if cut < 0:
            # A local directory: the project's own workspace, a link target, or a copy.
            norm = _norm_dir(path)
            if norm in link_targets or any(fnmatchcase(norm, p) for p in workspaces):
                continue
            name = optional_str(entry, "name", what) or norm.rsplit("/", 1)[-1]
            out.add(name, None, line, direct=None, dev=dev, requirement=f"file:{norm}")
            continue
        if entry.get("link") is True:
            continue
        name = optional_str(entry, "name", what) or slashed[cut + len(_NM) :]
        version, requirement = _version(entry, what)
        direct = (path in direct_paths) if declares else None
        out.add(name, version, line, direct=direct, dev=dev, requirement=requirement)


def _resolve(entries: dict[str, Any], owner: str, name: str) -> str | None:
    """The ``packages`` path of ``name`` as required from the directory ``owner``."""
    parts = owner.split("/") if owner else []
    for depth in range(len(parts), -1, -1):
        base = "/".join(parts[:depth])
        candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
        if candidate in entries:
            return candidate
    return None


def _version(entry: dict[str, Any], what: str) -> tuple[str | None, str | None]:
    version = optional_str(entry, "version", what)
    resolved = optional_str(entry, "resolved", what)
    if resolved is not None and resolved.startswith("file:"):
        return None, resolved
    if version is not None and is_concrete(version):
        return version, None
    said = version or resolved
    return None, redact(said) if said else None


def _read_dependencies(deps: dict[str, Any], lines: JsonKeyLines, out: Collector) -> None:
    # Depth first, in document order (what JsonKeyLines needs), without recursion.
    stack: list[Iterator[tuple[str, Any]]] = [iter(deps.items())]
    while stack:
        for key, raw in stack[-1]:
            what = f"dependency {key!r}"
            entry = as_dict(raw, what)
            line = lines.find(key)
            name, version, requirement = _v1_version(key, optional_str(entry, "version", what))
            out.add(
                name,
                version,
                line,
                direct=None,
                dev=entry.get("dev") is True,
                requirement=requirement,
            )
            nested = entry.get("dependencies")
            if nested:
                stack.append(iter(as_dict(nested, f"dependencies of {key!r}").items()))
                break
        else:
            stack.pop()


def _v1_version(name: str, version: str | None) -> tuple[str, str | None, str | None]:
    if version is None:
        return name, None, None
    if version.startswith("npm:"):
        real, real_version = split_spec(version[4:])
        if real_version:
            name, version = real, real_version
    if version.startswith("file:"):
        return name, None, version
    if is_concrete(version):
        return name, version, None
    return name, None, redact(version)


def _workspace_patterns(value: object) -> list[str]:
    if isinstance(value, dict):  # {"packages": [...], "nohoist": [...]} (yarn style)
        value = value.get("packages")
    if not isinstance(value, list):
        return []
    return [_norm_dir(p) for p in value if isinstance(p, str)]


def _norm_dir(path: str) -> str:
    path = path.removeprefix("file:")
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


EXTRACTOR = Extractor(
    name="packagelockjson",
    ecosystem="npm",
    matches=basename_matcher("package-lock.json", "npm-shrinkwrap.json"),
    parse=parse,
)
