"""Every file of ../shared/lockfiles (about 250 edge cases in 18 formats) either parses
into packages or is rejected with a clear one-line ParseError: no crash, no hang."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.registry import BY_NAME

SHARED_LOCKFILES = Path(__file__).resolve().parents[2].parent / "shared" / "lockfiles"


def shared_files() -> list[Path]:
    if not SHARED_LOCKFILES.is_dir():
        return []
    return sorted(p for p in SHARED_LOCKFILES.rglob("*") if p.is_file() and p.name != "README.md")


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expired(*_: object) -> None:
        raise TimeoutError(f"parser still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _reader(file: Path) -> object:
    def read_relative(name: str) -> bytes:
        target = (file.parent / name).resolve()
        if not target.is_relative_to(SHARED_LOCKFILES) or not target.is_file():
            raise ParseError(f"{name} not found")
        return target.read_bytes()

    return read_relative


@pytest.mark.parametrize("file", shared_files(), ids=lambda p: str(p.relative_to(SHARED_LOCKFILES)))
def test_parses_or_fails_cleanly(file: Path) -> None:
    fmt = file.relative_to(SHARED_LOCKFILES).parts[1]
    extractor = BY_NAME[fmt]
    source = Source(file.name, file.read_bytes(), _reader(file))  # type: ignore[arg-type]
    with deadline(10):
        try:
            packages = extractor.parse(source)
        except ParseError as exc:
            message = str(exc)
            assert message
            assert "\n" not in message
            assert "Traceback" not in message
            return
    for package in packages:
        assert package.name
        assert package.ecosystem
        assert package.location.path == file.name
        assert package.version is None or package.version.strip() == package.version != ""


def test_the_shared_corpus_is_there_and_covers_every_format() -> None:
    files = shared_files()
    if not files:
        pytest.skip(f"shared data not found at {SHARED_LOCKFILES}")
    assert len(files) >= 240
    formats = {f.relative_to(SHARED_LOCKFILES).parts[1] for f in files}
    assert formats <= set(BY_NAME)
    assert len(formats) == 18
