"""Importing OSV archives: real layout, and hostile archives that must not stop the rest."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from glasshouse.advisories.importer import (
    MAX_DOCUMENT_BYTES,
    ArchiveError,
    import_path,
)
from glasshouse.advisories.store import AdvisoryStore


def advisory(ident: str, name: str = "demo", **extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": ident,
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    }
    doc.update(extra)
    return doc


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def store(tmp_path: Path) -> AdvisoryStore:
    return AdvisoryStore.in_dir(tmp_path / "cache")


def test_imports_zip_and_indexes_by_normalized_name(tmp_path: Path, store: AdvisoryStore) -> None:
    archive = write_zip(
        tmp_path / "all.zip",
        {
            "A-1.json": json.dumps(advisory("A-1", "Demo_Pkg")).encode(),
            "A-2.json": json.dumps(advisory("A-2", "other")).encode(),
        },
    )
    result = import_path(store, archive)
    assert (result.imported, result.errors) == (2, [])
    found = store.lookup([("PyPI", "demo-pkg")])
    assert [a.id for a in found[("PyPI", "demo-pkg")]] == ["A-1"]
    assert store.ecosystem_counts() == {"PyPI": 2}


def test_hostile_entries_are_reported_one_line_each_and_the_rest_imports(
    tmp_path: Path, store: AdvisoryStore
) -> None:
    bomb = b"{" + b" " * (MAX_DOCUMENT_BYTES + 10) + b"}"
    archive = write_zip(
        tmp_path / "hostile.zip",
        {
            "good.json": json.dumps(advisory("GOOD-1")).encode(),
            "../escape.json": json.dumps(advisory("EVIL-1")).encode(),
            "/abs.json": json.dumps(advisory("EVIL-2")).encode(),
            "bomb.json": bomb,
            "broken.json": b'{"id": "X", "affected": [',
            "types.json": json.dumps({"id": 5, "affected": {}}).encode(),
            "ranges.json": json.dumps(
                advisory("BAD-3", affected=[{"package": {"ecosystem": "PyPI", "name": 3}}])
            ).encode(),
            "latin1.json": '{"id": "Ü"}'.encode("latin-1"),
            "notes.txt": b"ignored",
        },
    )
    result = import_path(store, archive)
    assert result.imported == 1
    messages = "\n".join(result.errors)
    assert len(result.errors) == 7, messages
    for name in ("../escape.json", "/abs.json", "bomb.json", "broken.json", "types.json"):
        assert any(e.startswith(name + ":") for e in result.errors), name
    assert all("\n" not in e for e in result.errors)
    assert "unsafe path" in messages
    assert "zip bomb" in messages or "limit" in messages
    assert [a.id for a in store.lookup([("PyPI", "demo")])[("PyPI", "demo")]] == ["GOOD-1"]


def test_bomb_with_lying_header_is_stopped(tmp_path: Path, store: AdvisoryStore) -> None:
    """An entry whose header claims a small size but inflates far beyond it."""
    raw = io.BytesIO()
    payload = b"[" + b"0," * (MAX_DOCUMENT_BYTES // 2 + 1024) + b"0]"
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lie.json", payload)
        archive.writestr("good.json", json.dumps(advisory("GOOD-2")))
    data = bytearray(raw.getvalue())
    # Patch the declared uncompressed size (local header and central directory) to 100.
    real = len(payload).to_bytes(4, "little")
    assert data.count(real) == 2
    data = data.replace(real, (100).to_bytes(4, "little"))
    path = tmp_path / "lie.zip"
    path.write_bytes(bytes(data))
    result = import_path(store, path)
    assert result.imported == 1
    assert len(result.errors) == 1
    assert result.errors[0].startswith("lie.json:")


def test_withdrawn_records_never_match(tmp_path: Path, store: AdvisoryStore) -> None:
    archive = write_zip(
        tmp_path / "w.zip",
        {"W-1.json": json.dumps(advisory("W-1", withdrawn="2024-02-01T00:00:00Z")).encode()},
    )
    result = import_path(store, archive)
    assert (result.imported, result.withdrawn) == (0, 1)
    assert store.lookup([("PyPI", "demo")]) == {}


def test_not_a_zip_is_one_error(tmp_path: Path, store: AdvisoryStore) -> None:
    truncated = tmp_path / "all.zip"
    good = write_zip(tmp_path / "good.zip", {"A.json": json.dumps(advisory("A")).encode()})
    truncated.write_bytes(good.read_bytes()[:40])
    with pytest.raises(ArchiveError, match=r"all\.zip"):
        import_path(store, truncated)


def test_reimport_replaces_the_source(tmp_path: Path, store: AdvisoryStore) -> None:
    path = tmp_path / "db.zip"
    write_zip(path, {"A.json": json.dumps(advisory("A")).encode()})
    import_path(store, path)
    write_zip(path, {"B.json": json.dumps(advisory("B")).encode()})
    import_path(store, path)
    assert [a.id for a in store.lookup([("PyPI", "demo")])[("PyPI", "demo")]] == ["B"]
    assert len(store.sources()) == 1


def test_directory_import_skips_symlinks(tmp_path: Path, store: AdvisoryStore) -> None:
    folder = tmp_path / "osv"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "A.json").write_text(json.dumps(advisory("A")))
    secret = tmp_path / "outside.json"
    secret.write_text(json.dumps(advisory("OUT")))
    (folder / "link.json").symlink_to(secret)
    (folder / "sub" / "loop").symlink_to(folder)  # a directory loop must not hang
    result = import_path(store, folder)
    assert result.imported == 1
    assert result.errors == ["link.json: symbolic link, not followed"]


def test_newest_copy_of_an_advisory_wins_across_sources(
    tmp_path: Path, store: AdvisoryStore
) -> None:
    old = advisory("A", modified="2020-01-01T00:00:00Z", summary="old")
    new = advisory("A", modified="2024-01-01T00:00:00Z", summary="new")
    import_path(store, write_zip(tmp_path / "1.zip", {"A.json": json.dumps(new).encode()}))
    import_path(store, write_zip(tmp_path / "2.zip", {"A.json": json.dumps(old).encode()}))
    (found,) = store.lookup([("PyPI", "demo")])[("PyPI", "demo")]
    assert json.loads(found.body)["summary"] == "new"
