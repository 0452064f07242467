"""SARIF artifact URIs to paths relative to the scan root, with POSIX separators.

What producers write, and what becomes of it:

- ``src/app.py`` (Bandit, Semgrep) or ``src/my%20app.py``: relative to the root,
  percent-decoded. Semgrep adds ``uriBaseId: %SRCROOT%`` without defining it in
  ``originalUriBaseIds``; an undefined base id means the root.
- ``uriBaseId`` defined in ``run.originalUriBaseIds`` (CodeQL writes
  ``%SRCROOT%: file:///home/runner/work/repo/repo/``), bases chained through their own
  ``uriBaseId``: joined, then made relative to the root. When the base lies outside the
  root (the SARIF came from a CI checkout elsewhere), the relative part is kept, relative
  to the root: the producer's source root is taken to be this root, so paths and
  fingerprints agree across machines.
- ``file:///abs/path`` (Bandit given an absolute target), ``file://localhost/abs``, or a
  bare absolute path (Semgrep given an absolute target): relative to the root when inside
  it, else kept absolute.
- Anything else (``file:///C:/x``, ``file://server/share``, ``https://...``, a path that
  climbs out of the root with ``..``) stays as given: never an error, never a crash.

Backslashes become slashes (Windows producers write them though URIs may not hold them).
Nothing here touches the file system; answers are cached per (uri, base id).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from glasshouse.sarif_import.text import clean

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^/?[A-Za-z]:[/\\]")
_MAX_BASE_CHAIN = 16


def _file_uri_path(uri: str) -> str | None:
    """The local absolute POSIX path of a ``file:`` URI, or ``None`` if it names none."""
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path.replace("\\", "/"))
    if _DRIVE.match(path):
        return None
    return path if path.startswith("/") else None


class PathResolver:
    """Resolves artifact locations of one run against the scan root."""

    def __init__(self, root: Path, bases: dict[str, tuple[str | None, str | None]]) -> None:
        """``bases``: ``originalUriBaseIds`` as ``name -> (uri, uriBaseId)``, unchecked."""
        self._roots = _root_forms(root)
        self._root = self._roots[0]
        self._raw_bases = bases
        self._bases: dict[str, str | None] = {}
        self._cache: dict[tuple[str, str | None], str] = {}

    def resolve(self, uri: str, base_id: str | None) -> str:
        key = (uri, base_id)
        found = self._cache.get(key)
        if found is None:
            found = clean(self._resolve(uri, base_id))
            self._cache[key] = found
        return found

    def relative(self, absolute: str) -> str | None:
        """``absolute`` (normalized) relative to the root, or ``None`` if outside."""
        for root in self._roots:
            if absolute == root:
                return "."
            prefix = root if root.endswith("/") else root + "/"
            if absolute.startswith(prefix):
                return absolute[len(prefix) :]
        return None

    def _resolve(self, uri: str, base_id: str | None) -> str:
        if _DRIVE.match(uri):
            return uri.replace("\\", "/")
        if _SCHEME.match(uri):
            if uri[:5].lower() != "file:":
                return uri
            local = _file_uri_path(uri)
            if local is None:
                return uri
            return self._from_absolute(local)
        path = unquote(uri.replace("\\", "/"))
        if path.startswith("/"):
            return self._from_absolute(path)
        base = self._base(base_id, 0) if base_id is not None else None
        if base is not None:
            joined = posixpath.normpath(posixpath.join(base, path))
            inside = self.relative(joined)
            if inside is not None:
                return inside
            own = posixpath.normpath(path)
            if own != ".." and not own.startswith("../"):
                return own  # the producer's base is elsewhere: take it to be this root
            return joined
        return self._from_absolute(posixpath.join(self._root, path))

    def _from_absolute(self, path: str) -> str:
        normal = posixpath.normpath(path)
        if normal.startswith("//"):  # POSIX keeps a leading '//'; nothing here means it
            normal = "/" + normal.lstrip("/")
        inside = self.relative(normal)
        return normal if inside is None else inside

    def _base(self, name: str, depth: int) -> str | None:
        """The absolute directory a base id stands for; ``None`` when unknown."""
        if name in self._bases:
            return self._bases[name]
        self._bases[name] = None  # a cycle resolves to unknown
        entry = self._raw_bases.get(name)
        result: str | None = None
        if entry is not None and depth < _MAX_BASE_CHAIN:
            uri, parent = entry
            if uri is None or uri == "":
                result = self._base(parent, depth + 1) if parent else None
            elif _DRIVE.match(uri):
                result = None
            elif _SCHEME.match(uri):
                result = _file_uri_path(uri) if uri[:5].lower() == "file:" else None
            else:
                path = unquote(uri.replace("\\", "/"))
                if path.startswith("/"):
                    result = path
                else:
                    above = self._base(parent, depth + 1) if parent else None
                    result = posixpath.join(above or self._root, path)
            if result is not None:
                result = posixpath.normpath(result)
        self._bases[name] = result
        return result


def _root_forms(root: Path) -> tuple[str, ...]:
    """The root as written (made absolute) and with symbolic links resolved."""
    plain = posixpath.normpath(root.absolute().as_posix())
    try:
        real = posixpath.normpath(root.resolve().as_posix())
    except (OSError, RuntimeError, ValueError):  # a symbolic link loop, say
        real = plain
    return (plain,) if real == plain else (plain, real)
