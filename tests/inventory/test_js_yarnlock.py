"""yarn.lock, classic v1 and Berry: expectations derived by reading each file."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import yarnlock
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "javascript"
OWN = DATA / "yarnlock"

Row = tuple[str, str | None, int | None]


def parse(path: Path) -> list[Package]:
    return yarnlock.EXTRACTOR.parse(Source(path=f"web/{path.name}", data=path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.location.line) for p in packages]


def full(
    packages: list[Package],
) -> list[tuple[str, str | None, int | None, bool | None, str | None]]:
    return [(p.name, p.version, p.location.line, p.direct, p.requirement) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "javascript" / "yarnlock"


SHARED_ROWS: dict[str, list[Row]] = {
    "empty.v1.lock": [],
    "empty.v2.lock": [],
    "metadata-only.v2.lock": [],
    "one-package.v1.lock": [("balanced-match", "1.0.2", 5)],
    "one-package.v2.lock": [("balanced-match", "1.0.2", 8)],
    "no-version.v1.lock": [("balanced-match", "1.0.2", 5)],
    "two-packages.v1.lock": [("concat-map", "0.0.1", 5), ("concat-stream", "1.6.2", 10)],
    "two-packages.v2.lock": [("compare-func", "2.0.0", 8), ("concat-map", "0.0.1", 18)],
    "with-quotes.v1.lock": [("concat-map", "0.0.1", 5), ("concat-stream", "1.6.2", 10)],
    "with-quotes.v2.lock": [("compare-func", "2.0.0", 8), ("concat-map", "0.0.1", 18)],
    "multiple-constraints.v1.lock": [
        ("domelementtype", "1.3.1", 5),
        ("@babel/code-frame", "7.12.13", 10),
    ],
    "multiple-versions.v1.lock": [
        ("define-properties", "1.1.3", 5),
        ("define-property", "0.2.5", 12),
        ("define-property", "1.0.0", 19),
        ("define-property", "2.0.2", 26),
    ],
    "multiple-versions.v2.lock": [
        ("debug", "4.3.3", 8),
        ("debug", "2.6.9", 20),
        ("debug", "3.2.7", 29),
    ],
    "scoped-packages.v1.lock": [
        ("@babel/code-frame", "7.12.11", 5),
        ("@babel/compat-data", "7.14.0", 12),
    ],
    "scoped-packages.v2.lock": [
        ("@babel/cli", "7.16.8", 8),
        ("@babel/code-frame", "7.16.7", 35),
        ("@babel/compat-data", "7.16.8", 44),
    ],
    # "ansi-regex-cjs@npm:ansi-regex@^5.0.0" is ansi-regex.
    "with-aliases.v1.lock": [
        ("ansi-regex", "5.0.1", 5),
        ("ansi-regex", "6.0.1", 10),
        ("@babel/helper-validator-identifier", "7.22.20", 15),
    ],
    "with-aliases.v2.lock": [
        ("ansi-regex", "5.0.1", 8),
        ("ansi-regex", "6.0.1", 15),
        ("@babel/helper-validator-identifier", "7.22.20", 22),
    ],
    "with-build-string.v1.lock": [("domino", "2.1.6+git", 5), ("tslib", "2.6.2", 10)],
    "with-build-string.v2.lock": [("domino", "2.1.6+git", 8), ("tslib", "2.6.2", 15)],
    "with-prerelease.v1.lock": [
        ("css-tree", "1.0.0-alpha.37", 5),
        ("gensync", "1.0.0-beta.2", 13),
        ("node-fetch", "3.0.0-beta.9", 18),
        ("resolve", "1.20.0", 26),
        ("resolve", "2.0.0-next.3", 34),
    ],
    # the workspace entry eslint-plugin-jest@workspace:. is the project itself
    "with-prerelease.v2.lock": [
        ("@nicolo-ribaudo/chokidar-2", "2.1.8-no-fsevents.3", 8),
        ("gensync", "1.0.0-beta.2", 15),
    ],
    "exclude-root.v2.lock": [("ansi-regex", "6.1.0", 16)],
    # git dependencies keep the version their package.json declares
    "commits.v1.lock": [
        ("mine1", "1.0.0-alpha.37", 5),
        ("mine2", "0.0.1", 11),
        ("mine3", "1.2.3", 17),
        ("mine4", "0.0.2", 21),
        ("mine4", "0.0.4", 25),
        ("my-package", "1.8.3", 29),
        ("@bower_components/angular-animate", "1.4.14", 33),
        ("@bower_components/alertify", "0.0.0", 37),
        ("minimist", "0.0.8", 41),
        ("bats-assert", "2.0.0", 45),
        ("bats-support", "0.3.0", 49),
        ("bats", "1.5.0", 53),
        ("vue", "2.6.12", 57),
        ("kit", "1.0.0", 61),
        ("casadistance", "1.0.0", 68),
        ("babel-preset-php", "1.1.1", 72),
        ("is-number", "2.0.0", 78),
        ("is-number", "5.0.0", 82),
    ],
    "commits.v2.lock": [
        ("@my-scope/my-first-package", "0.0.6", 8),
        ("my-second-package", "0.2.2", 12),
        ("@typegoose/typegoose", "7.2.0", 21),
        ("vuejs", "2.5.0", 37),
        ("my-third-package", "0.16.1-dev", 45),
        ("my-node-sdk", "1.1.0", 50),
        ("is-really-great", "1.0.0", 58),
    ],
}


@pytest.mark.parametrize("name", sorted(SHARED_ROWS))
def test_shared_lockfiles(shared: Path, name: str) -> None:
    packages = parse(shared / name)
    assert rows(packages) == SHARED_ROWS[name]
    assert {p.dev for p in packages} <= {None}  # yarn.lock does not say
    assert {p.ecosystem for p in packages} <= {"npm"}


def test_v1_does_not_know_direct_dependencies(shared: Path) -> None:
    assert {p.direct for p in parse(shared / "multiple-versions.v1.lock")} == {None}


def test_berry_direct_comes_from_workspace_entries(shared: Path) -> None:
    # mine@workspace:. depends on all three (two through aliases)
    assert {p.direct for p in parse(shared / "with-aliases.v2.lock")} == {True}
    # no workspace entry at all: unknown
    assert {p.direct for p in parse(shared / "multiple-versions.v2.lock")} == {None}
    # the workspace does not list these two (the file is cut down): not direct
    assert {p.direct for p in parse(shared / "with-prerelease.v2.lock")} == {False}


def test_local_files_are_unpinned_and_links_skipped(shared: Path) -> None:
    assert full(parse(shared / "files.v1.lock")) == [
        ("etag", "1.8.1", 5, None, None),
        ("filedep", None, 9, None, "file:../../correct/path/filedep"),
        ("lodash", "1.3.1", 12, None, None),
        ("other_package", None, 16, None, "file:./deps/other_package"),
        # one entry for "sprintf-js@file:./mocks/sprintf-js", sprintf-js@~1.0.2
        ("sprintf-js", None, 24, None, "file:./mocks/sprintf-js"),
        # "etag@link:./deps/etag" is a symlink to the project's own directory: skipped
    ]
    assert full(parse(shared / "files.v2.lock")) == [
        ("my-package", None, 8, None, "file:../../deps/my-local-package"),
    ]


# ------------------------------------------------------------------------ own edge cases


def test_v1_protocols_aliases_and_comments() -> None:
    assert full(parse(OWN / "protocols-and-aliases.v1.lock")) == [
        ("@types/node", "20.12.7", 5, None, None),
        ("string-width", "4.2.3", 12, None, None),
        # @scope/linked@link:... skipped
        ("vendored", None, 25, None, "file:./vendor/vendored-1.0.0.tgz"),
        # no version recorded: the resolved commit, with the credentials hidden
        (
            "private",
            None,
            29,
            None,
            "git+https://***@github.com/org/private.git#3b1bb80b302c2e552685dc8a029797ec832ea7c9",
        ),
        ("undici-types", "5.26.5", 32, None, None),
    ]


def test_v1_windows_line_endings() -> None:
    assert rows(parse(OWN / "crlf-line-endings.v1.lock")) == [
        ("balanced-match", "1.0.2", 5),
        ("brace-expansion", "1.1.11", 10),
    ]


def test_berry_protocols() -> None:
    packages = parse(OWN / "protocols.v2.lock")
    assert full(packages) == [
        # npm: and patch:fsevents@npm%3A2.3.3 are the same package
        ("fsevents", "2.3.3", 16, True, None),
        ("left-pad", "1.3.0", 33, True, None),
        # workspace:, link: and portal: entries are the project's own: skipped
        ("private", "1.4.0", 67, True, None),
        ("resolve", "1.22.8", 73, True, None),
        # 0.0.0-use.local is Berry's placeholder, not a version
        (
            "unpinned-git",
            None,
            86,
            False,
            "git+ssh://git@github.com/org/unpinned.git#commit=89abcdef0123456789abcdef0123456789abcdef",
        ),
        ("vendored", None, 92, True, "file:./vendor/vendored-1.0.0.tgz"),
    ]
    assert not any("s3cr3t" in repr(p) for p in packages)


def test_yaml_tags_never_execute() -> None:
    marker = Path("/tmp/glasshouse-yaml-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(ParseError, match=r"python/object/apply"):
        parse(OWN / "python-object-apply.v2.lock")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing-colon.v1.lock", "line 4: expected an entry header"),
        ("indented-before-first-entry.v1.lock", "line 3: indented line before the first entry"),
        ("unterminated-quote.v1.lock", "line 4: cannot read entry header"),
        ("truncated-header.v1.lock", "line 8: expected an entry header"),
        ("non-utf8-latin1.v1.lock", "not valid UTF-8"),
        ("binary-garbage.bin", "binary content"),
        ("entry-is-a-list.v2.lock", "is a list, expected an object"),
        ("truncated.v2.lock", "invalid YAML at line 8"),
        ("anchors-and-aliases.v2.lock", "anchors and aliases"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse(OWN / name)
    assert "\n" not in str(caught.value)
    assert name not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "# yarn lockfile v1\n",
        '# This file is generated by running "yarn install" inside your project.\n',
    ],
)
def test_empty_lockfiles_have_no_packages(text: str) -> None:
    assert yarnlock.EXTRACTOR.parse(Source(path="yarn.lock", data=text.encode())) == []


@pytest.mark.parametrize(
    ("base", "rel", "expected"),
    [
        ("yarn.lock", "yarn.lock", True),
        ("yarn.lock", "apps/web/yarn.lock", True),
        ("yarn.lock", "node_modules/x/yarn.lock", False),
        ("yarn-error.log", "yarn-error.log", False),
    ],
)
def test_matches(base: str, rel: str, expected: bool) -> None:
    assert yarnlock.EXTRACTOR.matches(base, rel) is expected
