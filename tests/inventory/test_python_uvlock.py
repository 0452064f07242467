"""uv.lock: roots, direct and dev from the graph, versions, malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.uvlock import EXTRACTOR, parse
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python" / "uvlock"

Row = tuple[str, str | None, int | None, bool | None, bool | None]


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, line, direct, dev) of each package."""
    assert {p.ecosystem for p in packages} <= {"PyPI"}
    return [(p.name, p.version, p.location.line, p.direct, p.dev) for p in packages]


def load(path: Path) -> list[Package]:
    packages = parse(Source("app/uv.lock", path.read_bytes()))
    assert {p.location.path for p in packages} <= {"app/uv.lock"}
    return packages


def shared(shared_dir: Path, name: str) -> list[Package]:
    return load(shared_dir / "lockfiles" / "python" / "uvlock" / name)


def test_extractor() -> None:
    assert (EXTRACTOR.name, EXTRACTOR.ecosystem) == ("uvlock", "PyPI")
    assert EXTRACTOR.matches("uv.lock", "x/uv.lock")
    assert not EXTRACTOR.matches("uv.lock.json", "uv.lock.json")


def test_shared_grouped_packages(shared_dir: Path) -> None:
    # black, click and flake8 come in through extras of the project: production.
    assert rows(shared(shared_dir, "grouped-packages.lock")) == [
        ("black", "24.10.0", 5, True, False),
        ("click", "8.1.7", 39, True, False),
        ("colorama", "0.4.6", 51, False, False),
        ("emoji", "2.14.0", 60, True, False),
        ("flake8", "7.1.1", 69, True, False),
        ("mccabe", "0.7.0", 83, False, False),
        ("mypy-extensions", "1.0.0", 92, False, False),
        ("packaging", "24.2", 101, False, False),
        ("pathspec", "0.12.1", 110, False, False),
        ("platformdirs", "4.3.6", 119, False, False),
        ("pycodestyle", "2.12.1", 128, False, False),
        ("pyflakes", "3.2.0", 137, False, False),
        ("tomli", "2.2.1", 146, False, False),
        ("typing-extensions", "4.12.2", 185, False, False),
    ]


def test_shared_small_files(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "one-package.lock")) == [("emoji", "2.14.0", 5, True, False)]
    assert rows(shared(shared_dir, "two-packages.lock")) == [
        ("emoji", "2.14.0", 5, True, False),
        ("protobuf", "4.25.5", 14, True, False),
    ]
    assert rows(shared(shared_dir, "source-git.lock")) == [("ruff", "0.8.1", 5, True, False)]


def test_shared_names_outside_package_block(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "names-outside-package-block.lock")) == [
        ("first-pkg", "1.0.0", 5, None, None),
        ("second-pkg", "2.0.0", 18, None, None),
    ]


@pytest.mark.parametrize("name", ["empty.lock", "no-packages.lock", "no-dependencies.lock"])
def test_shared_nothing_to_report(shared_dir: Path, name: str) -> None:
    # no-dependencies.lock holds only the project itself.
    assert shared(shared_dir, name) == []


def test_shared_not_toml(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^invalid TOML: "):
        shared(shared_dir, "not-toml.txt")


def test_workspace_with_groups() -> None:
    assert rows(load(DATA / "workspace-groups.lock")) == [
        # app (virtual) and helper (editable workspace member) are the project itself.
        ("attrs", "24.2.0", 50, True, False),  # a dependency of the helper member
        ("certifi", "2024.8.30", 56, False, False),
        ("colorama", "0.4.6", 61, False, True),
        ("docutils", "0.21.2", 66, False, True),
        ("iniconfig", "2.0.0", 79, False, True),
        ("orphan", "1.0.0", 84, False, None),  # reachable from no root
        ("pluggy", "1.5.0", 89, False, True),
        ("pysocks", "1.7.1", 94, False, False),  # through the project's extra socks
        ("pytest", "8.3.3", 99, True, True),
        ("requests", "2.32.3", 109, True, False),
        ("sphinx", "8.1.3", 123, True, True),  # a non-dev group is still a dependency group
        ("urllib3", "1.26.20", 131, True, True),  # the version-qualified dev edge
        ("urllib3", "2.2.3", 136, False, False),
    ]


def test_no_root_and_unversioned_source() -> None:
    packages = load(DATA / "no-root.lock")
    assert rows(packages) == [
        ("idna", "3.10", 5, None, None),
        ("local-tool", None, 10, None, None),
    ]
    assert [p.requirement for p in packages] == [None, "tools/local-tool"]


def test_git_source_credentials_are_redacted() -> None:
    text = (
        '[[package]]\nname = "x"\n'
        # glasshouse:allow url-basic-auth fake credentials: the parser must redact them
        'source = { git = "https://bot:tok3n@git.example.com/x.git?rev=v1#abc" }\n'
    )
    (package,) = parse(Source("uv.lock", text.encode()))
    assert package.version is None
    assert package.requirement == "https://***@git.example.com/x.git?rev=v1#abc"


def test_dependency_cycle_terminates() -> None:
    text = (
        '[[package]]\nname = "app"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "a" }]\n\n'
        '[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ name = "b", extra = ["x"] }]\n\n'
        '[[package]]\nname = "b"\nversion = "1"\ndependencies = [{ name = "a" }]\n\n'
        '[package.optional-dependencies]\nx = [{ name = "b", extra = ["x"] }, { name = "c" }]\n\n'
        '[[package]]\nname = "c"\nversion = "1"\n'
    )
    assert [(p.name, p.direct, p.dev) for p in parse(Source("uv.lock", text.encode()))] == [
        ("a", True, False),
        ("b", False, False),
        ("c", False, False),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("dependencies-not-array.lock", r"^package #1 dependencies is not an array$"),
        ("dependency-not-table.lock", r"^package #1 dependencies: an entry is not a table$"),
        ("dev-group-not-array.lock", r"^package #1 dev-dependencies.dev is not an array$"),
        ("source-not-table.lock", r"^package #1: 'source' is a string, expected a table$"),
        ("truncated.lock", r"^invalid TOML: "),
    ],
)
def test_broken(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(Source("secret-dir/uv.lock", (DATA / name).read_bytes()))


def test_optional_dependencies_not_a_table() -> None:
    text = '[[package]]\nname = "a"\nversion = "1"\noptional-dependencies = ["x"]\n'
    with pytest.raises(ParseError, match=r"^package #1: 'optional-dependencies' is an array"):
        parse(Source("uv.lock", text.encode()))
