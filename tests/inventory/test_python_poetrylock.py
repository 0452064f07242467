"""poetry.lock: 1.x categories, 2.x groups, line numbers, malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory._toml import name_lines
from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.poetrylock import EXTRACTOR, parse
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python" / "poetrylock"

Row = tuple[str, str | None, int | None, bool | None]


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, line, dev) of each package; ``direct`` is always unknown here."""
    assert {(p.direct, p.ecosystem, p.requirement) for p in packages} <= {(None, "PyPI", None)}
    return [(p.name, p.version, p.location.line, p.dev) for p in packages]


def load(path: Path) -> list[Package]:
    packages = parse(Source("app/poetry.lock", path.read_bytes()))
    assert {p.location.path for p in packages} <= {"app/poetry.lock"}
    return packages


def shared(shared_dir: Path, name: str) -> list[Package]:
    return load(shared_dir / "lockfiles" / "python" / "poetrylock" / name)


def test_extractor() -> None:
    assert (EXTRACTOR.name, EXTRACTOR.ecosystem) == ("poetrylock", "PyPI")
    assert EXTRACTOR.matches("poetry.lock", "a/b/poetry.lock")
    assert not EXTRACTOR.matches("Poetry.lock", "Poetry.lock")
    assert not EXTRACTOR.matches("poetry.lock.bak", "poetry.lock.bak")


def test_shared_v2_groups(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "multiple-packages.v2.lock")) == [
        ("async-timeout", "5.0.1", 4, False),  # optional extra of main: production
        ("factory-boy", "3.3.1", 17, True),
        ("faker", "33.3.0", 36, True),
        ("proto-plus", "1.22.0", 52, False),
        ("proto-plus", "1.23.0", 71, False),  # two versions, two lines
        ("protobuf", "4.25.5", 90, False),
        ("python-dateutil", "2.9.0.post0", 111, True),
        ("redis", "5.2.1", 126, False),
        ("six", "1.17.0", 146, False),  # main and dev: production
        ("typing-extensions", "4.12.2", 158, True),
        ("urllib3", "2.3.0", 170, True),
    ]


def test_shared_v1_categories(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "two-packages.lock")) == [
        ("proto-plus", "1.22.0", 2, False),
        ("protobuf", "4.21.5", 16, False),
    ]
    assert rows(shared(shared_dir, "one-package-with-metadata.lock")) == [
        ("emoji", "2.0.0", 2, False)
    ]
    assert rows(shared(shared_dir, "optional-package.lock")) == [("numpy", "1.23.3", 2, False)]


def test_shared_sources(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "source-git.lock")) == [("ike", "0.2.0", 2, False)]
    assert rows(shared(shared_dir, "source-legacy.lock")) == [("appdirs", "1.4.4", 2, False)]


def test_shared_names_outside_package_block(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "names-outside-package-block.lock")) == [
        ("first-pkg", "1.0.0", 5, None),
        ("second-pkg", "2.0.0", 18, None),
    ]


@pytest.mark.parametrize("name", ["empty.lock", "empty-file.lock"])
def test_shared_empty(shared_dir: Path, name: str) -> None:
    assert shared(shared_dir, name) == []


def test_shared_not_toml(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^invalid TOML: .*\(at line 1, column 6\)$"):
        shared(shared_dir, "not-toml.txt")


def test_groups_v2() -> None:
    assert rows(load(DATA / "groups-v2.lock")) == [
        ("certifi", "2024.8.30", 4, False),
        ("coverage", "7.6.4", 15, True),  # a non-main group
        ("pysocks", "1.7.1", 29, False),  # optional: an extra of main
        ("ruff", "0.7.2", 41, True),
        ("urllib3", "2.2.3", 52, False),
        ("mylib", "0.3.0", 66, False),  # git source keeps its version
    ]


def test_category_v1() -> None:
    assert rows(load(DATA / "category-v1.lock")) == [
        ("attrs", "23.1.0", 2, False),
        ("pytest", "7.4.0", 10, True),
        ("leftover", "0.1", 21, None),
    ]


def test_decoy_names_in_multiline_strings() -> None:
    assert rows(load(DATA / "decoy-names.lock")) == [
        ("real-one", "1.0.0", 6, False),
        ("real-one", "2.0.0", 11, False),
    ]


def test_missing_version_is_reported_unknown() -> None:
    assert rows(load(DATA / "missing-version.lock")) == [("hand-edited", None, 2, False)]


@pytest.mark.parametrize("name", ["empty.lock", "whitespace-only.lock"])
def test_empty(name: str) -> None:
    assert load(DATA / name) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("package-is-string.lock", r"^'package' is a string, expected an array of tables$"),
        ("package-entries-not-tables.lock", r"^package #1 is an integer, expected a table$"),
        ("name-not-string.lock", r"^package #1: 'name' is an integer, expected a string$"),
        ("name-missing.lock", r"^package #1: no 'name'$"),
        ("version-not-string.lock", r"^package #1: 'version' is an array, expected a string$"),
        ("groups-not-list.lock", r"^package #1: 'groups' is not an array of strings$"),
        ("truncated.lock", r"^invalid TOML: Unterminated string"),
        ("table-redefined.lock", r"^invalid TOML: "),
        ("not-utf8.lock", r"^not valid UTF-8 \(byte 23\)$"),
        ("binary-garbage.lock", r"^binary content"),
    ],
)
def test_broken(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(Source("secret-dir/poetry.lock", (DATA / name).read_bytes()))


def test_deeply_nested_arrays() -> None:
    text = "x = " + "[" * 50_000 + "]" * 50_000 + "\n"
    with pytest.raises(ParseError, match=r"^invalid TOML"):
        parse(Source("poetry.lock", text.encode()))


def test_name_lines_pairs_repeated_names_in_order() -> None:
    text = (
        '[[package]]\nname = "a"\n\n[[package]]\nname = "a"\n\n'
        "[package.dependencies]\nname = 'not-a-package'\n\n"
        "[[other]]\nname = \"a\"\n\n[[package]]\nname = 'b'\n"
    )
    lines = name_lines(text, "package")
    assert {name: list(found) for name, found in lines.items()} == {"a": [2, 5], "b": [14]}
