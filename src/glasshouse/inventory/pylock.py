"""``pylock.toml`` and ``pylock.<name>.toml``: the standard lockfile of PEP 751 (TOML).

Semantics:

- every ``[[packages]]`` entry is reported; ``version`` is optional in the format
  (VCS, directory and archive sources): without it the version is unknown and
  ``requirement`` says where the package comes from (credentials in URLs redacted);
- an editable ``directory`` source is the project's own code, not a dependency, and is
  not reported;
- ``direct`` and ``dev`` are unknown: the format records neither the roots nor the
  groups as data (only as markers, which are not evaluated here);
- a ``lock-version`` whose major version is not 1 is refused, as the PEP asks.
"""

from __future__ import annotations

import re
from typing import Any

from glasshouse.inventory._redact import redact_userinfo
from glasshouse.inventory._toml import (
    load_toml,
    name_lines,
    opt_str,
    opt_table,
    req_str,
    table_array,
    take_line,
)
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

ECOSYSTEM = "PyPI"
_NAMED_RE = re.compile(r"pylock\.[^.]+\.toml")


def _origin(table: dict[str, Any], where: str) -> str | None:
    """Where an unversioned package comes from, for ``requirement``."""
    vcs = opt_table(table, "vcs", where)
    if vcs is not None:
        url = opt_str(vcs, "url", f"{where} vcs") or opt_str(vcs, "path", f"{where} vcs")
        commit = opt_str(vcs, "commit-id", f"{where} vcs")
        kind = opt_str(vcs, "type", f"{where} vcs") or "vcs"
        text = f"{kind}+{url or ''}"
        return redact_userinfo(f"{text}@{commit}" if commit else text)
    for key in ("archive", "directory"):
        found = opt_table(table, key, where)
        if found is not None:
            location = opt_str(found, "url", f"{where} {key}") or opt_str(
                found, "path", f"{where} {key}"
            )
            return redact_userinfo(location or key)
    return None


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    doc = load_toml(text)
    lock_version = opt_str(doc, "lock-version", "lockfile")
    if lock_version is not None and lock_version.split(".")[0] != "1":
        raise ParseError(f"unsupported lock-version {lock_version!r} (1.x is understood)")
    lines = name_lines(text, "packages")
    packages: list[Package] = []
    for index, table in enumerate(table_array(doc, "packages"), 1):
        where = f"packages #{index}"
        name = req_str(table, "name", where)
        line = take_line(lines, name)
        directory = opt_table(table, "directory", where)
        if directory is not None and directory.get("editable") is True:
            continue
        version = opt_str(table, "version", where)
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=ECOSYSTEM,
                location=Location(path=source.path, line=line),
                requirement=None if version is not None else _origin(table, where),
            )
        )
    return packages


def matches(name: str, path: str) -> bool:
    return name == "pylock.toml" or _NAMED_RE.fullmatch(name) is not None


EXTRACTOR = Extractor(name="pylock", ecosystem=ECOSYSTEM, matches=matches, parse=parse)
