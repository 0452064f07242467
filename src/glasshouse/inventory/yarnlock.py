"""yarn.lock: classic v1 (yarn's own text format) and Berry v2+ (YAML with ``__metadata``).

v1 entries::

    "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.12.13":
      version "7.12.13"
      resolved "https://registry.yarnpkg.com/..."

are read by hand, line by line. Berry files are YAML (loaded with the safe loader) whose
entries carry ``resolution: "name@npm:1.2.3"``; the protocol of the resolution decides:
``npm:`` is a registry package, ``patch:`` wraps another resolution (unwrapped),
``workspace:``, ``link:`` and ``portal:`` are the project's own directories (skipped),
``file:`` is a local copy (reported unpinned), anything else (git, tarball URLs) keeps
the ``version`` the lockfile records, or is reported unpinned with the URL.

An aliased specifier ``alias@npm:real@^1`` reports the real package name. ``dev`` is never
said by either format. ``direct`` is unknown in v1 (the lockfile does not record the
project's own dependencies); in Berry it comes from the workspace entries' dependencies.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from glasshouse.inventory._npm import (
    Collector,
    as_dict,
    basename_matcher,
    gc_paused,
    is_concrete,
    load_yaml,
    redact,
    split_spec,
)
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Package

_BERRY = re.compile(r"^__metadata:", re.MULTILINE)
_SKIPPED_PROTOCOLS = ("workspace:", "link:", "portal:")
_PLACEHOLDER = "0.0.0-use.local"  # Berry's version of a package it did not fetch


def parse(source: Source) -> list[Package]:
    with gc_paused():
        return _parse(source)


def _parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    if _BERRY.search(text):
        return _parse_berry(text, source.path)
    return _parse_v1(text, source.path)


# ------------------------------------------------------------------------------ v1

# One specifier of an entry header: a JSON-quoted string or a bare word, then a comma.
_V1_SPEC = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^\s",]+)\s*(,|$)')
# A field line: key (bare or quoted), an optional colon, then an optional value.
_V1_FIELD = re.compile(r'("(?:[^"\\]|\\.)*"|[^\s":]+):?(?:\s+(.*))?')


def _parse_v1(text: str, path: str) -> list[Package]:
    out = Collector(path)
    specs: list[str] | None = None
    header_line = 0
    field_indent = 0
    fields: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        content = raw.lstrip(" \t")
        if not content or content.startswith("#"):
            continue
        indent = len(raw) - len(content)
        content = content.rstrip()
        if indent == 0:
            if specs is not None:
                _v1_entry(specs, fields, header_line, out)
            if not content.endswith(":"):
                raise ParseError(f"line {number}: expected an entry header ending with ':'")
            specs = _v1_specs(content[:-1], number)
            header_line = number
            field_indent = 0
            fields = {}
            continue
        if specs is None:
            raise ParseError(f"line {number}: indented line before the first entry")
        if field_indent == 0:
            field_indent = indent
        if indent != field_indent:
            continue  # a line of a nested block (dependencies, optionalDependencies...)
        match = _V1_FIELD.fullmatch(content)
        if match is None:
            raise ParseError(f"line {number}: cannot read field {content[:40]!r}")
        key = _v1_unquote(match.group(1), number)
        if match.group(2) is not None and key in ("version", "resolved"):
            fields[key] = _v1_unquote(match.group(2).strip(), number)
    if specs is not None:
        _v1_entry(specs, fields, header_line, out)
    return out.packages()


def _v1_specs(header: str, number: int) -> list[str]:
    specs: list[str] = []
    pos = 0
    while pos < len(header):
        match = _V1_SPEC.match(header, pos)
        if match is None or match.end() == pos:
            raise ParseError(f"line {number}: cannot read entry header")
        specs.append(_v1_unquote(match.group(1), number))
        pos = match.end()
        if not match.group(2):
            break
    if pos < len(header) or not specs:
        raise ParseError(f"line {number}: cannot read entry header")
    return specs


def _v1_unquote(token: str, number: int) -> str:
    if not token.startswith('"'):
        return token
    if "\\" not in token and len(token) >= 2 and token.endswith('"') and '"' not in token[1:-1]:
        return token[1:-1]
    try:
        value = json.loads(token)
    except ValueError:
        raise ParseError(f"line {number}: malformed quoted string") from None
    if not isinstance(value, str):
        raise ParseError(f"line {number}: malformed quoted string")
    return value


def _v1_entry(specs: list[str], fields: dict[str, str], line: int, out: Collector) -> None:
    name, _ = split_spec(specs[0])
    ranges = [split_spec(spec)[1] for spec in specs]
    if any(r.startswith(_SKIPPED_PROTOCOLS) for r in ranges):
        return
    first_range = ranges[0]
    if first_range.startswith("npm:"):
        real, real_range = split_spec(first_range[4:])
        if real_range:
            name = real
    local = next((r for r in ranges if r.startswith("file:")), None)
    if local is not None:
        out.add(name, None, line, requirement=local)
        return
    version = fields.get("version")
    if version is not None and is_concrete(version):
        out.add(name, version, line)
        return
    said = version or fields.get("resolved") or first_range or None
    out.add(name, None, line, requirement=redact(said) if said else None)


# ---------------------------------------------------------------------------- Berry


def _parse_berry(text: str, path: str) -> list[Package]:
    document, lines = load_yaml(text)
    entries = as_dict(document, "top level")
    out = Collector(path)

    checked: dict[str, dict[str, Any]] = {}
    direct_descriptors: set[str] = set()
    has_workspace = False
    for key, raw in entries.items():
        if key == "__metadata":
            continue
        entry = as_dict(raw, f"entry {str(key)[:60]!r}")
        checked[str(key)] = entry
        resolution = entry.get("resolution")
        if isinstance(resolution, str) and split_spec(resolution)[1].startswith("workspace:"):
            has_workspace = True
            deps = as_dict(entry.get("dependencies"), f"dependencies of {resolution!r}")
            for dep, wanted in deps.items():
                direct_descriptors.add(_descriptor(str(dep), str(wanted)))

    for key, entry in checked.items():
        resolution = entry.get("resolution")
        if resolution is None:  # not written by yarn; fall back on the first descriptor
            resolution = key.split(",", 1)[0].strip()
        if not isinstance(resolution, str):
            raise ParseError(f"entry {key[:60]!r}: resolution is not a string")
        resolved = _berry_resolve(resolution, entry.get("version"))
        if resolved is None:
            continue
        name, version, requirement = resolved
        direct = None
        if has_workspace:  # a key's file:/link: descriptors carry a ``::locator=`` suffix
            direct = any(d.strip().split("::", 1)[0] in direct_descriptors for d in key.split(","))
        out.add(name, version, lines.get(key), direct=direct, requirement=requirement)
    return out.packages()


_PROTOCOL = re.compile(r"[a-z][a-z0-9+.-]*:")


def _descriptor(name: str, wanted: str) -> str:
    """The lockfile key a workspace dependency resolves through (npm: is implicit)."""
    if _PROTOCOL.match(wanted):
        return f"{name}@{wanted}"
    return f"{name}@npm:{wanted}"


def _berry_resolve(resolution: str, recorded: object) -> tuple[str, str | None, str | None] | None:
    name, reference = split_spec(resolution)
    for _ in range(8):  # patch: may wrap a patch:, but not forever
        if not reference.startswith("patch:"):
            break
        inner = unquote(reference[len("patch:") :].split("#", 1)[0])
        name, reference = split_spec(inner)
    if reference.startswith(_SKIPPED_PROTOCOLS):
        return None
    if reference.startswith("npm:"):
        version = reference[len("npm:") :].split("::", 1)[0]
        if is_concrete(version):
            return name, version, None
        return name, None, reference
    if reference.startswith("file:"):
        return name, None, reference.split("#", 1)[0].split("::", 1)[0]
    if isinstance(recorded, str) and is_concrete(recorded) and recorded != _PLACEHOLDER:
        return name, recorded, None
    return name, None, redact(reference) or None


EXTRACTOR = Extractor(
    name="yarnlock",
    ecosystem="npm",
    matches=basename_matcher("yarn.lock"),
    parse=parse,
)
