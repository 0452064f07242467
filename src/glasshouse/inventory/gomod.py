"""Go modules: ``go.mod`` (and ``go.sum`` beside it, for modules older than Go 1.17).

- ``require`` lines and blocks give the modules; ``// indirect`` marks indirect ones.
- ``replace`` applies as the go command applies it: a replacement naming a version
  (``old v1 =>``) beats one for every version (``old =>``); a replacement by another
  module version reports that module and version, at the ``replace`` line; a replacement
  by a directory (``=> ../fork``) means the code is not fetched from any registry, so the
  module is not reported (as local crates of a Cargo workspace are not).
- The standard library is reported as ``stdlib`` (OSV's name for it) at the version of the
  ``toolchain`` directive if there is one, else of the ``go`` directive, as a full
  release (``go 1.21`` is ``1.21.0``, ``go1.22rc1`` is ``1.22.0-rc.1``).
- Before Go 1.17 a ``go.mod`` lists only the modules the main module imports directly;
  the rest of the build list shows only in ``go.sum``. For such modules (``go`` below
  1.17, or no ``go`` directive, which the go command reads as 1.16) the modules of
  ``go.sum`` that ``go.mod`` does not name are reported as indirect: only those with a
  hash of their content (a ``/go.mod``-only line means the module's requirements were
  read, not that its code is built), at the highest version listed (the one minimal
  version selection picks). This may over-report a module used only by tests of a
  dependency, which for a security gate is the right side to err on. A ``go.sum`` that
  is missing or unreadable is ignored; from Go 1.17 on, ``go.mod`` is complete and
  ``go.sum`` is not read. These packages are located in ``go.mod`` (the file parsed),
  without a line.

Module versions keep their ``v`` prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glasshouse.ecosystems import GO
from glasshouse.inventory.base import Extractor, ParseError, Source, decode_text
from glasshouse.model.package import Location, Package

_VERBS = frozenset(
    {"module", "go", "toolchain", "godebug", "require", "exclude", "replace", "retract"}
    | {"tool", "ignore"}
)
# Digit runs are bounded: they are converted with int(), which refuses huge ones.
_GO_VERSION = re.compile(
    r"([0-9]{1,9})(?:\.([0-9]{1,9}))?(?:\.([0-9]{1,9}))?(?:(rc|beta)([0-9]{1,9}))?"
)
_TOOLCHAIN = re.compile(r"go([0-9.]+(?:(?:rc|beta)[0-9]+)?)(?:[-+].*)?")
_SEMVER = re.compile(
    r"v([0-9]{1,18})\.([0-9]{1,18})\.([0-9]{1,18})"
    r"(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?(?:/go\.mod)?"
)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+')


@dataclass(frozen=True, slots=True)
class _Require:
    path: str
    version: str
    indirect: bool
    line: int


@dataclass(frozen=True, slots=True)
class _Replace:
    new_path: str
    new_version: str | None  # None: a directory
    line: int


def _matches(basename: str, path: str) -> bool:
    return basename == "go.mod"


def _split(line: str) -> tuple[list[str], str | None]:
    """Tokens of a line, and its comment's text (without ``//``) if it has one."""
    if '"' not in line and "`" not in line:
        code, sep, comment = line.partition("//")
        return code.split(), (comment.strip() if sep else None)
    tokens: list[str] = []
    pos = 0
    while True:
        while pos < len(line) and line[pos].isspace():
            pos += 1
        if pos >= len(line):
            return tokens, None
        if line.startswith("//", pos):
            return tokens, line[pos + 2 :].strip()
        match = _TOKEN.match(line, pos)
        if match is None:
            raise ParseError("unterminated quoted string")
        tokens.append(_unquote(match.group()))
        pos = match.end()


def _unquote(token: str) -> str:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        body = token[1:-1]
        if "\\" in body:
            body = re.sub(r"\\(.)", r"\1", body)
        return body
    return token


def _is_indirect(comment: str | None) -> bool:
    return comment is not None and (comment == "indirect" or comment.startswith("indirect;"))


def _is_directory(path: str) -> bool:
    # modfile.IsDirectoryPath: rooted, or starting with ./ or ../ (either separator).
    return (
        path.startswith(("./", "../", ".\\", "..\\", "/", "\\"))
        or path in (".", "..")
        or (len(path) >= 3 and path[1] == ":" and path[0].isalpha() and path[2] in "/\\")
    )


def _release(text: str) -> str | None:
    """A Go release (``1.21``, ``1.21.3``, ``1.22rc1``) as a full semver without ``v``."""
    match = _GO_VERSION.fullmatch(text)
    if match is None:
        return None
    major, minor, patch, kind, number = match.groups()
    version = f"{major}.{minor or 0}.{patch or 0}"
    if kind is not None:
        version += f"-{kind}.{number}"
    return version


def _semver_key(version: str) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
    match = _SEMVER.fullmatch(version)
    if match is None:  # not reached for versions that passed the check; sort them first
        return (-1, 0, 0, 0, ())
    major, minor, patch, pre = match.groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    parts = tuple((0, int(p)) if p.isdigit() and len(p) < 19 else (1, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, parts)


class _GoMod:
    def __init__(self) -> None:
        self.go: tuple[str, int] | None = None
        self.toolchain: tuple[str, int] | None = None
        self.requires: list[_Require] = []
        self.replaces: dict[tuple[str, str | None], _Replace] = {}

    def directive(self, verb: str, args: list[str], comment: str | None, line: int) -> None:
        if verb == "go":
            if len(args) != 1 or _release(args[0]) is None:
                raise ParseError(f"invalid go directive at line {line}")
            self.go = (args[0], line)
        elif verb == "toolchain":
            if len(args) != 1:
                raise ParseError(f"invalid toolchain directive at line {line}")
            match = _TOOLCHAIN.fullmatch(args[0])
            if match is not None and _release(match.group(1)) is not None:
                self.toolchain = (match.group(1), line)  # "default" and the like name none
        elif verb == "require":
            if len(args) != 2 or not args[1].startswith("v"):
                raise ParseError(f"invalid require at line {line}: expected 'path version'")
            self.requires.append(_Require(args[0], args[1], _is_indirect(comment), line))
        elif verb == "replace":
            self._replace(args, line)
        # module, exclude, retract, godebug, tool and ignore name no dependency.

    def _replace(self, args: list[str], line: int) -> None:
        if "=>" not in args:
            raise ParseError(f"invalid replace at line {line}: missing '=>'")
        arrow = args.index("=>")
        old, new = args[:arrow], args[arrow + 1 :]
        if len(old) not in (1, 2) or len(new) not in (1, 2):
            raise ParseError(f"invalid replace at line {line}")
        if len(new) == 1 and not _is_directory(new[0]):
            raise ParseError(
                f"invalid replace at line {line}: a module replacement needs a version"
            )
        target = _Replace(new[0], new[1] if len(new) == 2 else None, line)
        self.replaces[(old[0], old[1] if len(old) == 2 else None)] = target


def _read(text: str) -> _GoMod:
    mod = _GoMod()
    block: str | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        tokens, comment = _split(raw)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            elif tokens[0] in ("(", ")"):
                raise ParseError(f"unexpected {tokens[0]!r} at line {number}")
            else:
                mod.directive(block, tokens, comment, number)
            continue
        verb = tokens[0]
        if verb not in _VERBS:
            raise ParseError(f"unknown directive {verb[:40]!r} at line {number}")
        if tokens[1:] == ["("]:
            block = verb
            continue
        mod.directive(verb, tokens[1:], comment, number)
    if block is not None:
        raise ParseError(f"unterminated {block} block at end of file")
    return mod


def _stdlib(mod: _GoMod, path: str) -> Package | None:
    chosen = mod.toolchain or mod.go
    if chosen is None:
        return None
    version = _release(chosen[0])
    if version is None:
        return None
    return Package(name="stdlib", version=version, ecosystem=GO, location=Location(path, chosen[1]))


def _go_sum_packages(source: Source, known: set[str], replaced: set[str]) -> list[Package]:
    if source.read_relative is None:
        return []
    try:
        text = decode_text(source.read_relative("go.sum"))
    except ParseError:
        return []  # missing, unreadable or not text: go.mod alone is what we have
    location = Location(source.path)  # declared in no line of go.mod
    best: dict[str, str] = {}
    for line in text.split("\n"):
        fields = line.split()
        if len(fields) != 3 or fields[1].endswith("/go.mod"):
            continue
        path, version = fields[0], fields[1]
        if path in known or path in replaced or _SEMVER.fullmatch(version) is None:
            continue
        current = best.get(path)
        if current is None or _semver_key(version) > _semver_key(current):
            best[path] = version
    return [
        Package(name=path, version=version, ecosystem=GO, location=location, direct=False)
        for path, version in best.items()
    ]


def _needs_go_sum(mod: _GoMod) -> bool:
    if mod.go is None:
        return True  # the go command reads a missing go directive as go 1.16
    match = _GO_VERSION.fullmatch(mod.go[0])
    if match is None:
        return False
    return (int(match.group(1)), int(match.group(2) or 0)) < (1, 17)


def parse(source: Source) -> list[Package]:
    mod = _read(decode_text(source.data))
    packages: list[Package] = []
    seen: set[tuple[str, str]] = set()
    stdlib = _stdlib(mod, source.path)
    if stdlib is not None:
        packages.append(stdlib)
    for req in mod.requires:
        target = mod.replaces.get((req.path, req.version)) or mod.replaces.get((req.path, None))
        name, version, line = req.path, req.version, req.line
        if target is not None:
            if target.new_version is None:
                continue  # replaced by a local directory: not registry code
            name, version, line = target.new_path, target.new_version, target.line
        if (name, version) in seen:
            continue
        seen.add((name, version))
        packages.append(
            Package(
                name=name,
                version=version,
                ecosystem=GO,
                location=Location(source.path, line),
                direct=not req.indirect,
            )
        )
    if _needs_go_sum(mod):
        known = {req.path for req in mod.requires} | {name for name, _ in seen}
        replaced = {old for old, _ in mod.replaces}
        packages.extend(_go_sum_packages(source, known, replaced))
    return packages


EXTRACTOR = Extractor(name="gomod", ecosystem=GO, matches=_matches, parse=parse)
