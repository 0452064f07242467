"""package-lock.json / npm-shrinkwrap.json: expectations derived by reading each file."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import packagelockjson
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "javascript"
OWN = DATA / "packagelockjson"

Row = tuple[str, str | None, bool | None]


def parse(path: Path) -> list[Package]:
    return packagelockjson.EXTRACTOR.parse(Source(path=f"app/{path.name}", data=path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.dev) for p in packages]


def full(
    packages: list[Package],
) -> list[tuple[str, str | None, int | None, bool | None, bool | None, str | None]]:
    return [(p.name, p.version, p.location.line, p.direct, p.dev, p.requirement) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "javascript" / "packagelockjson"


# ------------------------------------------------------------------- shared real-world data

SHARED_ROWS: dict[str, list[Row]] = {
    "empty.v1.json": [],
    "empty.v2.json": [],
    "one-package.v1.json": [("wrappy", "1.0.2", False)],
    "one-package.v2.json": [("wrappy", "1.0.2", False)],
    "one-package-dev.v1.json": [("wrappy", "1.0.2", True)],
    "one-package-dev.v2.json": [("wrappy", "1.0.2", True)],
    "two-packages.v1.json": [("wrappy", "1.0.2", False), ("supports-color", "5.5.0", False)],
    "two-packages.v2.json": [("wrappy", "1.0.2", False), ("supports-color", "5.5.0", False)],
    "both/package-lock.json": [("wrappy", "1.0.2", False), ("supports-color", "5.5.0", False)],
    "npm-shrinkwrap-only/npm-shrinkwrap.json": [
        ("wrappy", "1.0.2", False),
        ("supports-color", "5.5.0", False),
    ],
    "scoped-packages.v1.json": [("@babel/code-frame", "7.0.0", False), ("wrappy", "1.0.2", False)],
    "scoped-packages.v2.json": [("@babel/code-frame", "7.0.0", False), ("wrappy", "1.0.2", False)],
    # Aliases report the real package: "babel-code-frame": "npm:@babel/code-frame@7.0.0".
    "alias.v1.json": [
        ("@babel/code-frame", "7.0.0", False),
        ("string-width", "5.1.2", False),
        ("string-width", "4.2.0", False),
    ],
    "alias.v2.json": [
        ("@babel/code-frame", "7.0.0", False),
        ("string-width", "5.1.2", False),
        ("string-width", "4.2.0", False),
    ],
    "nested-dependencies.v1.json": [
        ("postcss", "6.0.23", False),
        ("postcss-calc", "7.0.1", False),
        ("postcss", "7.0.16", False),
        ("supports-color", "6.1.0", False),
        ("supports-color", "5.5.0", False),
    ],
    "nested-dependencies.v2.json": [
        ("postcss", "6.0.23", False),
        ("postcss-calc", "7.0.1", False),
        ("postcss", "7.0.16", False),
        ("supports-color", "6.1.0", False),
        ("supports-color", "5.5.0", False),
    ],
    # supports-color@6.1.0 is installed under six packages: reported once.
    "nested-dependencies-dup.v2.json": [
        ("supports-color", "6.1.0", False),
        ("supports-color", "2.0.0", False),
    ],
    # ajv@5.5.2 appears five times, dev in some places and not in others: one package,
    # and not dev, because some copy of it ships.
    "same-package-different-groups.v1.json": [
        ("ajv", "5.5.2", False),
        ("eslint", "1.2.3", True),
        ("table", "1.0.0", False),
    ],
    "same-package-different-groups.v2.json": [
        ("ajv", "5.5.2", False),
        ("eslint", "1.2.3", True),
        ("table", "1.0.0", False),
    ],
    # optional and devOptional ship in production; v1 "dev": true + "optional": true is dev.
    "optional-package.v1.json": [("wrappy", "1.0.2", True), ("supports-color", "5.5.0", False)],
    "optional-package.v2.json": [("wrappy", "1.0.2", False), ("supports-color", "5.5.0", False)],
    "bundled-dependencies.v3.json": [
        ("ansi-regex", "6.2.2", False),
        ("semver", "7.7.2", True),
        ("strip-ansi", "7.1.2", False),
    ],
}


@pytest.mark.parametrize("name", sorted(SHARED_ROWS))
def test_shared_lockfiles(shared: Path, name: str) -> None:
    assert rows(parse(shared / name)) == SHARED_ROWS[name]


def test_v2_direct_comes_from_the_root_declarations(shared: Path) -> None:
    # wrappy is a devDependency of the root, supports-color only a transitive dependency.
    packages = parse(shared / "optional-package.v2.json")
    assert [(p.name, p.direct) for p in packages] == [("wrappy", True), ("supports-color", False)]
    # The root declares nothing at all: direct is unknown, not "false for everything".
    assert {p.direct for p in parse(shared / "nested-dependencies.v2.json")} == {None}
    # v1 does not record the project's own dependencies.
    assert {p.direct for p in parse(shared / "nested-dependencies.v1.json")} == {None}


def test_lines_point_at_each_entry(shared: Path) -> None:
    assert [(p.name, p.location.line) for p in parse(shared / "nested-dependencies.v2.json")] == [
        ("postcss", 10),
        ("postcss-calc", 23),
        ("postcss", 34),
        ("supports-color", 47),
        ("supports-color", 58),
    ]
    # v1: the nested "postcss" is found after its parent, not at the first "postcss" key.
    assert [(p.name, p.location.line) for p in parse(shared / "nested-dependencies.v1.json")] == [
        ("postcss", 5),
        ("postcss-calc", 15),
        ("postcss", 26),
        ("supports-color", 36),
        ("supports-color", 46),
    ]
    assert {p.location.path for p in parse(shared / "alias.v2.json")} == {"app/alias.v2.json"}


def test_v1_git_dependencies_are_unpinned_with_the_url_and_no_credentials(shared: Path) -> None:
    packages = {(p.name, p.location.line): p for p in parse(shared / "commits.v1.json")}
    assert len(packages) == 15
    pixel = packages[("@segment/analytics.js-integration-facebook-pixel", 5)]
    assert pixel.version is None
    assert pixel.requirement == (
        "git+ssh://git@github.com/segmentio/analytics.js-integrations.git"
        "#3b1bb80b302c2e552685dc8a029797ec832ea7c9"
    )
    assert packages[("babel-preset-php", 24)].requirement == (
        "gitlab:kornelski/babel-preset-php#c5a7ba5e0ad98b8db1cb8ce105403dd4b768cced"
    )
    token = packages[("is-number-5", 55)]
    assert token.version is None
    assert token.requirement is not None
    assert "dummy-token" not in token.requirement
    assert token.requirement.startswith("git+https://***@github.com/jonschlinkert/is-number.git")
    assert packages[("ansi-styles", 19)].version == "1.0.0"
    assert packages[("postcss-calc", 70)].version == "7.0.1"
    assert [p.name for p in packages.values() if p.version is None and p.dev] == [
        "is-number-1",
        "is-number-3",
        "is-number-4",
        "is-number-5",
        "is-number-6",
        "is-number-1",
        "is-number-3",
        "slick-carousel",
    ]


def test_v2_git_dependencies_keep_their_recorded_version(shared: Path) -> None:
    packages = parse(shared / "commits.v2.json")
    assert [(p.name, p.version, p.dev, p.direct) for p in packages] == [
        ("@segment/analytics.js-integration-facebook-pixel", "2.4.1", False, True),
        ("ansi-styles", "1.0.0", False, False),
        ("babel-preset-php", "1.1.1", True, True),
        ("is-number-1", "3.0.0", True, True),
        ("is-number-2", "2.0.0", True, True),
        ("is-number-3", "2.0.0", True, True),
        ("is-number-4", "3.0.0", True, True),
        ("is-number-5", "3.0.0", True, True),
        ("postcss-calc", "7.0.1", False, False),
        ("is-number-3", "3.0.0", True, False),
        ("raven-js", None, False, True),
        ("slick-carousel", "1.7.1", True, True),
    ]
    raven = packages[10]
    assert raven.requirement == (
        "git+ssh://git@github.com/getsentry/raven-js.git#c2b377e7a254264fd4a1fe328e4e3cfc9e245570"
    )


def test_local_file_dependencies_are_unpinned(shared: Path) -> None:
    assert full(parse(shared / "files.v1.json")) == [
        ("lodash", "1.3.1", 5, None, False, None),
        ("other_package", None, 10, None, False, "file:deps/other_package"),
    ]
    # "deps/etag" is a local directory installed by copy (no link points at it); what is
    # installed inside it is reported like anything else.
    assert full(parse(shared / "files.v2.json")) == [
        ("etag", None, 16, None, True, "file:deps/etag"),
        ("abbrev", "1.0.9", 36, False, True, None),
        ("abbrev", "2.3.4", 42, False, True, None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [("not-json.txt", "invalid JSON at line 1"), ("null.v2.jsontest", "not a JSON object")],
)
def test_shared_malformed(shared: Path, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(shared / name)


# ------------------------------------------------------------------------ own edge cases


def test_workspaces_links_and_local_copies() -> None:
    assert full(parse(OWN / "workspaces-and-links.v3.json")) == [
        # declared by packages/lib, hoisted to the root node_modules
        ("debug", "4.3.4", 29, True, False, None),
        # declared by packages/app, hoisted
        ("lodash", "4.17.21", 41, True, False, None),
        # debug's dependency; packages/app has its own ms 2.0.0 below
        ("ms", "2.1.2", 46, False, False, None),
        ("typescript", "5.4.5", 51, True, True, None),
        # a file: tarball: a local path, not a registry version
        ("vendored", None, 64, True, False, "file:vendor/vendored-1.2.0.tgz"),
        ("ms", "2.0.0", 78, True, False, None),
        # a local directory that is neither a workspace nor a link target
        ("old-copy", None, 94, None, False, "file:vendor/old-copy"),
    ]
    # Skipped: the links (@mono/app, @mono/lib, local-tool) and the directories they
    # point to (packages/app, packages/lib, tools/local-tool): the project's own code.


def test_dev_optional_and_peer_flags() -> None:
    assert [
        (p.name, p.version, p.direct, p.dev) for p in parse(OWN / "dev-optional-flags.v3.json")
    ] == [
        ("dev-dep", "1.0.1", True, True),
        ("dev-only-optional", "1.0.5", False, True),
        ("dev-or-optional", "1.0.4", False, False),
        ("optional-dep", "1.0.2", True, False),
        ("peer-dep", "1.0.3", True, False),
        ("prod-dep", "1.0.0", True, False),
    ]


def test_scoped_nested_and_aliased_names() -> None:
    # node_modules/my-lodash is lodash under an alias: same (name, version) as the real
    # lodash, reported once at the first entry.
    assert full(parse(OWN / "scoped-nested-alias.v3.json")) == [
        ("@babel/core", "7.24.0", 14, True, False, None),
        ("@babel/generator", "7.23.6", 17, False, False, None),
        ("jsesc", "2.5.2", 20, False, False, None),
        ("lodash", "4.17.21", 23, True, False, None),
    ]


def test_git_credentials_never_reach_the_report() -> None:
    packages = parse(OWN / "git-and-credentials.v2.json")
    assert full(packages) == [
        ("forked", "2.0.0", 13, True, False, None),
        (
            "private-pkg",
            None,
            17,
            True,
            False,
            "git+https://***@github.com/org/private-pkg.git#89abcdef0123456789abcdef0123456789abcdef",
        ),
        ("unknown", None, 20, True, False, None),
    ]
    assert not any("s3cr3t" in repr(p) for p in packages)


def test_v1_lines_follow_document_order() -> None:
    assert full(parse(OWN / "nested-lines.v1.json")) == [
        ("a", "1.0.0", 6, None, False, None),
        ("b", "1.0.0", 12, None, False, None),
        ("c", "1.0.0", 15, None, False, None),
        ("b", "2.0.0", 22, None, False, None),
        ("c", "2.0.0", 25, None, True, None),
        ("c", "3.0.0", 29, None, False, None),
        ("local", None, 32, None, False, "file:../local"),
    ]


def test_minified_json_is_all_line_one() -> None:
    assert full(parse(OWN / "minified.v3.json")) == [
        ("a", "1.0.0", 1, True, False, None),
        ("b", "2.0.0", 1, False, True, None),
    ]


@pytest.mark.parametrize("name", ["utf8-bom.v3.json", "utf16-le-bom.v3.json"])
def test_byte_order_marks(name: str) -> None:
    assert full(parse(OWN / name)) == [("wrappy", "1.0.2", 5, True, False, None)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.json", "empty file"),
        ("truncated.v3.json", "invalid JSON at line 8"),
        ("top-level-is-a-list.json", "top level is not a JSON object"),
        ("packages-is-a-list.v3.json", '"packages" is a list'),
        ("entry-is-a-string.v3.json", "'node_modules/wrappy' is a string"),
        ("version-is-a-number.v3.json", "'version' is a number"),
        ("nested-dependencies-is-a-list.v1.json", "dependencies of 'wrappy' is a list"),
        ("non-utf8-latin1.v3.json", "not valid UTF-8"),
        ("binary-garbage.bin", "binary content"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse(OWN / name)
    assert "\n" not in str(caught.value)
    assert name not in str(caught.value)


@pytest.mark.parametrize(
    ("base", "rel", "expected"),
    [
        ("package-lock.json", "package-lock.json", True),
        ("npm-shrinkwrap.json", "web/npm-shrinkwrap.json", True),
        ("package-lock.json", "web/node_modules/left-pad/package-lock.json", False),
        (".package-lock.json", "node_modules/.package-lock.json", False),
        ("package.json", "package.json", False),
    ],
)
def test_matches(base: str, rel: str, expected: bool) -> None:
    assert packagelockjson.EXTRACTOR.matches(base, rel) is expected
