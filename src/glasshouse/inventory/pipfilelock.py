"""``Pipfile.lock``: Pipenv's lockfile (JSON).

Semantics:

- ``default`` holds production packages (``dev=False``), ``develop`` development ones
  (``dev=True``); other top-level objects except ``_meta`` are Pipenv's custom package
  categories (``dev`` unknown);
- a package locked with the same version in several categories is reported once, at
  its first line: production if any category is ``default``, else unknown if any is a
  custom category, else dev;
- an editable local path (``"editable": true`` with ``path``) is the project's own code,
  not a dependency, and is not reported (editable VCS entries are);
- ``version`` is ``"==X"`` (or ``"===X"``): ``X`` is the version. Without one (git,
  path or editable entries), or with a range, the version is unknown and
  ``requirement`` keeps the source (credentials in URLs redacted) or the range;
- ``direct`` is unknown: the lockfile does not separate direct from transitive.
- a blank file declares nothing; any other content must be a lockfile's JSON object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from glasshouse.inventory._redact import redact_userinfo
from glasshouse.inventory._toml import merge_dev
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

ECOSYSTEM = "PyPI"
_SECTIONS = {"default": False, "develop": True}
# ``"key": {`` in valid JSON: a string (the unrolled, possessive loop is linear and
# four times faster than an alternation), then a colon and a brace.
_OBJECT_KEY_RE = re.compile(r'"([^"\\\n]*+(?:\\.[^"\\\n]*+)*+)"[ \t\r\n]*+:[ \t\r\n]*+\{')


def _object_keys(doc: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """Keys whose value is an object, in document order, with their nesting depth
    (0 for the top level). Iterative: the depth is whatever the JSON parser accepted."""
    # Each level: an iterator over (key or None, value) pairs, and its depth.
    stack: list[tuple[Iterator[tuple[str | None, Any]], int]] = [(iter(doc.items()), 0)]
    while stack:
        items, depth = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            continue
        key, value = item
        if isinstance(value, dict):
            if key is not None:
                yield key, depth
            stack.append((iter(value.items()), depth + 1))
        elif isinstance(value, list):
            stack.append((((None, element) for element in value), depth + 1))


def _entry_lines(text: str, doc: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Line of each ``section -> package`` key, found by aligning the ``"key": {``
    occurrences of the text with the parsed document's object keys, in one pass.
    If they do not align (duplicate keys, say), no line is given rather than a wrong one.
    """
    found: dict[tuple[str, str], int] = {}
    matches = _OBJECT_KEY_RE.finditer(text)
    section = ""
    line = 1
    pos = 0
    for key, depth in _object_keys(doc):
        match = next(matches, None)
        if match is None or not _same_key(match[1], key):
            return {}
        line += text.count("\n", pos, match.start())
        pos = match.start()
        if depth == 0:
            section = key
        elif depth == 1:
            found[(section, key)] = line
    return found


def _same_key(raw: str, key: str) -> bool:
    """Whether the text of a JSON string (escapes and all) spells ``key``."""
    if raw == key:
        return True
    if "\\" not in raw:
        return False
    try:
        return bool(json.loads(f'"{raw}"') == key)
    except ValueError:
        return False


def _load(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise ParseError(f"invalid JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict):
        raise ParseError("not a Pipfile.lock: the top level is not a JSON object")
    return doc


def _version(entry: dict[str, Any], where: str) -> tuple[str | None, str | None]:
    """(version, requirement) of one entry."""
    spec = entry.get("version")
    if spec is not None and not isinstance(spec, str):
        raise ParseError(f"{where}: 'version' is not a string")
    if spec:
        spec = spec.strip()
        for operator in ("===", "=="):
            if spec.startswith(operator):
                pinned = spec[len(operator) :].strip()
                if pinned and "*" not in pinned and "," not in pinned:
                    return pinned, None
                break
        return None, spec
    for key in ("git", "hg", "svn", "bzr", "file", "path"):
        origin = entry.get(key)
        if isinstance(origin, str) and origin:
            ref = entry.get("ref")
            if key in ("git", "hg", "svn", "bzr"):
                origin = f"{key}+{origin}"
                if isinstance(ref, str) and ref:
                    origin = f"{origin}@{ref}"
            return None, redact_userinfo(origin)
    return None, "*"


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    if not text.strip():
        return []
    doc = _load(text)
    lines = _entry_lines(text, doc)
    packages: dict[tuple[str, str | None, str | None], Package] = {}
    for section, entries in doc.items():
        if section == "_meta":
            continue
        if not isinstance(entries, dict):
            if section in _SECTIONS:
                raise ParseError(f"'{section}' is not a JSON object")
            continue
        dev = _SECTIONS.get(section)
        for name, entry in entries.items():
            where = f"{section} -> {name}"
            if not isinstance(entry, dict):
                raise ParseError(f"{where}: not a JSON object")
            version, requirement = _version(entry, where)
            if entry.get("editable") is True and "path" in entry and version is None:
                continue
            key = (name, version, requirement)
            known = packages.get(key)
            if known is not None:
                packages[key] = replace(known, dev=merge_dev(known.dev, dev))
                continue
            packages[key] = Package(
                name=name,
                version=version,
                ecosystem=ECOSYSTEM,
                location=Location(path=source.path, line=lines.get((section, name))),
                dev=dev,
                requirement=requirement,
            )
    return list(packages.values())


def matches(name: str, path: str) -> bool:
    return name == "Pipfile.lock"


EXTRACTOR = Extractor(name="pipfilelock", ecosystem=ECOSYSTEM, matches=matches, parse=parse)
