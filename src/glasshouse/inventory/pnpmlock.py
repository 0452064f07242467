"""pnpm-lock.yaml, lockfile versions 5.x, 6.x and 9.x (YAML, safe loader only).

Package keys by version::

    5.x   /name/1.2.3   /@scope/name/1.2.3_react@18.0.0   registry.example/name/1.2.3
    6.x   /name@1.2.3   /@scope/name@1.2.3(react@18.0.0)
    9.x   name@1.2.3    (``packages``; ``snapshots`` adds the peer suffixes)

Peer-dependency suffixes are stripped. Packages that do not come from a registry (git,
tarballs, local ``file:`` paths) carry ``name`` and ``version`` fields (5.x/6.x) or a URL
after the ``@`` (9.x): a git or tarball package keeps its recorded concrete version, a
``file:`` package is reported unpinned with its path, ``link:`` ones are the project's own
directories and never listed as packages. A key that cannot be read is reported
unpinned under the name it seems to have, with the key as the requirement.

``dev``: 5.x/6.x record ``dev: true`` (only dev), ``dev: false`` (only production) and
nothing for both; 9.x records nothing, so it is derived by walking ``snapshots`` from the
importers' production and dev dependencies. ``direct``: named by an importer (the root
project or a workspace package).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from glasshouse.inventory._npm import (
    Collector,
    as_dict,
    basename_matcher,
    dev_flags,
    gc_paused,
    is_concrete,
    load_yaml,
    redact,
    split_spec,
)
from glasshouse.inventory.base import Extractor, Source, decode_text
from glasshouse.model.package import Package

_PROD_GROUPS = ("dependencies", "optionalDependencies")
_DEV_GROUPS = ("devDependencies",)
_DEP_GROUPS = (*_PROD_GROUPS, *_DEV_GROUPS)
_MAJOR = re.compile(r"\s*(\d+)")


def parse(source: Source) -> list[Package]:
    with gc_paused():
        return _parse(source)


def _parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    document, lines = load_yaml(text, "packages")
    if document is None:
        return []
    lock = as_dict(document, "top level")
    packages = {
        str(key): as_dict(entry, f"packages entry {str(key)[:80]!r}")
        for key, entry in as_dict(lock.get("packages"), '"packages"').items()
    }
    major = _major(lock.get("lockfileVersion"))
    out = Collector(source.path)
    if major >= 9 or (major == 0 and "snapshots" in lock):
        _read_v9(lock, packages, lines, out)
    else:
        _read_v5_v6(lock, packages, lines, out, slash_form=major < 6)
    return out.packages()


def _major(version: object) -> int:
    if isinstance(version, bool):
        return 0
    if isinstance(version, int | float):
        return int(version)
    if isinstance(version, str):
        match = _MAJOR.match(version)
        if match:
            return int(match.group(1))
    return 0


# --------------------------------------------------------------------------- 5.x / 6.x


def _read_v5_v6(
    lock: dict[str, Any],
    packages: dict[str, dict[str, Any]],
    lines: dict[str, int],
    out: Collector,
    *,
    slash_form: bool,
) -> None:
    direct_keys: set[str] = set()
    any_importer = False
    for importer in _importers(lock):
        for group in _DEP_GROUPS:
            for dep_name, resolved in _group(importer, group):
                any_importer = True
                if resolved.startswith("link:"):
                    continue
                direct_keys.add(_v5_v6_key(dep_name, resolved, slash_form=slash_form))
    tracks_dev = any("dev" in entry for entry in packages.values())
    for key, entry in packages.items():
        read = _read_key(key, entry, slash_form=slash_form)
        if read is None:
            continue
        name, version, requirement = read
        flag = entry.get("dev")
        dev = flag if isinstance(flag, bool) else (False if tracks_dev else None)
        direct = (key in direct_keys) if any_importer else None
        out.add(name, version, lines.get(key), direct=direct, dev=dev, requirement=requirement)


def _v5_v6_key(name: str, version: str, *, slash_form: bool) -> str:
    """The ``packages`` key an importer's resolved version points at."""
    base = _strip_peers(version)
    if version.startswith("/") or "/" in base or ":" in base:
        return version  # an alias (/real/1.0.0), a git or tarball path
    return f"/{name}/{version}" if slash_form else f"/{name}@{version}"


def _importers(lock: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The root project (top-level groups, 5.x/6.x) and every workspace importer."""
    yield lock
    for path, importer in as_dict(lock.get("importers"), '"importers"').items():
        yield as_dict(importer, f"importer {str(path)!r}")


def _group(importer: dict[str, Any], group: str) -> Iterator[tuple[str, str]]:
    """(name, resolved version) of one dependency group: 5.x maps to a string, 6.x+ to
    ``{specifier, version}``."""
    for name, value in as_dict(importer.get(group), f'"{group}"').items():
        version = value.get("version") if isinstance(value, dict) else value
        if isinstance(version, str):
            yield str(name), version
        elif version is not None and not isinstance(value, dict):
            yield str(name), str(version)  # a YAML number such as 1.0 from a hand-written file


# -------------------------------------------------------------------------------- 9.x


def _read_v9(
    lock: dict[str, Any],
    packages: dict[str, dict[str, Any]],
    lines: dict[str, int],
    out: Collector,
) -> None:
    snapshots = {
        str(key): as_dict(entry, f"snapshots entry {str(key)[:80]!r}")
        for key, entry in as_dict(lock.get("snapshots"), '"snapshots"').items()
    }
    known = snapshots or packages

    def target(name: str, version: str) -> str | None:
        if version.startswith("link:"):
            return None
        for candidate in (f"{name}@{version}", version):  # plain, or an alias real@1.0.0
            if candidate in known:
                return candidate
        return None

    prod_roots: list[str] = []
    dev_roots: list[str] = []
    any_importer = False
    for importer in _importers(lock):
        for group in _DEP_GROUPS:
            for dep_name, resolved in _group(importer, group):
                any_importer = True
                root = target(dep_name, resolved)
                if root is not None:
                    (dev_roots if group in _DEV_GROUPS else prod_roots).append(root)

    def children(key: str) -> Iterator[str]:
        snapshot = snapshots.get(key, {})
        for group in _PROD_GROUPS:
            for name, version in _group(snapshot, group):
                child = target(name, version)
                if child is not None:
                    yield child

    dev_by_package: dict[str, bool] = {}
    if snapshots:
        for key, dev in dev_flags(prod_roots, dev_roots, children).items():
            package_key = _strip_peers(key)
            dev_by_package[package_key] = dev_by_package.get(package_key, True) and dev
    direct_packages = {_strip_peers(key) for key in (*prod_roots, *dev_roots)}

    for key, entry in packages.items():
        read = _read_key(key, entry, slash_form=False)
        if read is None:
            continue
        name, version, requirement = read
        base = _strip_peers(key)
        out.add(
            name,
            version,
            lines.get(key),
            direct=(base in direct_packages) if any_importer else None,
            dev=dev_by_package.get(base),
            requirement=requirement,
        )


# ------------------------------------------------------------------------------- keys


def _strip_peers(key: str) -> str:
    """``name@1.0.0(react@18.0.0)(b@1)`` is ``name@1.0.0``."""
    cut = key.find("(")
    return key if cut < 0 else key[:cut]


def _read_key(
    key: str, entry: dict[str, Any], *, slash_form: bool
) -> tuple[str, str | None, str | None] | None:
    """(name, version, requirement) of a ``packages`` key, or None for the project's own."""
    recorded_name = entry.get("name")
    recorded = entry.get("version")
    if not isinstance(recorded_name, str):
        recorded_name = None
    if not isinstance(recorded, str):
        recorded = None
    if key.startswith(("link:", "workspace:")):
        return None
    if key.startswith("file:"):
        path = key if slash_form else _strip_peers(key)
        name = recorded_name or path.removeprefix("file:").rstrip("/").rsplit("/", 1)[-1]
        return name or path, None, path

    name, reference = _name_and_reference(key, slash_form=slash_form)
    if recorded_name is not None:
        name, reference = recorded_name, key
    if is_concrete(reference):
        return name, reference, None
    if reference.startswith("file:"):
        return name, None, reference
    if recorded is not None and is_concrete(recorded):
        return name, recorded, None
    return name, None, redact(reference or key)


def _name_and_reference(key: str, *, slash_form: bool) -> tuple[str, str]:
    """Split a registry-style key into name and version (or whatever stands there)."""
    rest = key[1:] if key.startswith("/") else key
    rest = _strip_peers(rest)
    segments = rest.split("/")
    first = segments[0]
    hosted = len(segments) > 1 and "." in first and not any(c in first for c in "@:")
    if hosted:  # registry.example.org/name/1.0.0, github.com/owner/repo/commit
        rest = rest.split("/", 1)[1]
    if not slash_form:
        name, reference = split_spec(rest)
        if reference and _is_name(name):
            return name, reference
    parts = rest.split("/")
    scoped = parts[0].startswith("@") and len(parts) > 1
    name = "/".join(parts[:2]) if scoped else parts[0]
    tail = parts[2:] if scoped else parts[1:]
    if len(tail) == 1:
        version = tail[0].split("_", 1)[0]  # 5.x peer suffix: 1.0.0_react@18.0.0
        if is_concrete(version) or not hosted:
            return name, version if is_concrete(version) else key
    if hosted:
        # Not name/version after the host: a git repository (owner/repo[/commit]).
        guess = segments[2] if len(segments) > 2 else segments[-1]
        return guess, key
    return name, key


def _is_name(name: str) -> bool:
    if name.startswith("@"):
        return name.count("/") == 1 and not name.endswith("/")
    return bool(name) and "/" not in name


EXTRACTOR = Extractor(
    name="pnpmlock",
    ecosystem="npm",
    matches=basename_matcher("pnpm-lock.yaml"),
    parse=parse,
)
