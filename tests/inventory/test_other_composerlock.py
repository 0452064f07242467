"""composer.lock: real-world inputs and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import composerlock
from glasshouse.inventory._json import JsonLines
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "php" / "composerlock"

Row = tuple[str, str | None, int | None, bool | None, str | None]


def parse(path: Path) -> list[Package]:
    return composerlock.parse(Source("composer.lock", path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.location.line, p.dev, p.requirement) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "php" / "composerlock"


def test_one_package(shared: Path) -> None:
    packages = parse(shared / "one-package.json")
    assert rows(packages) == [("sentry/sdk", "2.0.4", 10, False, None)]
    assert (packages[0].ecosystem, packages[0].direct) == ("Packagist", None)


def test_one_dev_package(shared: Path) -> None:
    assert rows(parse(shared / "one-package-dev.json")) == [("sentry/sdk", "2.0.4", 11, True, None)]


def test_two_packages(shared: Path) -> None:
    assert rows(parse(shared / "two-packages.json")) == [
        ("sentry/sdk", "2.0.4", 10, False, None),
        ("theseer/tokenizer", "1.1.3", 43, True, None),
    ]
    assert rows(parse(shared / "two-packages-alt.json")) == [
        ("sentry/sdk", "2.0.4", 10, False, None),
        ("theseer/tokenizer", "1.1.3", 41, False, None),
    ]


def test_drupal(shared: Path) -> None:
    assert rows(parse(shared / "drupal-packages.json")) == [
        ("drupal/core", "10.4.5", 10, False, None),
        ("drupal/tfa", "2.0.0-alpha4", 174, False, None),
        ("theseer/tokenizer", "1.1.3", 261, False, None),
        ("drupal/field_time", "1.0.0-beta5", 299, True, None),
    ]


def test_duplicates_and_dev_branch(shared: Path) -> None:
    assert rows(parse(shared / "duplicate-packages.json")) == [
        ("sentry/sdk", "2.0.4", 10, False, None),
        ("sentry/sdk", "2.0.5", 17, False, None),
        ("sentry/sdk", None, 26, True, "3.0.0-dev"),  # a branch, not a release
    ]


def test_empty(shared: Path) -> None:
    assert parse(shared / "empty.json") == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("not-json.txt", "invalid JSON"), ("null.jsontest", "not a JSON object")],
)
def test_shared_malformed(shared: Path, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(shared / name)


def test_v_prefix_and_dev_branches() -> None:
    assert rows(parse(DATA / "v-prefixed-and-dev-branches.json")) == [
        ("symfony/http-foundation", "6.4.0", 8, False, None),
        ("acme/internal", None, 18, False, "dev-main"),
        ("acme/branch-alias", None, 28, False, "2.x-dev"),
        ("vendor/no-version", None, 33, False, "*"),
        ("vendor/vendor-name", "version-1", 37, False, None),
        ("phpunit/phpunit", "10.5.1", 44, True, None),
    ]


def test_escaped_slashes_and_null_section() -> None:
    assert rows(parse(DATA / "escaped-slashes.json")) == [
        ("monolog/monolog", "3.5.0", 4, False, None)
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("packages-not-an-array.json", "packages is not a JSON array"),
        ("package-not-an-object.json", r"packages\[0\] is not a JSON object"),
        ("version-not-a-string.json", r"packages\[0\]: 'version' is not a string"),
        ("truncated.json", "invalid JSON"),
        ("empty-file.lock", "invalid JSON"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(DATA / name)


@pytest.mark.parametrize(
    "text",
    [
        b'{"packages": [{"name": "a\\ud800b", "version": "1.0.0"}]}',
        b'{"packages": [{"name": "a\\nb", "version": "1.0.0"}]}',
        b'{"packages": [{"name": "a/b", "version": "1.0.0\\u0000"}]}',
    ],
)
def test_control_and_surrogate_characters_are_rejected(text: bytes) -> None:
    with pytest.raises(ParseError, match="control or surrogate"):
        composerlock.parse(Source("composer.lock", text))


def test_json_helpers_lines() -> None:
    text = '{\n  "a\\"b": {\n    "name": "x\\/y"\n  },\n  "c": {"d": {}}\n}'
    keys = JsonLines.of_object_keys(text)
    assert [keys.take('a"b'), keys.take("c"), keys.take("d"), keys.take("c")] == [2, 5, 5, None]
    names = JsonLines.of_string_values(text, "name")
    assert [names.take("x/y"), names.take("x/y")] == [3, None]
