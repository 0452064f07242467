"""Turn the files the walk found into packages, with the registered lockfile parsers.

A file that cannot be parsed is one blocking problem naming it; the other files go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model import Package, Problem
from glasshouse.walk import WalkedFile, read_file

SCANNER = "dependencies"


@dataclass
class InventoryResult:
    packages: list[Package] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _reader(root: Path, file: WalkedFile) -> Callable[[str], bytes]:
    def read_relative(name: str) -> bytes:
        wanted = PurePosixPath(file.relpath).parent / name
        candidate = (root / wanted).resolve()
        if not candidate.is_relative_to(root):
            raise ParseError(f"{name} lies outside the scanned tree; not read")
        try:
            return read_file(candidate)
        except FileNotFoundError:
            raise ParseError(f"{name} not found") from None
        except OSError as exc:
            raise ParseError(f"{name} unreadable ({exc.strerror or exc})") from None

    return read_relative


def parse_files(
    root: Path,
    files: list[WalkedFile],
    extractors: tuple[Extractor, ...],
    on_file: Callable[[str], None] | None = None,
) -> InventoryResult:
    result = InventoryResult()
    seen: set[tuple[str, str | None, str, str, int | None]] = set()
    root = root.resolve()
    if root.is_file():
        root = root.parent
    for file in files:
        if on_file is not None:
            on_file(file.relpath)
        try:
            data = read_file(file.path)
        except OSError as exc:
            result.problems.append(
                Problem(SCANNER, f"unreadable ({exc.strerror or exc})", file.relpath)
            )
            continue
        source = Source(file.relpath, data, _reader(root, file))
        basename = file.relpath.rsplit("/", 1)[-1]
        for extractor in extractors:
            if not extractor.matches(basename, file.relpath):
                continue
            try:
                packages = extractor.parse(source)
            except ParseError as exc:
                message = str(exc).splitlines()[0] if str(exc) else "unreadable"
                result.problems.append(
                    Problem(SCANNER, f"cannot parse as {extractor.name}: {message}", file.relpath)
                )
                continue
            except RecursionError:
                result.problems.append(
                    Problem(
                        SCANNER,
                        f"cannot parse as {extractor.name}: nested too deeply",
                        file.relpath,
                    )
                )
                continue
            except Exception as exc:
                result.problems.append(
                    Problem(
                        SCANNER,
                        f"parser {extractor.name} failed ({type(exc).__name__}: {exc}); "
                        "this is a Glasshouse bug, please report it",
                        file.relpath,
                    )
                )
                continue
            # A requirements file included with -r is also found by the walk on its own:
            # the same package at the same place is one package.
            for package in packages:
                key = (
                    package.name,
                    package.version,
                    package.ecosystem,
                    package.location.path,
                    package.location.line,
                )
                if key not in seen:
                    seen.add(key)
                    result.packages.append(package)
            result.files.append(file.relpath)
    return result
