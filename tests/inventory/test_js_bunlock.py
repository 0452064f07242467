"""bun.lock: expectations derived by reading each file."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import bunlock
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "javascript"
OWN = DATA / "bunlock"

Row = tuple[str, str | None, bool | None, bool | None]


def parse(path: Path) -> list[Package]:
    return bunlock.EXTRACTOR.parse(Source(path=f"svc/{path.name}", data=path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, direct, dev)"""
    return [(p.name, p.version, p.direct, p.dev) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "javascript" / "bunlock"


SHARED_ROWS: dict[str, list[Row]] = {
    "empty.json5": [],
    "no-packages.json5": [],
    "one-package.json5": [("wrappy", "1.0.2", True, False)],
    "one-package-dev.json5": [("wrappy", "1.0.2", True, False)],  # declared in dependencies
    "two-packages.json5": [("has-flag", "4.0.0", True, False), ("wrappy", "1.0.2", True, False)],
    "scoped-packages.json5": [("@typescript-eslint/types", "5.62.0", True, False)],
    "scoped-packages-mixed.json5": [
        ("@babel/code-frame", "7.26.2", True, False),
        ("@babel/helper-validator-identifier", "7.25.9", False, False),
        ("js-tokens", "4.0.0", False, False),
        ("picocolors", "1.1.1", False, False),
        ("wrappy", "1.0.2", True, True),
    ],
    # "supports-color-old": ["supports-color@6.1.0", ...] is supports-color
    "alias.json5": [
        ("has-flag", "4.0.0", False, False),
        ("supports-color", "7.2.0", True, False),
        ("supports-color", "6.1.0", True, False),
        ("has-flag", "3.0.0", False, False),
    ],
    "optional-package.json5": [
        ("acorn", "8.14.0", True, False),
        ("fsevents", "0.3.8", True, False),
        ("nan", "2.22.0", False, False),
    ],
    # acorn is installed as acorn-jsx's peer
    "peer-dependencies-implicit.json5": [
        ("acorn", "8.14.0", False, False),
        ("acorn-jsx", "5.3.2", True, False),
    ],
    "peer-dependencies-explicit.json5": [
        ("acorn", "8.14.0", True, False),
        ("acorn-jsx", "5.3.2", True, False),
    ],
    "same-package-different-groups.json5": [
        ("has-flag", "3.0.0", True, False),  # a devDependency, but also supports-color's
        ("supports-color", "5.5.0", True, False),
    ],
    # chalk is a devDependency: what only chalk reaches is dev; chalk/supports-color is
    # chalk's own copy, chalk/supports-color/has-flag its own
    "nested-dependencies.json5": [
        ("ansi-styles", "4.3.0", False, True),
        ("chalk", "4.1.2", True, True),
        ("color-convert", "2.0.1", False, True),
        ("color-name", "1.1.4", False, True),
        ("has-flag", "2.0.0", True, False),
        ("supports-color", "5.5.0", True, False),
        ("supports-color", "7.2.0", False, True),
        ("has-flag", "3.0.0", False, False),
        ("has-flag", "4.0.0", False, True),
    ],
    # here chalk resolves to the top-level supports-color, a production dependency
    "nested-dependencies-dup.json5": [
        ("ansi-styles", "4.3.0", False, True),
        ("chalk", "4.1.2", True, True),
        ("color-convert", "2.0.1", False, True),
        ("color-name", "1.1.4", False, True),
        ("has-flag", "2.0.0", True, False),
        ("supports-color", "7.2.0", True, False),
        ("has-flag", "4.0.0", False, False),
    ],
}


@pytest.mark.parametrize("name", sorted(SHARED_ROWS))
def test_shared_lockfiles(shared: Path, name: str) -> None:
    assert rows(parse(shared / name)) == SHARED_ROWS[name]


def test_git_and_local_references_are_unpinned(shared: Path) -> None:
    packages = parse(shared / "commits.json5")
    assert [
        (p.name, p.version, p.location.line, p.direct, p.dev, p.requirement) for p in packages
    ] == [
        ("@babel/helper-plugin-utils", "7.26.5", 22, False, True, None),
        ("@babel/helper-string-parser", "7.25.9", 24, False, True, None),
        ("@babel/helper-validator-identifier", "7.25.9", 26, False, True, None),
        ("@babel/parser", "7.26.5", 28, False, True, None),
        ("@babel/types", "7.26.5", 30, False, True, None),
        ("@prettier/sync", None, 32, True, True, "github:prettier/prettier-synchronized#527e8ce"),
        (
            "babel-preset-php",
            None,
            34,
            True,
            True,
            "git+ssh://gitlab:kornelski/babel-preset-php#1ae6dc1267500360b411ec711b8aeac8c68b2246",
        ),
        # three aliases of is-number at three commits: three packages
        ("is-number", None, 36, True, True, "github:jonschlinkert/is-number#98e8ff1"),
        ("is-number", None, 38, True, True, "github:jonschlinkert/is-number#d5ac058"),
        ("is-number", None, 40, True, True, "github:jonschlinkert/is-number#b7aef34"),
        ("jquery", "3.7.1", 42, False, True, None),  # slick-carousel's peer
        ("lodash", "1.3.1", 44, True, False, None),
        ("make-synchronized", "0.2.9", 46, False, True, None),
        ("php-parser", "2.2.0", 48, False, True, None),
        ("prettier", "3.4.2", 50, False, True, None),
        ("raven-js", None, 52, True, True, "github:getsentry/raven-js#91ef2d4"),
        ("slick-carousel", None, 54, True, True, "github:brianfryer/slick#fc6f7d8"),
        ("stopwords", "0.0.1", 56, True, False, None),
    ]
    assert [(p.name, p.version, p.requirement) for p in parse(shared / "files.json5")] == [
        ("etag", None, "file:deps/etag"),
        ("lodash", "1.3.1", None),
    ]
    assert [(p.name, p.requirement) for p in parse(shared / "blog-sample.json5")] == [
        ("uWebSockets.js", "github:uNetworking/uWebSockets.js#6609a88"),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-json.txt", "invalid JSON at line 1"),
        # a packages entry whose first element is not "name@version": the file cannot
        # say what is installed there, so it is not read as if it were complete
        ("bad-tuple.json5", "'wrappy-bad1' is not a"),
    ],
)
def test_shared_malformed(shared: Path, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(shared / name)


# ------------------------------------------------------------------------ own edge cases


def test_workspaces_protocols_and_comments() -> None:
    packages = parse(OWN / "workspaces-and-protocols.lock")
    assert [
        (p.name, p.version, p.location.line, p.direct, p.dev, p.requirement) for p in packages
    ] == [
        # @mono/ui@workspace:packages/ui is the project's own: skipped; its react is
        # installed under it and declared by it
        ("react", "18.3.1", 28, True, False, None),
        ("js-tokens", "4.0.0", 30, False, False, None),
        (
            "left-pad",
            None,
            32,
            True,
            False,
            "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
        ),
        # local-dev@link:local-dev skipped
        ("loose-envify", "1.4.0", 36, False, False, None),
        ("chalk", "5.3.0", 39, True, False, None),  # the alias my-chalk
        ("typescript", "5.4.5", 41, True, True, None),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.lock", "empty file"),
        ("truncated.lock", "invalid JSON at line 10"),
        ("packages-is-a-list.lock", '"packages" is a list'),
        ("entry-is-a-string.lock", "'wrappy' is not a"),
        ("entry-is-an-empty-array.lock", "'wrappy' is not a"),
        ("workspace-dependencies-is-a-list.lock", "dependencies of workspace '' is a list"),
        ("non-utf8-latin1.lock", "not valid UTF-8"),
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
        ("bun.lock", "bun.lock", True),
        ("bun.lock", "services/api/bun.lock", True),
        ("bun.lockb", "bun.lockb", False),  # the binary format
        ("bun.lock", "node_modules/x/bun.lock", False),
    ],
)
def test_matches(base: str, rel: str, expected: bool) -> None:
    assert bunlock.EXTRACTOR.matches(base, rel) is expected
