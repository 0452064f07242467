"""The interfaces of IaC format adapters.

A file adapter turns one file into resources (Kubernetes, Dockerfile, workflows). A
directory adapter reads every matching file of one directory together, because its
format is defined per directory: a Terraform module is all the ``.tf`` files beside each
other, a Helm chart is a directory rendered as one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from glasshouse.iac.model import Resource


@dataclass(frozen=True, slots=True)
class Adapter:
    format: str
    matches: Callable[[str, str], bool]  # (base name, relative path) -> is it this format?
    # (relative path, bytes) -> resources; raises AdapterError for unreadable input, and
    # returns [] for a file of the right name that is not of this format (a YAML file
    # that is no Kubernetes manifest).
    parse: Callable[[str, bytes], list[Resource]]


@dataclass(frozen=True, slots=True)
class DirectoryInput:
    """What a directory adapter is given: one directory's matching files, and a way to
    read another directory of the tree (a local module) through the same walk."""

    directory: str  # relative to the scan root, POSIX separators; "" for the root
    files: dict[str, bytes]  # relative path -> content, only files this adapter matched
    # Another directory's matching files (relative path -> content), by its relative
    # path; {} when the directory is not in the scanned tree (outside it, ignored,
    # reached through a symlink). Never reads outside the tree.
    load: Callable[[str], dict[str, bytes]]
    root: Path | None = None  # the scan root on disk, for tools that render a directory
    # Every directory of the scan holding files this adapter matched (callers of a
    # Terraform module are found among them, never by walking the disk again).
    directories: tuple[str, ...] = ()


@dataclass(slots=True)
class DirectoryResult:
    resources: list[Resource] = field(default_factory=list)
    # (relative path, one-line message): files that could not be read; each makes the
    # scan incomplete, and the rest of the directory is still judged.
    errors: list[tuple[str, str]] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)  # files that yielded resources


@dataclass(frozen=True, slots=True)
class DirectoryAdapter:
    format: str
    matches: Callable[[str, str], bool]
    parse_directory: Callable[[DirectoryInput], DirectoryResult]
