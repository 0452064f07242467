"""Pipfile.lock: categories, pins, VCS and editable entries, lines, malformed JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glasshouse.inventory.base import ParseError, Source
from glasshouse.inventory.pipfilelock import EXTRACTOR, parse
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "python" / "pipfilelock"

Row = tuple[str, str | None, int | None, bool | None, str | None]


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, line, dev, requirement); ``direct`` is always unknown here."""
    assert {(p.direct, p.ecosystem) for p in packages} <= {(None, "PyPI")}
    return [(p.name, p.version, p.location.line, p.dev, p.requirement) for p in packages]


def load(path: Path) -> list[Package]:
    packages = parse(Source("app/Pipfile.lock", path.read_bytes()))
    assert {p.location.path for p in packages} <= {"app/Pipfile.lock"}
    return packages


def shared(shared_dir: Path, name: str) -> list[Package]:
    return load(shared_dir / "lockfiles" / "python" / "pipfilelock" / name)


def test_extractor() -> None:
    assert (EXTRACTOR.name, EXTRACTOR.ecosystem) == ("pipfilelock", "PyPI")
    assert EXTRACTOR.matches("Pipfile.lock", "svc/Pipfile.lock")
    assert not EXTRACTOR.matches("Pipfile", "Pipfile")
    assert not EXTRACTOR.matches("pipfile.lock.json", "pipfile.lock.json")


def test_shared_multiple_packages(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "multiple-packages.json")) == [
        ("itsdangerous", "2.1.2", 19, False, None),  # also in develop, same version: once
        ("pluggy", "1.0.1", 27, False, None),
        ("markupsafe", "2.1.1", 32, False, None),
        ("pluggy", "1.0.0", 88, True, None),  # another version in develop
    ]


def test_shared_default_and_develop(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "two-packages.json")) == [
        ("itsdangerous", "2.1.2", 19, False, None),
        ("markupsafe", "2.1.1", 29, True, None),
    ]
    assert rows(shared(shared_dir, "one-package-dev.json")) == [
        ("markupsafe", "2.1.1", 20, True, None)
    ]
    assert rows(shared(shared_dir, "two-packages-alt.json")) == [
        ("itsdangerous", "2.1.2", 19, False, None),
        ("markupsafe", "2.1.1", 27, False, None),
    ]


def test_shared_minified(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "minified.json")) == [("markupsafe", "2.1.1", 1, False, None)]


def test_shared_no_version(shared_dir: Path) -> None:
    assert rows(shared(shared_dir, "no-version.json")) == [
        (
            "markupsafe",
            None,
            19,
            False,
            "git+https://github.com/pallets/markupsafe@b36054111bc1e8bbadb5d0d60158feb72926f467",
        ),
        (
            "itsdangerous",
            None,
            26,
            True,
            "git+https://github.com/pallets/itsdangerous@de09cad488a4d7c7bbcbcdb8e1c2dfde64325f48",
        ),
    ]


@pytest.mark.parametrize("name", ["empty.json", "empty-file"])
def test_shared_empty(shared_dir: Path, name: str) -> None:
    assert shared(shared_dir, name) == []


def test_shared_not_json(shared_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"^invalid JSON: Expecting value: line 1 column 1"):
        shared(shared_dir, "not-json.txt")


def test_categories_and_sources() -> None:
    assert rows(load(DATA / "categories-and-sources.json")) == [
        ("django", "5.1.3", 19, False, None),
        (
            "private-lib",
            None,
            27,
            False,
            "git+https://***@gitlab.example.com/team/private-lib.git"
            "@9c1f6a8d2b3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a",
        ),
        # local-helpers: an editable local path, the project's own code.
        ("sqlparse", "0.5.2", 35, False, None),  # in develop too: production wins
        ("pytest", "8.3.3", 45, True, None),
        ("sphinx", "8.1.3", 51, None, None),  # a custom category
        ("furo", None, 55, None, "*"),
    ]


def test_duplicate_keys_give_no_line_rather_than_a_wrong_one() -> None:
    assert rows(load(DATA / "duplicate-keys.json")) == [("requests", "2.32.3", None, False, None)]


def test_escaped_keys_and_decoy_strings() -> None:
    assert rows(load(DATA / "escaped-keys.json")) == [
        ("café-lib", "1.0.0", 4, False, None),
        ("plain", "2.0.0", 7, False, None),
    ]


@pytest.mark.parametrize(
    ("spec", "version", "requirement"),
    [("==1.0", "1.0", None), ("===1.0", "1.0", None), (">=1.0", None, ">=1.0"), ("*", None, "*")],
)
def test_version_forms(spec: str, version: str | None, requirement: str | None) -> None:
    text = json.dumps({"default": {"x": {"version": spec}}})
    (package,) = parse(Source("Pipfile.lock", text.encode()))
    assert (package.version, package.requirement) == (version, requirement)


@pytest.mark.parametrize("name", ["empty.json", "empty-object.json"])
def test_empty(name: str) -> None:
    assert load(DATA / name) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("top-level-array.json", r"^not a Pipfile.lock: the top level is not a JSON object$"),
        ("top-level-string.json", r"^not a Pipfile.lock: the top level is not a JSON object$"),
        ("default-is-array.json", r"^'default' is not a JSON object$"),
        ("entry-is-string.json", r"^default -> requests: not a JSON object$"),
        ("version-not-string.json", r"^default -> requests: 'version' is not a string$"),
        ("truncated.json", r"^invalid JSON: Unterminated string"),
        ("deeply-nested.json", r"^invalid JSON: nested too deeply$"),
        ("not-utf8.json", r"^not valid UTF-8"),
        ("binary-garbage.json", r"^(binary content|not valid UTF-8)"),
    ],
)
def test_broken(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(Source("secret-dir/Pipfile.lock", (DATA / name).read_bytes()))
