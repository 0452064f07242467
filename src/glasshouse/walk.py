"""One walk of the tree: every scanner declares cheap predicates on file names, and the
walk hands each matching file to it. The walk honours ``.gitignore`` files (nested ones
too), skips vendored and tool directories, and never follows a symbolic link to a
directory. A symlinked file is read only when its target lies inside the tree.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from glasshouse.model import Problem

# Directories whose content is someone else's code or a build artefact: their lockfiles
# describe other projects, and walking them costs most of the time on real repositories.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "jspm_packages",
        "vendor",
        ".venv",
        "venv",
        "site-packages",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".terraform",
    }
)

MAX_FILE_BYTES = 64 * 1024 * 1024

Predicate = Callable[[str, str], bool]  # (base name, relative POSIX path) -> wanted?


@dataclass(frozen=True, slots=True)
class WalkedFile:
    relpath: str  # relative to the root, POSIX separators
    path: Path  # absolute, resolved inside the root
    claimants: tuple[int, ...]  # indexes of the predicates that want this file


# Paths a repository keeps out of the gate on purpose (test fixtures, examples), in
# .gitignore syntax at the root of the scan. What it excludes is reported, never silent.
IGNORE_FILE = ".glasshouseignore"


@dataclass
class WalkResult:
    files: list[WalkedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    directories: int = 0
    excluded: list[str] = field(default_factory=list)  # by IGNORE_FILE, outermost paths


def _gitignore(directory: Path, name: str = ".gitignore") -> pathspec.GitIgnoreSpec | None:
    ignore_file = directory / name
    try:
        if not ignore_file.is_file() or ignore_file.is_symlink():
            return None
        lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def walk(
    root: Path,
    predicates: Sequence[Predicate],
    *,
    scanner: str = "walk",
    excludes: Sequence[str] = (),
) -> WalkResult:
    """Walk ``root`` once; a file is kept when any predicate wants it.

    ``excludes`` are more ``.gitignore``-style patterns (the policy's ``gate.exclude``),
    applied and reported like the lines of ``.glasshouseignore``.
    """
    result = WalkResult()
    root = root.resolve()
    if root.is_file():
        claim = tuple(i for i, p in enumerate(predicates) if p(root.name, root.name))
        if claim:
            result.files.append(WalkedFile(root.name, root, claim))
        return result
    excluder = _excluder(root, excludes)
    # A stack of (directory, relative path, active ignore specs with their bases).
    stack: list[tuple[Path, str, tuple[tuple[str, pathspec.GitIgnoreSpec], ...]]] = [(root, "", ())]
    while stack:
        directory, rel, specs = stack.pop()
        result.directories += 1
        own = _gitignore(directory)
        if own is not None:
            specs = (*specs, (rel, own))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            result.problems.append(
                Problem(scanner, f"directory unreadable ({exc.strerror or exc})", rel or ".")
            )
            continue
        subdirs = []
        for entry in entries:
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if _ignored(specs, relpath, is_dir):
                continue
            if excluder is not None and excluder.match_file(relpath + "/" if is_dir else relpath):
                result.excluded.append(relpath + "/" if is_dir else relpath)
                continue
            if is_dir:
                if entry.name not in SKIPPED_DIRS:
                    subdirs.append((Path(entry.path), relpath, specs))
                continue
            claim = tuple(i for i, p in enumerate(predicates) if p(entry.name, relpath))
            if not claim:
                continue
            path = Path(entry.path)
            if is_link:
                target = _inside(root, path)
                if target is None:
                    result.problems.append(
                        Problem(
                            scanner,
                            "symbolic link points outside the tree (or nowhere); not followed",
                            relpath,
                            blocking=False,
                        )
                    )
                    continue
                path = target
            result.files.append(WalkedFile(relpath, path, claim))
        stack.extend(reversed(subdirs))
    return result


def _excluder(root: Path, extra: Sequence[str]) -> pathspec.GitIgnoreSpec | None:
    lines = list(extra)
    own = root / IGNORE_FILE
    try:
        if own.is_file() and not own.is_symlink():
            lines += own.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        pass
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _ignored(
    specs: tuple[tuple[str, pathspec.GitIgnoreSpec], ...], relpath: str, is_dir: bool
) -> bool:
    for base, spec in specs:
        local = relpath[len(base) + 1 :] if base else relpath
        if spec.match_file(local + "/" if is_dir else local):
            return True
    return False


def _inside(root: Path, link: Path) -> Path | None:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def read_file(path: Path) -> bytes:
    """Read a file the walk found, refusing special files and anything huge."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise OSError(f"{info.st_size >> 20} MiB, over the {MAX_FILE_BYTES >> 20} MiB limit")
    with path.open("rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)
