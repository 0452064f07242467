"""pdm.lock: groups, extras entries, lines, malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.pdmlock import EXTRACTOR, parse
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python" / "pdmlock"

Row = tuple[str, str | None, int | None, bool | None]


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, line, dev); ``direct`` is always unknown here."""
    assert {(p.direct, p.ecosystem, p.requirement) for p in packages} <= {(None, "PyPI", None)}
    return [(p.name, p.version, p.location.line, p.dev) for p in packages]


def load(path: Path) -> list[Package]:
    packages = parse(Source("app/pdm.lock", path.read_bytes()))
    assert {p.location.path for p in packages} <= {"app/pdm.lock"}
    return packages


def shared(shared_dir: Path, name: str) -> list[Package]:
    return load(shared_dir / "lockfiles" / "python" / "pdmlock" / name)


def test_extractor() -> None:
    assert (EXTRACTOR.name, EXTRACTOR.ecosystem) == ("pdmlock", "PyPI")
    assert EXTRACTOR.matches("pdm.lock", "x/pdm.lock")
    assert not EXTRACTOR.matches("pdm.toml", "pdm.toml")


def test_shared_dev_dependency(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "dev-dependency.toml")) == [
        ("pyroute2", "0.7.11", 11, True),
        ("toml", "0.10.2", 23, False),
        ("win-inet-pton", "1.1.0", 34, True),
    ]


def test_shared_optional_group_is_unknown(shared_dir: Path) -> None:
    # "tmp" may be an extra or a dependency group: the lockfile does not say.
    assert rows(shared(shared_dir, "optional-dependency.toml")) == [
        ("pyroute2", "0.7.11", 11, None),
        ("toml", "0.10.2", 23, False),
        ("win-inet-pton", "1.1.0", 34, None),
    ]


def test_shared_small_files(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "single-package.toml")) == [("toml", "0.10.2", 11, False)]
    assert rows(shared(shared_dir, "two-packages.toml")) == [
        ("six", "1.16.0", 11, False),
        ("toml", "0.10.2", 22, False),
    ]
    assert rows(shared(shared_dir, "git-dependency.toml")) == [("toml", "0.10.2", 11, False)]


def test_shared_names_outside_package_block(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "names-outside-package-block.toml")) == [
        ("first-pkg", "1.0.0", 12, False),
        ("second-pkg", "2.0.0", 26, False),
    ]


@pytest.mark.parametrize("name", ["empty.toml", "empty-file.toml"])
def test_shared_empty(shared_dir: Path, name: str) -> None:
    assert shared(shared_dir, name) == []


def test_shared_not_toml(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^invalid TOML: "):
        shared(shared_dir, "not-toml.txt")


def test_groups_and_extras_entries() -> None:
    assert rows(load(DATA / "groups.lock")) == [
        ("requests", "2.32.3", 14, False),  # its requests[socks] entry (line 60) merges here
        ("certifi", "2024.8.30", 27, False),
        ("pytest", "8.3.3", 37, True),
        ("sphinx", "8.1.3", 45, None),
        ("pysocks", "1.7.1", 53, None),
        ("no-groups", "0.1.0", 73, None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("groups-not-list.lock", r"^package #1: 'groups' is not an array of strings$"),
        ("version-not-string.lock", r"^package #1: 'version' is a float, expected a string$"),
        ("package-is-table.lock", r"^'package' is a table, expected an array of tables$"),
        ("truncated.lock", r"^invalid TOML: "),
    ],
)
def test_broken(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(Source("secret-dir/pdm.lock", (DATA / name).read_bytes()))
