"""Cargo.lock: real-world inputs and edge cases, on the fast reader and on tomllib."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import cargolock
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "rust" / "cargolock"

Row = tuple[str, str | None, int | None, str | None]


def parse(path: Path) -> list[Package]:
    return cargolock.parse(Source("app/Cargo.lock", path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.location.line, p.requirement) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "rust" / "cargolock"


def test_many_packages(shared: Path) -> None:
    packages = parse(shared / "many-packages.lock")
    assert rows(packages) == [
        ("zstd", "0.11.2", 5, None),
        ("aho-corasick", "0.7.18", 11, None),
        ("memchr", "2.4.1", 20, None),
        ("syn", "1.0.109", 26, None),
        ("libc", "0.2.140", 32, None),
        ("syn", "2.0.15", 38, None),
    ]
    assert {(p.ecosystem, p.location.path, p.direct, p.dev) for p in packages} == {
        ("crates.io", "app/Cargo.lock", None, None)
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("one-package.lock", [("addr2line", "0.15.2", 5, None)]),
        ("two-packages.lock", [("addr2line", "0.15.2", 5, None), ("syn", "1.0.73", 14, None)]),
        ("duplicate.lock", [("syn", "1.0.73", 5, None), ("syn", "2.0.0", 11, None)]),
        # The local crate (no source) is skipped.
        ("two-packages-with-local.lock", [("addr2line", "0.15.2", 5, None)]),
        ("package-with-build-string.lock", [("wasi", "0.10.2+wasi-snapshot-preview1", 5, None)]),
        # Comments inside a table: read by tomllib; a git source is still reported.
        (
            "package-with-comments.lock",
            [("addr2line", "0.15.2", 5, None), ("syn", "1.0.73", 10, None)],
        ),
        ("empty.lock", []),
    ],
)
def test_shared(shared: Path, name: str, expected: list[Row]) -> None:
    assert rows(parse(shared / name)) == expected


def test_not_toml(shared: Path) -> None:
    with pytest.raises(ParseError, match=r"^invalid TOML: "):
        parse(shared / "not-toml.txt")


def test_registry_sparse_and_git_sources_are_reported_the_workspace_crate_is_not() -> None:
    assert rows(parse(DATA / "git-and-registry-sources.lock")) == [
        ("regex", "1.10.2", 14, None),
        ("serde", "1.0.193", 20, None),
        ("tokio", "1.35.0", 26, None),
    ]


def test_v1_lockfile_with_metadata_table() -> None:
    assert rows(parse(DATA / "v1-with-metadata.lock")) == [("libc", "0.2.42", 8, None)]


def test_crlf_line_endings() -> None:
    assert rows(parse(DATA / "crlf-line-endings.lock")) == [
        ("itoa", "1.0.9", 5, None),
        ("ryu", "1.0.15", 11, None),
    ]


def test_escapes_and_inline_tables_go_through_tomllib() -> None:
    assert rows(parse(DATA / "escapes-and-inline-tables.lock")) == [("escaped", "1.0.0", 3, None)]


def test_missing_version_is_reported_unpinned() -> None:
    packages = parse(DATA / "missing-version.lock")
    assert rows(packages) == [("hand-edited", None, 3, "*"), ("log", "0.4.20", 7, None)]
    assert packages[0].status.value == "unpinned"


def test_nameless_package_is_skipped() -> None:
    assert rows(parse(DATA / "nameless-package.lock")) == [("log", "0.4.20", 7, None)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("name-not-a-string.lock", "'name' is not a string"),
        ("package-not-an-array.lock", "'package' is not an array of tables"),
        ("package-entry-not-a-table.lock", r"package\[0\] is not a table"),
        ("duplicate-key.lock", r"^invalid TOML: "),
        ("truncated.lock", r"^invalid TOML: "),
        ("not-utf8.lock", "not valid UTF-8"),
        ("binary-garbage.lock", None),
    ],
)
def test_malformed(name: str, message: str | None) -> None:
    with pytest.raises(ParseError, match=message):
        parse(DATA / name)


def test_fast_reader_and_tomllib_agree() -> None:
    text = (DATA / "git-and-registry-sources.lock").read_text()
    fast = cargolock._fast_read(text)
    assert fast is not None

    def project(entries: list[tuple[dict[str, object], int | None]]) -> list[tuple[object, ...]]:
        return [(t["name"], t["version"], t.get("source"), line) for t, line in entries]

    assert project(fast) == project(cargolock._slow_read(text))


@pytest.mark.parametrize(
    "text",
    [
        # Each is outside the fast reader's subset; tomllib decides.
        '[[package]]\nname = "a"\nversion = "1"\nsource = "s"\n\nversion = 3\n',
        '[[package]]\nname = "a"\nversion = "1"\nsource = "s"\ndependencies = [\n "x"\n "y",\n]\n',
        "version = 3\nversion = 4\n",
        '[[package]]\nname = "a"\nversion = "1"\nsource = "s"\n[[package]]\nname = "b"\n'
        'version = "2"\nsource = "s"\nsource = "t"\n',
    ],
)
def test_invalid_toml_the_fast_reader_does_not_accept(text: str) -> None:
    assert cargolock._fast_read(text) is None
    with pytest.raises(ParseError):
        cargolock.parse(Source("Cargo.lock", text.encode()))


def test_no_trailing_newline() -> None:
    text = b'version = 3\n\n[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+x"'
    assert rows(cargolock.parse(Source("Cargo.lock", text))) == [("a", "1.0.0", 3, None)]


def test_deeply_nested_array_is_a_parse_error() -> None:
    text = b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    with pytest.raises(ParseError):
        cargolock.parse(Source("Cargo.lock", text))


def test_huge_integer_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        cargolock.parse(Source("Cargo.lock", b"version = " + b"9" * 5000 + b"\n"))
