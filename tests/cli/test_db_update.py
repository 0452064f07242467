"""`glasshouse db update` against a real HTTP server on loopback serving the real exports."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

GLASSHOUSE = [sys.executable, "-m", "glasshouse"]


class ExportServer(ThreadingHTTPServer):
    root: Path
    log: list[tuple[str, int]]


class Handler(BaseHTTPRequestHandler):
    server: ExportServer

    def do_GET(self) -> None:
        relative = self.path.lstrip("/").replace("%2E", ".")
        file = (self.server.root / relative).resolve()
        if not file.is_relative_to(self.server.root) or not file.is_file():
            self.send_response(404)
            self.end_headers()
            self.server.log.append((self.path, 404))
            return
        data = file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            self.server.log.append((self.path, 304))
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)
        self.server.log.append((self.path, 200))

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def export_server(shared_dir: Path) -> Iterator[ExportServer]:
    server = ExportServer(("127.0.0.1", 0), Handler)
    server.root = (shared_dir / "osv").resolve()
    server.log = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(cache), "CI": "true"}
    return subprocess.run(
        [*GLASSHOUSE, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_update_downloads_then_only_when_changed(
    export_server: ExportServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{export_server.server_address[1]}"
    ecosystems = ["--ecosystem", "PyPI", "--ecosystem", "Go", "--ecosystem", "crates.io"]
    first = run(["db", "update", "--base-url", base, *ecosystems], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "PyPI: 2651 advisories" in first.stderr
    assert "Traceback" not in first.stderr
    assert sorted(code for _, code in export_server.log) == [200, 200, 200]

    status = run(["db", "status"], tmp_path)
    assert status.returncode == 0, status.stderr
    for line in ("Go", "4274", "PyPI", "2651", "crates.io", "1193", "osv:PyPI"):
        assert line in status.stdout

    second = run(["db", "update", "--base-url", base, *ecosystems], tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("unchanged") == 3
    assert [code for _, code in export_server.log[3:]] == [304, 304, 304]


def test_missing_ecosystem_is_one_error_and_exit_2(
    export_server: ExportServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{export_server.server_address[1]}"
    result = run(["db", "update", "--base-url", base, "--ecosystem", "Nope"], tmp_path)
    assert result.returncode == 2
    assert "Nope" in result.stderr
    assert "HTTP 404" in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_http_off_loopback_is_refused(tmp_path: Path) -> None:
    result = run(["db", "update", "--base-url", "http://example.com/osv"], tmp_path)
    assert result.returncode == 3
    assert "refusing plain HTTP" in result.stderr


def test_status_without_database_names_the_fix(tmp_path: Path) -> None:
    result = run(["db", "status"], tmp_path)
    assert result.returncode == 2
    assert "glasshouse db update" in result.stderr


def _age_sources(cache: Path, hours: float) -> None:
    import sqlite3
    import time

    from glasshouse.advisories.store import STORE_FILENAME

    with sqlite3.connect(cache / STORE_FILENAME) as conn:
        conn.execute("UPDATE sources SET fetched_at = ?", (time.time() - hours * 3600,))


def test_scan_refreshes_a_stale_database_and_offline_never_does(
    export_server: ExportServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{export_server.server_address[1]}"
    cache = tmp_path / "cache"
    setup = run(
        ["db", "update", "--base-url", base, "--ecosystem", "PyPI", "--ecosystem", "Go"], cache
    )
    assert setup.returncode == 0, setup.stderr
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "requirements.txt").write_text("requests==2.32.3\n")
    _age_sources(cache, hours=48)
    export_server.log.clear()

    offline = run(["scan", str(tree), "--offline"], cache)
    assert offline.returncode == 0, offline.stdout
    assert export_server.log == []  # --offline: not one request

    fresh_enough = run(["scan", str(tree), "--max-db-age", "72"], cache)
    assert fresh_enough.returncode == 0
    assert export_server.log == []

    stale = run(["scan", str(tree)], cache)
    assert stale.returncode == 0, stale.stdout
    # only the ecosystem the tree needs, asked conditionally: unchanged, so 304
    assert export_server.log == [("/PyPI/all.zip", 304)]


def test_failed_refresh_is_a_warning_and_the_old_copy_is_used(
    export_server: ExportServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{export_server.server_address[1]}"
    cache = tmp_path / "cache"
    assert run(["db", "update", "--base-url", base, "--ecosystem", "PyPI"], cache).returncode == 0
    _age_sources(cache, hours=48)
    export_server.shutdown()  # the mirror is gone
    export_server.server_close()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "requirements.txt").write_text("django==2.2\n")
    result = run(["scan", str(tree)], cache)
    assert result.returncode == 0, result.stdout  # a warning, not incompleteness
    assert "could not refresh the PyPI advisories" in result.stdout
    assert "CVE-2019-12308" in result.stdout  # judged on the older copy
