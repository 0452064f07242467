"""The Go, Rust, Ruby, PHP, .NET, Java and SBOM parsers on every input they may meet: a
list of packages or a ``ParseError`` with a one-line message that names no path; never
another exception, never a hang."""

from __future__ import annotations

import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from glasshouse.inventory import (
    cargolock,
    composerlock,
    cyclonedx,
    gemfilelock,
    gomod,
    gradlelockfile,
    packagesconfig,
    packageslockjson,
    pomxml,
    spdx,
)
from glasshouse.inventory.base import Extractor, ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles"
EXTRACTORS: dict[str, Extractor] = {
    module.EXTRACTOR.name: module.EXTRACTOR
    for module in (
        gomod,
        cargolock,
        gemfilelock,
        composerlock,
        packageslockjson,
        packagesconfig,
        pomxml,
        gradlelockfile,
        cyclonedx,
        spdx,
    )
}
GROUPS = {
    "gomod": "golang",
    "cargolock": "rust",
    "gemfilelock": "ruby",
    "composerlock": "php",
    "packageslockjson": "dotnet",
    "packagesconfig": "dotnet",
    "pomxml": "java",
    "gradlelockfile": "java",
    "cyclonedx": "sbom",
    "spdx": "sbom",
}
SECRET_DIR = "secret-dir-7f3a"


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


def same_bytes_reader(data: bytes) -> Callable[[str], bytes]:
    """A reader that hands the same (possibly broken) bytes back for any name."""

    def read_relative(name: str) -> bytes:
        return data

    return read_relative


def outcome(name: str, data: bytes, reader: Callable[[str], bytes] | None = None) -> object:
    """The packages, or the error message, after checking the form of either."""
    path = f"{SECRET_DIR}/lockfile"
    try:
        packages = EXTRACTORS[name].parse(Source(path, data, reader))
    except ParseError as exc:
        message = str(exc)
        assert message
        assert "\n" not in message
        assert SECRET_DIR not in message
        return message
    assert isinstance(packages, list)
    for package in packages:
        assert isinstance(package, Package)
        assert package.name
        assert package.location.path == path
        assert package.version is None or package.version.strip() == package.version != ""
        if package.version is None:
            assert package.requirement, "unpinned packages say what the file said"
        if EXTRACTORS[name].ecosystem:
            assert package.ecosystem == EXTRACTORS[name].ecosystem
        else:
            assert package.ecosystem
    keys = [(p.ecosystem, p.name, p.version, p.requirement) for p in packages]
    assert len(keys) == len(set(keys)), "identical packages are reported once"
    return packages


def files_of(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def inputs(name: str, shared_dir: Path | None) -> list[Path]:
    own = files_of(DATA / GROUPS[name] / name)
    shared = files_of(shared_dir / "lockfiles" / GROUPS[name] / name) if shared_dir else []
    return own + shared


def test_names_and_ecosystems() -> None:
    assert {name: e.ecosystem for name, e in EXTRACTORS.items()} == {
        "gomod": "Go",
        "cargolock": "crates.io",
        "gemfilelock": "RubyGems",
        "composerlock": "Packagist",
        "packageslockjson": "NuGet",
        "packagesconfig": "NuGet",
        "pomxml": "Maven",
        "gradlelockfile": "Maven",
        "cyclonedx": "",
        "spdx": "",
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("go.mod", "gomod"),
        ("svc/go.mod", "gomod"),
        ("Cargo.lock", "cargolock"),
        ("Gemfile.lock", "gemfilelock"),
        ("gems.locked", "gemfilelock"),
        ("composer.lock", "composerlock"),
        ("src/App/packages.lock.json", "packageslockjson"),
        ("packages.config", "packagesconfig"),
        ("Packages.config", "packagesconfig"),
        ("pom.xml", "pomxml"),
        ("gradle.lockfile", "gradlelockfile"),
        ("app/buildscript-gradle.lockfile", "gradlelockfile"),
        ("gradle/dependency-locks/compileClasspath.lockfile", "gradlelockfile"),
        ("sub/gradle/dependency-locks/runtimeClasspath.lockfile", "gradlelockfile"),
        ("bom.json", "cyclonedx"),
        ("dist/app.cdx.json", "cyclonedx"),
        ("dist/app.spdx.json", "spdx"),
        ("go.sum", None),
        ("Cargo.toml", None),
        ("Gemfile", None),
        ("composer.json", None),
        ("packages.json", None),
        ("pom.xml.bak", None),
        ("other.lockfile", None),
        ("sbom.json", None),
        ("app.spdx", None),
    ],
)
def test_predicates(path: str, expected: str | None) -> None:
    basename = path.rpartition("/")[2]
    hits = [name for name, e in EXTRACTORS.items() if e.matches(basename, path)]
    assert hits == ([expected] if expected else [])


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_every_file_parses_or_fails_cleanly(shared_dir: Path, name: str) -> None:
    paths = inputs(name, shared_dir)
    assert paths
    for path in paths:
        data = path.read_bytes()
        with deadline(10):
            outcome(name, data)
            outcome(name, data, same_bytes_reader(data))


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_truncated_and_mutated(shared_dir: Path, name: str) -> None:
    """Valid inputs cut short, and with random bytes overwritten, inserted or deleted."""
    rng = random.Random(f"glasshouse-{name}")
    pool = b"\x00\xff\xfe\"'<>&;[]{}=,\\#/\n\r\t -:@.*$!()\xc3\xa9abcv019"
    for path in inputs(name, shared_dir):
        data = path.read_bytes()
        if not data:
            continue
        with deadline(20):
            for cut in sorted({rng.randrange(len(data)) for _ in range(12)}):
                outcome(name, data[:cut])
            for _ in range(25):
                mutated = bytearray(data)
                for _ in range(rng.randint(1, 4)):
                    where = rng.randrange(len(mutated) + 1)
                    action = rng.randrange(3)
                    if action == 0 and where < len(mutated):
                        mutated[where] = rng.choice(pool)
                    elif action == 1:
                        mutated[where:where] = bytes([rng.choice(pool)])
                    elif where < len(mutated):
                        del mutated[where]
                outcome(name, bytes(mutated), same_bytes_reader(bytes(mutated)))


NASTY = [
    b"",
    b"\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xff\xfe\x00\xd8",  # UTF-16 with a lone surrogate
    b"\x00" * 64,
    b"\xc3\x28 not utf-8",
    b"[" * 200_000,
    b"{" * 200_000,
    b"<a>" * 50_000,
    b'{"a":' * 50_000,
    b"null",
    b"[]",
    b"{}",
    b'"string"',
    b"12345678901234567890" * 300,
    b"-----BEGIN PGP SIGNATURE-----\n",
]


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@pytest.mark.parametrize("data", NASTY, ids=range(len(NASTY)))
def test_nasty_inputs(name: str, data: bytes) -> None:
    with deadline(10):
        outcome(name, data)


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_random_garbage(name: str) -> None:
    rng = random.Random(name)
    with deadline(20):
        for size in (1, 2, 7, 64, 1000, 20_000):
            for _ in range(8):
                outcome(name, bytes(rng.randrange(256) for _ in range(size)))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("composerlock", '{"packages": [{"name": "a/b", "version": "1.0.0"}], "packages-dev": 5}'),
        ("composerlock", '{"packages": [{"name": ["a"], "version": "1.0.0"}]}'),
        ("composerlock", '{"packages": [{"name": "a/b", "version": {"v": 1}}]}'),
        ("packageslockjson", '{"dependencies": {"net8.0": null}}'),
        ("cyclonedx", '{"bomFormat": "CycloneDX", "components": [{"purl": 5}]}'),
        ("cyclonedx", '{"bomFormat": "CycloneDX", "components": [[]]}'),
        ("cyclonedx", '{"bomFormat": "CycloneDX", "components": [{"components": {}}]}'),
        (
            "spdx",
            '{"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": [{"referenceType": 1}]}]}',
        ),
    ],
)
def test_wrong_json_types(name: str, text: str) -> None:
    with pytest.raises(ParseError):
        EXTRACTORS[name].parse(Source("f", text.encode()))


def test_wrong_types_that_mean_nothing_are_ignored() -> None:
    # The CycloneDX dependency graph and scope only add information; odd values there
    # do not make the BOM unreadable.
    text = (
        '{"bomFormat": "CycloneDX", "metadata": {"component": {"bom-ref": "app"}},'
        ' "components": [{"bom-ref": {"x": 1}, "purl": "pkg:npm/a@1.0.0", "scope": 3}],'
        ' "dependencies": [{"ref": "app", "dependsOn": [1, "b"]}]}'
    )
    (package,) = cyclonedx.parse(Source("bom.json", text.encode()))
    assert (package.name, package.direct, package.dev) == ("a", False, None)
