"""Bundler's ``Gemfile.lock`` / ``gems.locked`` (Ruby, RubyGems).

The specs of the ``GEM``, ``GIT`` and ``PLUGIN SOURCE`` sections are the locked gems
(4-space ``name (version)`` lines; the 6-space lines under them are their requirements).
A platform suffix is split off the version as Bundler does, at the first ``-``
(``nokogiri (1.15.4-x86_64-linux)`` is 1.15.4). Gems of ``PATH`` sections are local
code (the project's own gemspec, or a vendored copy), not fetched from a registry, and
are not reported, as local crates of a Cargo workspace are not. The names listed under
``DEPENDENCIES`` are the direct ones; without that section, directness is unknown.
``PLATFORMS``, ``RUBY VERSION``, ``BUNDLED WITH``, ``CHECKSUMS`` and sections unknown to
this reader are skipped, as Bundler skips what it does not know.
"""

from __future__ import annotations

import re

from glasshouse.ecosystems import RUBYGEMS
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

_KNOWN_SECTIONS = frozenset(
    {"GEM", "GIT", "PATH", "PLUGIN SOURCE", "PLATFORMS", "DEPENDENCIES", "RUBY VERSION"}
    | {"BUNDLED WITH", "CHECKSUMS"}
)
_SPEC_SECTIONS = frozenset({"GEM", "GIT", "PLUGIN SOURCE"})
# Bundler's NAME_VERSION: a name without spaces or parens, an optional "(version)",
# and "!" on dependencies pinned to a git or path source.
_SPEC = re.compile(r"([^\s()!]+)(?: \(([^()]*)\))?(!)?")


def _matches(basename: str, path: str) -> bool:
    return basename in ("Gemfile.lock", "gems.locked")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    # (name, raw version or None, line) per spec, in file order.
    specs: list[tuple[str, str | None, int]] = []
    direct: set[str] | None = None
    section: str | None = None
    known_section = False
    in_specs = False
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if not line[0].isspace():
            section = line.strip()
            known_section = known_section or section in _KNOWN_SECTIONS
            in_specs = False
            if section == "DEPENDENCIES":
                direct = direct or set()
            continue
        if section in _SPEC_SECTIONS or section == "PATH":
            indent = _indent(line)
            if indent == 2:
                in_specs = line.strip() == "specs:"
            elif indent == 4 and in_specs:
                match = _SPEC.fullmatch(line[4:])
                if match is None:
                    raise ParseError(f"malformed spec at line {number}")
                if section != "PATH":
                    specs.append((match.group(1), match.group(2), number))
            # 6-space lines are a spec's own requirements: not packages.
        elif section == "DEPENDENCIES" and direct is not None and _indent(line) == 2:
            match = _SPEC.fullmatch(line[2:])
            if match is None:
                raise ParseError(f"malformed dependency at line {number}")
            direct.add(match.group(1))
    if not known_section and text.strip():
        raise ParseError("not a Gemfile.lock: no known section")
    packages: list[Package] = []
    seen: set[tuple[str, str | None]] = set()
    for name, raw_version, number in specs:
        version = raw_version.split("-", 1)[0].strip() if raw_version else None
        version = version or None
        if (name, version) in seen:
            continue
        seen.add((name, version))
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=RUBYGEMS,
                location=Location(source.path, number),
                direct=None if direct is None else name in direct,
                requirement=None if version is not None else (raw_version or "*"),
            )
        )
    return packages


EXTRACTOR = Extractor(name="gemfilelock", ecosystem=RUBYGEMS, matches=_matches, parse=parse)
