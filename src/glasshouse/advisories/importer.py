"""Import OSV documents from a zip export, a directory of JSON files, or one JSON file.

Archives come from the network and from users, so they are treated as hostile: nothing
is extracted to disk; every entry is read with a hard size cap (the header's size is not
trusted), unsafe names (``../``, absolute paths) are refused, and a bad entry is one
error line while the rest imports.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from glasshouse.advisories.osv import InvalidAdvisory, parse_advisory
from glasshouse.advisories.store import AdvisoryStore, NewRecord
from glasshouse.ecosystems import base_ecosystem, normalize_name

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # the largest real OSV record is well under 1 MiB
MAX_COMPRESSION_RATIO = 200  # beyond this, above 1 MiB, an entry is a bomb, not JSON
MAX_TOTAL_BYTES = 8 * 1024 * 1024 * 1024

Progress = Callable[[int, int], None]  # (done, total)


class ArchiveError(Exception):
    """The archive or directory as a whole cannot be read."""


@dataclass
class ImportResult:
    source: str
    imported: int = 0
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)  # "entry: message", one line each


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in PurePosixPath(name).parts


def _zip_documents(
    path: Path, result: ImportResult, progress: Progress | None
) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"{path}: not a readable zip archive ({exc})") from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        total_read = 0
        for done, info in enumerate(entries, 1):
            if progress is not None:
                progress(done, len(entries))
            name = info.filename
            if _unsafe_name(name):
                result.errors.append(f"{name}: unsafe path in archive, entry skipped")
                continue
            if not name.endswith(".json"):
                continue
            if info.file_size > MAX_DOCUMENT_BYTES:
                result.errors.append(
                    f"{name}: {info.file_size} bytes uncompressed, over the "
                    f"{MAX_DOCUMENT_BYTES >> 20} MiB limit for one advisory; skipped"
                )
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_DOCUMENT_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                result.errors.append(f"{name}: unreadable entry ({exc})")
                continue
            if len(data) > MAX_DOCUMENT_BYTES or (
                len(data) > (1 << 20) and len(data) > MAX_COMPRESSION_RATIO * info.compress_size
            ):
                result.errors.append(f"{name}: expands beyond its declared size (zip bomb?)")
                continue
            total_read += len(data)
            if total_read > MAX_TOTAL_BYTES:
                raise ArchiveError(f"{path}: more than {MAX_TOTAL_BYTES >> 30} GiB uncompressed")
            yield name, data


def _directory_documents(
    root: Path, result: ImportResult, progress: Progress | None
) -> Iterator[tuple[str, bytes]]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):  # os.walk never follows symlinks
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.endswith(".json"):
                files.append(Path(dirpath) / filename)
    for done, file in enumerate(files, 1):
        if progress is not None:
            progress(done, len(files))
        label = file.relative_to(root).as_posix()
        try:
            info = file.lstat()
            if stat.S_ISLNK(info.st_mode):
                result.errors.append(f"{label}: symbolic link, not followed")
                continue
            if info.st_size > MAX_DOCUMENT_BYTES:
                result.errors.append(f"{label}: {info.st_size} bytes, over the size limit")
                continue
            data = file.read_bytes()
        except OSError as exc:
            result.errors.append(f"{label}: unreadable ({exc.strerror or exc})")
            continue
        yield label, data


def _records(documents: Iterator[tuple[str, bytes]], result: ImportResult) -> Iterator[NewRecord]:
    seen: set[str] = set()
    for label, data in documents:
        try:
            raw = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            result.errors.append(f"{label}: invalid JSON ({exc})")
            continue
        except RecursionError:
            result.errors.append(f"{label}: invalid JSON (nested too deeply)")
            continue
        try:
            advisory = parse_advisory(raw)
        except InvalidAdvisory as exc:
            result.errors.append(f"{label}: not an OSV record ({exc})")
            continue
        if advisory.id in seen:
            result.errors.append(f"{label}: duplicate advisory id {advisory.id}, skipped")
            continue
        seen.add(advisory.id)
        if advisory.withdrawn:
            result.withdrawn += 1
            continue  # withdrawn records must not match anything
        keys = frozenset(
            (base_ecosystem(a.ecosystem), normalize_name(a.ecosystem, a.name))
            for a in advisory.affected
        )
        result.imported += 1
        yield NewRecord(advisory.id, advisory.modified, data, keys, advisory.aliases)


def import_path(
    store: AdvisoryStore,
    path: Path,
    *,
    source: str | None = None,
    kind: str = "import",
    location: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` (zip, directory or JSON file) as one source, replacing its old data.

    Raises ``ArchiveError`` when nothing can be read; per-entry problems are collected
    in the result and do not stop the import.
    """
    resolved = path.resolve()
    name = source or f"import:{resolved}"
    result = ImportResult(source=name)
    documents: Iterator[tuple[str, bytes]]
    if resolved.is_dir():
        documents = _directory_documents(resolved, result, progress)
    elif not resolved.exists():
        raise ArchiveError(f"{path}: no such file or directory")
    elif zipfile.is_zipfile(resolved):
        documents = _zip_documents(resolved, result, progress)
    elif resolved.suffix == ".json":
        documents = _directory_documents_single(resolved, result)
    else:
        raise ArchiveError(f"{path}: neither a zip archive, a directory nor a .json file")
    store.replace_source(
        name=name,
        kind=kind,
        location=location or str(resolved),
        records=_records(documents, result),
        etag=etag,
        last_modified=last_modified,
    )
    return result


def _directory_documents_single(file: Path, result: ImportResult) -> Iterator[tuple[str, bytes]]:
    try:
        size = file.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            result.errors.append(f"{file.name}: {size} bytes, over the size limit")
            return
        data = file.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"{file}: unreadable ({exc.strerror or exc})") from None
    yield file.name, data
