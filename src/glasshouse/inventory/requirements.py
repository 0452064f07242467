"""pip requirements files (``requirements.txt`` and friends).

The syntax is pip's: logical lines joined across a trailing ``\\``; comments start with
``#`` at the start of a line or after whitespace (so URL fragments stay); ``${VAR}``
references stay unexpanded (the installing environment is not known here); a line
starting with ``-`` holds options; any other line is one requirement, possibly followed
by per-requirement options (``--hash``, ``--config-settings``/``-C``...), which are
ignored.

Semantics:

- every requirement is reported, ``direct=True``; ``dev`` is unknown. ``name==X`` and
  ``name===X`` pin ``X`` (extras and markers do not matter: markers are not
  evaluated). Anything else keeps ``version=None`` and ``requirement``: the specifier
  (``>=1.0``, ``==1.*``), ``*`` for a bare name, or the URL or path (credentials
  redacted). A wheel or sdist file name (``pkg-1.2.3-py3-none-any.whl``) pins its
  version. A URL or path names its package by ``#egg=``; without one, the name is the
  URL or path itself;
- ``-e``/``--editable`` with a VCS or remote URL is reported like any URL; an editable
  local path (``-e .``) is the project's own code and is not reported;
- ``-r``/``--requirement`` files are read through ``Source.read_relative`` and their
  packages reported with their own path and line. ``-c``/``--constraint`` files only
  pin: a constraint never adds a package, but an exact pin there gives its version to
  an unpinned named requirement of the same package. Each file is read at most once
  (cycles and diamonds end there), nesting is limited;
- ``ParseError`` (fail closed, one line, naming the line and the include chain): an
  invalid requirement, an unknown option, an editable that is not a path or URL, and
  an include that cannot be read (missing, remote, outside the tree, or no
  ``read_relative``). A blank or comment-only file is empty, not an error.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import VERSION_PATTERN

from glasshouse.inventory._redact import redact_userinfo
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

ECOSYSTEM = "PyPI"
MAX_INCLUDE_DEPTH = 16

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# The common case, ``name==1.2.3`` with optional extras, without packaging's parser.
# Only strings that packaging would parse the same way take this path.
_FAST_PIN_RE = re.compile(
    rf"""
    (?P<name>{_NAME})[ \t]*
    (?:\[[ \t]*{_NAME}(?:[ \t]*,[ \t]*{_NAME})*[ \t]*\][ \t]*)?
    ===?[ \t]*(?P<version>{VERSION_PATTERN})[ \t]*
    """,
    re.VERBOSE | re.IGNORECASE,
)
_NAME_RE = re.compile(_NAME)
_WORD_END_RE = re.compile(r"[\s;]")
# A comment starts with ``#`` at the start of a line or after whitespace (a lookbehind,
# not ``\s+#``, which would backtrack quadratically over long runs of spaces).
_COMMENT_RE = re.compile(r"(?<!\S)#")
_OPTIONS_START_RE = re.compile(r"\s-")
_ENV_VAR_RE = re.compile(r"\$\{[A-Z0-9_]+\}")
_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|file:")
_WINDOWS_PATH_RE = re.compile(r"[A-Za-z]:[\\/]")
_EGG_RE = re.compile(r"[#&]egg=([^&#\s]+)")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".tar")
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")

# pip's requirements-file options: those that take a value, and flags.
_LONG_VALUE = frozenset(
    {
        "--requirement",
        "--constraint",
        "--editable",
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "--no-binary",
        "--only-binary",
        "--trusted-host",
        "--use-feature",
        "--hash",
        "--global-option",
        "--install-option",
        "--config-settings",
        "--allow-external",
        "--allow-unverified",
    }
)
_LONG_FLAG = frozenset(
    {
        "--no-index",
        "--prefer-binary",
        "--require-hashes",
        "--pre",
        "--always-unzip",
        "--allow-all-external",
        "--process-dependency-links",
    }
)
_SHORT_VALUE = {
    "-r": "--requirement",
    "-c": "--constraint",
    "-e": "--editable",
    "-i": "--index-url",
    "-f": "--find-links",
    "-C": "--config-settings",
}
_SHORT_FLAG = {"-Z": "--always-unzip"}


@dataclass
class _Run:
    """State of one parse: the top file, files already read, and what they gave."""

    source: Source
    visited: set[str]
    packages: list[Package] = field(default_factory=list)
    # Index in ``packages`` of each unpinned named requirement, by canonical name.
    unpinned: dict[str, list[int]] = field(default_factory=dict)
    pins: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _File:
    """One file of the include tree: its name relative to the top file's directory
    (for ``read_relative``) and its path relative to the scan root (for locations)."""

    relative: str
    path: str
    constraint: bool
    depth: int


def _clip(text: str) -> str:
    text = redact_userinfo(text)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's logical lines: a trailing backslash joins the next line (a comment line
    ends the continuation), numbered by their first physical line."""
    parts: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.endswith("\\") and not line.lstrip().startswith("#"):
            if not parts:
                first = number
            parts.append(line[:-1])
            continue
        if parts:
            parts.append(" " + line if line.lstrip().startswith("#") else line)
            yield first, "".join(parts)
            parts = []
        else:
            yield number, line
    if parts:
        yield first, "".join(parts)


def _options(line: str, number: int) -> Iterator[tuple[str, str]]:
    """The ``(--long-name, value)`` pairs of an options line (value ``""`` for flags)."""
    try:
        tokens = shlex.split(line, comments=False, posix=True)
    except ValueError as exc:
        raise ParseError(f"line {number}: cannot split options: {exc}") from None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        value: str | None = None
        if token.startswith("--"):
            option, equals, attached = token.partition("=")
            if equals:
                value = attached
            if option not in _LONG_VALUE and option not in _LONG_FLAG:
                candidates = [o for o in (*_LONG_VALUE, *_LONG_FLAG) if o.startswith(option)]
                if len(candidates) != 1:
                    raise ParseError(f"line {number}: unknown option {_clip(option)}")
                option = candidates[0]
        elif token.startswith("-") and len(token) > 1:
            short, attached = token[:2], token[2:]
            if short in _SHORT_VALUE:
                option = _SHORT_VALUE[short]
                value = attached or None
            elif short in _SHORT_FLAG and not attached:
                option = _SHORT_FLAG[short]
            else:
                raise ParseError(f"line {number}: unknown option {_clip(token)}")
        else:
            continue  # a stray word after the options: pip ignores it too
        if option in _LONG_FLAG:
            yield option, ""
            continue
        if value is None:
            if index >= len(tokens):
                raise ParseError(f"line {number}: option {option} needs a value")
            value = tokens[index]
            index += 1
        yield option, value


def _looks_like_url_or_path(text: str) -> bool:
    """pip's test, without looking at the disk: a URL, or a first word that is a path
    or an archive file name; ``name @ url`` is a PEP 508 requirement instead."""
    if "@" in text and _NAME_RE.fullmatch(text.split("@", 1)[0].split("[", 1)[0].strip()):
        return False
    if _URL_RE.match(text) is not None or _WINDOWS_PATH_RE.match(text) is not None:
        return True
    word = _WORD_END_RE.split(text, 1)[0]
    return (
        word.startswith((".", "~"))
        or "/" in word
        or "\\" in word
        or word.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _without_extras(text: str) -> str:
    """``text`` without a trailing ``[extra,...]``."""
    start = text.rfind("[")
    if start >= 0 and text.endswith("]") and "]" not in text[start:-1]:
        return text[:start].rstrip()
    return text


def _from_filename(url: str) -> tuple[str, str] | None:
    """(name, version) as written in a wheel or sdist file name at the end of ``url``."""
    filename = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    filename = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    try:
        if filename.endswith(".whl"):
            parse_wheel_filename(filename)
            name, version = filename.split("-")[:2]
            return name, version
        if filename.endswith((".tar.gz", ".zip")):
            parse_sdist_filename(filename)
            stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
            name, _, version = stem.rpartition("-")
            return name, version
    except ValueError:  # packaging's Invalid*Filename errors are ValueErrors
        return None
    return None


class _Parser:
    def __init__(self, run: _Run, file: _File) -> None:
        self.run = run
        self.file = file

    def add(
        self,
        number: int,
        name: str,
        version: str | None,
        requirement: str | None,
        named: bool,
    ) -> None:
        run = self.run
        if self.file.constraint:
            if version is not None and named:
                run.pins.setdefault(canonicalize_name(name), version)
            return
        if version is None and named:
            run.unpinned.setdefault(canonicalize_name(name), []).append(len(run.packages))
        run.packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=ECOSYSTEM,
                location=Location(path=self.file.path, line=number),
                direct=True,
                requirement=None if version is not None else requirement,
            )
        )

    def parse_text(self, text: str) -> None:
        for number, raw in _logical_lines(text):
            line = raw.strip()
            if not line or line[0] == "#":
                continue
            if "#" in line:
                comment = _COMMENT_RE.search(line)
                if comment is not None:
                    line = line[: comment.start()].rstrip()
            if line.startswith("-"):
                for option, value in _options(line, number):
                    self.option(number, option, value)
                continue
            split = _OPTIONS_START_RE.search(line)
            self.requirement(number, line[: split.start()].rstrip() if split else line)

    def option(self, number: int, option: str, value: str) -> None:
        if option in ("--requirement", "--constraint"):
            self.include(number, value, constraint=self.file.constraint or option == "--constraint")
        elif option == "--editable":
            if _URL_RE.match(value) and not value.startswith("file:"):
                self.url_or_path(number, value)
            elif not _looks_like_url_or_path(value):
                raise ParseError(
                    f"line {number}: editable {_clip(value)} is not a local path or a VCS URL"
                )

    def requirement(self, number: int, text: str) -> None:
        fast = _FAST_PIN_RE.fullmatch(text)
        if fast is not None:
            self.add(number, fast["name"], fast["version"], None, named=True)
            return
        if _looks_like_url_or_path(text):
            self.url_or_path(number, text)
            return
        has_vars = "${" in text
        try:
            # ``${VAR}`` stands for a value only the installing environment knows: check
            # the line's shape with a stand-in, and keep what was written.
            req = Requirement(_ENV_VAR_RE.sub("0", text) if has_vars else text)
        except ValueError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else "unparseable"
            raise ParseError(
                f"line {number}: invalid requirement {_clip(text)}: {reason}"
            ) from None
        if has_vars:
            if text.startswith(req.name):
                spec = text[len(req.name) :].strip()
                self.add(number, req.name, None, redact_userinfo(spec), named=req.url is None)
            else:  # the name itself comes from the environment
                self.add(number, redact_userinfo(text), None, redact_userinfo(text), named=False)
            return
        if req.url is not None:
            pinned = _from_filename(req.url)
            if pinned and canonicalize_name(pinned[0]) == canonicalize_name(req.name):
                self.add(number, req.name, pinned[1], None, named=True)
            else:
                self.add(number, req.name, None, redact_userinfo(req.url), named=False)
            return
        exact = {spec.version for spec in req.specifier if _is_exact(spec.operator, spec.version)}
        version = exact.pop() if len(exact) == 1 else None
        self.add(number, req.name, version, str(req.specifier) or "*", named=True)

    def url_or_path(self, number: int, text: str) -> None:
        if _URL_RE.match(text):
            location = text.split("; ", 1)[0].strip()
        else:
            location = text.split(";", 1)[0].strip()
        location = _without_extras(location)
        egg = _EGG_RE.search(location)
        pinned = _from_filename(location)
        if egg is not None:
            name = _without_extras(egg[1])
            if _NAME_RE.fullmatch(name):
                if pinned and canonicalize_name(pinned[0]) == canonicalize_name(name):
                    self.add(number, name, pinned[1], None, named=False)
                else:
                    self.add(number, name, None, redact_userinfo(location), named=False)
                return
        if pinned is not None and not location.startswith(_VCS_PREFIXES):
            self.add(number, pinned[0], pinned[1], None, named=False)
            return
        self.add(number, redact_userinfo(location), None, redact_userinfo(location), named=False)

    def include(self, number: int, name: str, constraint: bool) -> None:
        kind = "constraints file" if constraint else "requirements file"
        if _URL_RE.match(name):
            raise ParseError(f"line {number}: remote {kind} {_clip(name)} cannot be read")
        base = posixpath.dirname(self.file.relative)
        relative = posixpath.normpath(posixpath.join(base, name.replace("\\", "/")))
        if relative in self.run.visited:
            return
        if self.file.depth >= MAX_INCLUDE_DEPTH:
            raise ParseError(f"line {number}: includes nested deeper than {MAX_INCLUDE_DEPTH}")
        read = self.run.source.read_relative
        if read is None:
            raise ParseError(f"line {number}: {kind} {_clip(name)} cannot be read from here")
        self.run.visited.add(relative)
        try:
            text = decode_text(read(relative))
        except (ParseError, OSError) as exc:
            raise ParseError(f"line {number}: cannot read {kind} {_clip(name)}: {exc}") from None
        top_dir = posixpath.dirname(self.run.source.path)
        child = _File(
            relative=relative,
            path=posixpath.normpath(posixpath.join(top_dir, relative)),
            constraint=constraint,
            depth=self.file.depth + 1,
        )
        try:
            _Parser(self.run, child).parse_text(text)
        except ParseError as exc:
            raise ParseError(f"line {number}: in {kind} {_clip(name)}: {exc}") from None


def _allows(requirement: str | None, version: str) -> bool:
    """Whether a requirement's specifier admits a constraint's pin (if it can tell)."""
    if requirement is None or requirement == "*" or "${" in requirement:
        return True
    try:
        return SpecifierSet(requirement).contains(version, prereleases=True)
    except ValueError:
        return False


def _is_exact(operator: str, version: str) -> bool:
    return operator == "===" or (operator == "==" and not version.endswith("*"))


def parse(source: Source) -> list[Package]:
    text = decode_text(source.data)
    top = posixpath.basename(source.path) or "."
    run = _Run(source=source, visited={top})
    _Parser(run, _File(relative=top, path=source.path, constraint=False, depth=0)).parse_text(text)
    packages = run.packages
    for name, version in run.pins.items():
        for index in run.unpinned.get(name, ()):
            old = packages[index]
            if not _allows(old.requirement, version):
                continue
            packages[index] = Package(
                name=old.name,
                version=version,
                ecosystem=old.ecosystem,
                location=old.location,
                direct=old.direct,
            )
    return packages


def matches(name: str, path: str) -> bool:
    lower = name.lower()
    if not lower.endswith(".txt"):
        return False
    stem = lower[:-4]
    if stem == "requirements" or stem.startswith(
        ("requirements-", "requirements_", "requirements.")
    ):
        return True
    if stem.endswith(("-requirements", "_requirements")):
        return True
    parent = path.rsplit("/", 2)[-2:-1]
    return bool(parent) and parent[0].lower() == "requirements"


EXTRACTOR = Extractor(name="requirements", ecosystem=ECOSYSTEM, matches=matches, parse=parse)
