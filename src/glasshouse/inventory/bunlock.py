"""bun.lock: bun's text lockfile (JSON with trailing commas and comments).

``packages`` maps an install path (``chalk``, ``chalk/supports-color``,
``@scope/a/@scope/b``) to an array whose first element is ``"name@reference"``::

    "supports-color-old": ["supports-color@6.1.0", "", { "dependencies": {...} }, "sha512-..."],
    "is-number": ["is-number@github:jonschlinkert/is-number#98e8ff1", { ... }, "..."],

The reference is a version for registry packages (the name in the array is the real one,
so aliases resolve by themselves); ``workspace:`` and ``link:`` ones are the project's own
directories (skipped); ``file:``, git and tarball references are reported unpinned with
the reference as the requirement (bun records no version for them).

``direct``: the package sits at the top of the tree (or under a workspace) and a workspace
declares it. ``dev``: derived by walking the tree from the workspaces' production and dev
dependencies, resolving each dependency as bun and node do (nearest enclosing path first).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from glasshouse.inventory._npm import (
    Collector,
    JsonKeyLines,
    as_dict,
    basename_matcher,
    dev_flags,
    gc_paused,
    is_concrete,
    load_jsonc,
    redact,
    split_spec,
)
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Package

_PROD_GROUPS = ("dependencies", "optionalDependencies", "peerDependencies")
_DEV_GROUPS = ("devDependencies",)
_SKIPPED_PROTOCOLS = ("workspace:", "link:")


def parse(source: Source) -> list[Package]:
    with gc_paused():
        return _parse(source)


def _parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    document = load_jsonc(text)
    if not isinstance(document, dict):
        raise ParseError("top level is not a JSON object")
    workspaces = {
        str(path): as_dict(ws, f"workspace {path!r}")
        for path, ws in as_dict(document.get("workspaces"), '"workspaces"').items()
    }
    packages: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, value in as_dict(document.get("packages"), '"packages"').items():
        if not isinstance(value, list) or not value or not isinstance(value[0], str):
            raise ParseError(f'packages entry {key!r} is not a ["name@version", ...] array')
        meta = next((item for item in value[1:3] if isinstance(item, dict)), {})
        packages[key] = (value[0], meta)

    prod_roots: list[str] = []
    dev_roots: list[str] = []
    for path, workspace in workspaces.items():
        prefix = "" if path == "" else _workspace_prefix(workspace)
        for group in (*_PROD_GROUPS, *_DEV_GROUPS):
            for dep in as_dict(workspace.get(group), f"{group} of workspace {path!r}"):
                root = _resolve(packages, prefix, dep)
                if root is not None:
                    (dev_roots if group in _DEV_GROUPS else prod_roots).append(root)

    def children(key: str) -> Iterator[str]:
        meta = packages[key][1]
        for group in _PROD_GROUPS:
            for dep in as_dict(meta.get(group), f"{group} of {key!r}"):
                child = _resolve(packages, key, dep)
                if child is not None:
                    yield child

    dev = dev_flags(prod_roots, dev_roots, children)
    direct = {*prod_roots, *dev_roots}
    lines = JsonKeyLines(text)
    lines.find("packages")
    out = Collector(source.path)
    for key, (ident, _) in packages.items():
        line = lines.find(key)
        name, reference = split_spec(ident)
        if reference.startswith("npm:"):  # not written by bun today, but unambiguous
            real, real_version = split_spec(reference[4:])
            if real_version:
                name, reference = real, real_version
        if reference.startswith(_SKIPPED_PROTOCOLS):
            continue
        version = reference if is_concrete(reference) else None
        requirement = None if version else (redact(reference) or None)
        out.add(
            name,
            version,
            line,
            direct=(key in direct) if workspaces else None,
            dev=dev.get(key),
            requirement=requirement,
        )
    return out.packages()


def _workspace_prefix(workspace: dict[str, Any]) -> str:
    name = workspace.get("name")
    return name if isinstance(name, str) else ""


def _resolve(packages: dict[str, Any], parent: str, dep: str) -> str | None:
    """The install path ``dep`` resolves to from ``parent``: ``parent/dep``, then the same
    from each enclosing path, then the top level."""
    segments = _segments(parent)
    for depth in range(len(segments), -1, -1):
        candidate = "/".join([*segments[:depth], dep])
        if candidate in packages:
            return candidate
    return None


def _segments(path: str) -> list[str]:
    """``a/@s/b/c`` is ``["a", "@s/b", "c"]``: package names, scopes kept whole."""
    if not path:
        return []
    parts = path.split("/")
    out: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.startswith("@") and index + 1 < len(parts):
            out.append(f"{part}/{parts[index + 1]}")
            index += 2
        else:
            out.append(part)
            index += 1
    return out


EXTRACTOR = Extractor(
    name="bunlock",
    ecosystem="npm",
    matches=basename_matcher("bun.lock"),
    parse=parse,
)
