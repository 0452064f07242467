"""``read_sarif``: the file-reading half of the SARIF import (the rest is pure).

The file is untrusted: anything that is not a readable regular file of at most
``MAX_BYTES`` becomes a blocking ``Problem``, never an exception.
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path

from glasshouse.model import Problem
from glasshouse.sarif_import.document import SCANNER, SarifImport, parse_sarif
from glasshouse.sarif_import.uris import PathResolver

MAX_BYTES = 256 * 1024 * 1024


def read_sarif(path: Path, root: Path) -> SarifImport:
    """Import the SARIF 2.1.0 log at ``path``; paths in it become relative to ``root``."""
    source = str(path)
    try:
        data = _read(path)
    except _Unreadable as exc:
        return SarifImport(problems=[Problem(SCANNER, str(exc), source, True)])
    return parse_sarif(data, source=source, root=root, fallback_path=sarif_location(path, root))


def sarif_location(path: Path, root: Path) -> str:
    """The SARIF file relative to ``root`` if it lies inside, else its name."""
    absolute = posixpath.normpath(path.absolute().as_posix())
    inside = PathResolver(root, {}).relative(absolute)
    return inside if inside not in (None, ".") else path.name


class _Unreadable(Exception):
    pass


def _read(path: Path) -> bytes:
    # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _Unreadable("no such file") from None
    except IsADirectoryError:
        raise _Unreadable("not a regular file (a directory)") from None
    except OSError as exc:
        raise _Unreadable(f"unreadable ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _Unreadable("not a regular file (a directory)")
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("not a regular file")
        if info.st_size > MAX_BYTES:
            raise _Unreadable(f"too large: {info.st_size} bytes, over {MAX_BYTES}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _Unreadable(f"unreadable ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"too large: over {MAX_BYTES} bytes")
    return data
