"""Download OSV's per-ecosystem ``all.zip`` exports, only when they changed.

Each ecosystem is one source in the store, remembered with the ``ETag`` and
``Last-Modified`` its server sent, so the next update sends a conditional request and a
``304 Not Modified`` costs one round trip. Downloads go to a temporary file beside the
store and are imported from there; a failed download leaves the old data in place.
Plain HTTP is refused except on the loopback interface (local mirrors and tests): an
advisory database read over an open network could be rewritten on the way.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from glasshouse import __version__
from glasshouse.advisories.importer import ArchiveError, ImportResult, import_path
from glasshouse.advisories.store import AdvisoryStore

MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024
_CHUNK = 1 << 20

Progress = Callable[[str, int, int | None], None]  # (ecosystem, bytes so far, total or None)


class UpdateError(Exception):
    """One ecosystem could not be updated; the message is one line."""


@dataclass
class UpdateResult:
    ecosystem: str
    changed: bool
    imported: ImportResult | None = None
    error: str | None = None
    errors: list[str] = field(default_factory=list)


def source_name(ecosystem: str) -> str:
    return f"osv:{ecosystem}"


def export_url(base_url: str, ecosystem: str) -> str:
    return f"{base_url.rstrip('/')}/{urllib.parse.quote(ecosystem)}/all.zip"


def check_base_url(base_url: str) -> None:
    """Raise ``ValueError`` unless the URL is HTTPS, or HTTP on a loopback host."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        if host == "localhost":
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
        raise ValueError(f"refusing plain HTTP to {host}: use https:// (http is for loopback only)")
    raise ValueError(f"advisory base URL must be https://HOST/...; got {base_url!r}")


def update_ecosystem(
    store: AdvisoryStore,
    base_url: str,
    ecosystem: str,
    *,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> UpdateResult:
    url = export_url(base_url, ecosystem)
    name = source_name(ecosystem)
    known = store.source(name) if store.path.exists() else None
    request = urllib.request.Request(url, headers={"User-Agent": f"glasshouse/{__version__}"})  # noqa: S310 - scheme checked by check_base_url
    if known is not None:
        if known.etag:
            request.add_header("If-None-Match", known.etag)
        if known.last_modified:
            request.add_header("If-Modified-Since", known.last_modified)
    store.path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=store.path.parent, prefix=".download-", suffix=".zip")
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as sink:
            fetched = _download(request, sink, ecosystem, timeout, progress)
        if fetched is None:
            store.touch_source(name)
            return UpdateResult(ecosystem, changed=False)
        etag, last_modified = fetched
        imported = import_path(
            store,
            tmp_path,
            source=name,
            kind="update",
            location=url,
            etag=etag,
            last_modified=last_modified,
        )
    except ArchiveError as exc:
        raise UpdateError(f"{url}: downloaded file is not a usable export ({exc})") from None
    finally:
        tmp_path.unlink(missing_ok=True)
    return UpdateResult(ecosystem, changed=True, imported=imported, errors=imported.errors)


def _download(
    request: urllib.request.Request,
    sink: BinaryIO,
    ecosystem: str,
    timeout: float,
    progress: Progress | None,
) -> tuple[str | None, str | None] | None:
    """Stream the response into ``sink``; ``None`` means 304 Not Modified."""
    url = request.full_url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            total_header = response.headers.get("Content-Length")
            total = int(total_header) if total_header and total_header.isdigit() else None
            if total is not None and total > MAX_DOWNLOAD_BYTES:
                raise UpdateError(f"{url}: {total} bytes, over the download limit")
            received = 0
            while chunk := response.read(_CHUNK):
                received += len(chunk)
                if received > MAX_DOWNLOAD_BYTES:
                    raise UpdateError(f"{url}: larger than the download limit")
                sink.write(chunk)
                if progress is not None:
                    progress(ecosystem, received, total)
            return response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None
        raise UpdateError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UpdateError(f"{url}: {reason}") from None
