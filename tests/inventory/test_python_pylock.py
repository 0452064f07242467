"""pylock.toml (PEP 751): versions, sources, lock-version, lines, malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.pylock import EXTRACTOR, parse
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python" / "pylock"

Row = tuple[str, str | None, int | None, str | None]


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, line, requirement); ``direct`` and ``dev`` are always unknown."""
    assert {(p.direct, p.dev, p.ecosystem) for p in packages} <= {(None, None, "PyPI")}
    return [(p.name, p.version, p.location.line, p.requirement) for p in packages]


def load(path: Path) -> list[Package]:
    packages = parse(Source("app/pylock.toml", path.read_bytes()))
    assert {p.location.path for p in packages} <= {"app/pylock.toml"}
    return packages


def shared(shared_dir: Path, name: str) -> list[Package]:
    return load(shared_dir / "lockfiles" / "python" / "pylock" / name)


@pytest.mark.parametrize("name", ["pylock.toml", "pylock.dev.toml", "pylock.spam-eggs.toml"])
def test_matches(name: str) -> None:
    assert EXTRACTOR.matches(name, f"svc/{name}")


@pytest.mark.parametrize(
    "name", ["pylock.a.b.toml", "pylock..toml", "pylock.toml.bak", "Pylock.toml", "my.pylock.toml"]
)
def test_does_not_match(name: str) -> None:
    assert not EXTRACTOR.matches(name, name)


def test_extractor() -> None:
    assert (EXTRACTOR.name, EXTRACTOR.ecosystem) == ("pylock", "PyPI")


def test_shared_example(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "example.toml")) == [
        ("attrs", "25.1.0", 7, None),
        ("cattrs", "24.1.2", 20, None),
        ("numpy", "2.2.3", 31, None),
    ]


def test_shared_pdm_full(shared_dir: Path) -> None:
    # The [packages.sdist] tables also have a name: not a package's.
    assert rows(shared(shared_dir, "pdm-full.toml")) == [
        ("certifi", "2025.1.31", 11, None),
        ("chardet", "3.0.4", 24, None),
        ("charset-normalizer", "2.0.12", 37, None),
        ("colorama", "0.3.9", 50, None),
        ("idna", "2.7", 63, None),
        ("py", "1.4.34", 76, None),
        ("pytest", "3.2.5", 89, None),
        ("requests", "2.27.1", 102, None),
        ("setuptools", "39.2.0", 115, None),
        ("urllib3", "1.26.20", 128, None),
    ]


def test_shared_pip_full(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "pip-full.toml")) == [
        ("annotated-types", "0.7.0", 5, None),
        ("packaging", "25.0", 16, None),
        ("pyproject-toml", "0.1.0", 27, None),
        ("setuptools", "80.9.0", 38, None),
        ("wheel", "0.45.1", 49, None),
    ]


def test_shared_commits(shared_dir: Path) -> None:
    # net-inf-eval is the project itself (an editable directory): not reported.
    assert rows(shared(shared_dir, "commits.toml")) == [
        ("click", "8.2.1", 8, None),
        ("mleroc", "0.1.0", 15, None),
        ("packaging", "24.2", 24, None),
        ("pathspec", "0.12.1", 31, None),
        ("python-dateutil", "2.9.0.post0", 38, None),
        ("scikit-learn", "1.6.1", 45, None),
        ("tqdm", "4.67.1", 72, None),
    ]


def test_shared_names_outside_package_block(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "names-outside-package-block.toml")) == [
        ("first-pkg", "1.0.0", 7, None),
        ("second-pkg", "2.0.0", 20, None),
    ]


@pytest.mark.parametrize("name", ["empty.toml", "pip-just-self.toml"])
def test_shared_nothing_to_report(shared_dir: Path, name: str) -> None:
    assert shared(shared_dir, name) == []


def test_shared_not_toml(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^invalid TOML: "):
        shared(shared_dir, "not-toml.txt")


def test_sources_without_version() -> None:
    packages = load(DATA / "sources.toml")
    assert rows(packages) == [
        (
            "internal-lib",
            None,
            10,
            "git+https://***@git.example.com/org/internal-lib.git"
            "@0123456789abcdef0123456789abcdef01234567",
        ),
        ("vendored", None, 14, "vendor/vendored"),
        ("tarball", None, 18, "https://downloads.example.com/tarball-3.1.tar.gz"),
        ("requests", "2.32.3", 22, None),
    ]
    assert all("s3cr3t" not in str(p) for p in packages)


def test_inline_packages_array() -> None:
    assert rows(load(DATA / "inline-packages.toml")) == [
        ("alpha", "1.0.0", 4, None),
        ("beta", "2.0.0", 5, None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("lock-version-2.toml", r"^unsupported lock-version '2.0' \(1.x is understood\)$"),
        ("lock-version-not-string.toml", r"^lockfile: 'lock-version' is a float, expected a"),
        ("packages-is-string.toml", r"^'packages' is a string, expected an array of tables$"),
        ("vcs-not-table.toml", r"^packages #1: 'vcs' is a string, expected a table$"),
        ("truncated.toml", r"^invalid TOML: "),
    ],
)
def test_broken(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(Source("secret-dir/pylock.toml", (DATA / name).read_bytes()))
