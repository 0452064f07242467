"""pnpm-lock.yaml 5.x, 6.x and 9.x: expectations derived by reading each file."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import pnpmlock
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "javascript"
OWN = DATA / "pnpmlock"

Row = tuple[str, str | None, bool | None, bool | None]


def parse(path: Path) -> list[Package]:
    return pnpmlock.EXTRACTOR.parse(Source(path=f"ui/{path.name}", data=path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    """(name, version, direct, dev)"""
    return [(p.name, p.version, p.direct, p.dev) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "javascript" / "pnpmlock"


SHARED_ROWS: dict[str, list[Row]] = {
    "empty.yaml": [],
    "missing-packages.yaml": [],
    "no-packages.yaml": [],
    "no-packages.v9.yaml": [],
    "one-package.yaml": [("acorn", "8.7.0", True, False)],
    "one-package-dev.yaml": [("acorn", "8.7.0", True, False)],  # the file says dev: false
    "one-package-v6-lockfile.yaml": [("acorn", "8.7.0", True, False)],
    "one-package.v9.yaml": [("acorn", "8.11.3", True, False)],
    "one-package-dev.v9.yaml": [("acorn", "8.11.3", True, True)],
    "scoped-packages.yaml": [("@typescript-eslint/types", "5.13.0", True, False)],
    "scoped-packages-v6-lockfile.yaml": [("@typescript-eslint/types", "5.57.1", True, False)],
    "scoped-packages.v9.yaml": [("@typescript-eslint/types", "5.62.0", True, False)],
    "mixed-groups.v53.yaml": [
        ("ansi-regex", "5.0.1", True, False),
        ("is-number", "7.0.0", True, True),
        ("uuid", "8.3.2", True, False),
    ],
    "mixed-groups.v54.yaml": [
        ("ansi-regex", "5.0.1", True, False),
        ("is-number", "7.0.0", True, True),
        ("uuid", "8.3.2", True, False),
    ],
    "mixed-groups.v6.yaml": [
        ("ansi-regex", "5.0.0", True, False),
        ("is-number", "7.0.0", True, True),
        ("uuid", "8.0.0", True, False),
    ],
    # 9.x records no dev flag: it is derived from the importers through the snapshots
    "mixed-groups.v9.yaml": [
        ("ansi-regex", "5.0.1", True, False),
        ("is-number", "7.0.0", True, True),
        ("uuid", "8.3.2", True, False),
    ],
    "multiple-versions.yaml": [
        ("uuid", "3.3.2", False, False),
        ("uuid", "8.3.2", True, False),
        ("xmlbuilder", "9.0.7", False, False),
    ],
    # uuid@8.0.0 and xmlbuilder are reachable from no importer: dev unknown
    "multiple-versions.v9.yaml": [
        ("uuid", "8.0.0", False, None),
        ("uuid", "8.3.2", True, False),
        ("xmlbuilder", "11.0.1", False, None),
    ],
    # 5.x peer suffixes: 5.3.2_acorn@8.7.0
    "peer-dependencies.yaml": [
        ("acorn-jsx", "5.3.2", True, False),
        ("acorn", "8.7.0", True, False),
    ],
    # 6.x peer suffixes: 18.2.0(react@18.2.0)
    "peer-dependencies-v6.yaml": [
        ("js-tokens", "4.0.0", False, False),
        ("loose-envify", "1.4.0", False, False),
        ("react-dom", "18.2.0", True, False),
        ("react", "18.2.0", False, False),
        ("scheduler", "0.23.0", False, False),
    ],
    "peer-dependencies-advanced-rc-v6.yaml": [
        ("js-tokens", "4.0.0", False, False),
        ("loose-envify", "1.4.0", False, False),
        ("react-dom", "18.0.0-rc.3", True, False),
        ("react", "18.2.0", False, False),
        ("scheduler", "0.21.0", False, False),
    ],
    "peer-dependencies-advanced-v6.yaml": [
        ("js-tokens", "4.0.0", False, False),
        ("loose-envify", "1.4.0", False, False),
        ("react-dom", "18.3.0-canary-ab31a9ed2-20230824", True, False),
        ("react", "18.3.0-canary-ab31a9ed2-20230824", False, False),
        ("scheduler", "0.24.0-canary-ab31a9ed2-20230824", False, False),
    ],
    "peer-dependencies.v9.yaml": [
        ("acorn-jsx", "5.3.2", True, False),
        ("acorn", "8.11.3", False, False),
    ],
    # 5.x with a hashed peer suffix (5.13.0_33fffc354ccfa91fbe7d1677b9395a0a)
    "peer-dependencies-advanced.yaml": [
        ("@typescript-eslint/eslint-plugin", "5.13.0", True, False),
        ("@typescript-eslint/parser", "5.13.0", True, False),
        ("@typescript-eslint/type-utils", "5.13.0", False, False),
        ("@typescript-eslint/types", "5.13.0", False, False),
        ("@typescript-eslint/typescript-estree", "5.13.0", False, False),
        ("@typescript-eslint/utils", "5.13.0", False, False),
        ("eslint-utils", "3.0.0", False, False),
        ("eslint", "8.10.0", True, False),
        ("tsutils", "3.21.0", False, False),
    ],
    # nested peer suffixes in 9.x snapshots; has-flag and supports-color are only named
    # in transitivePeerDependencies, so no importer reaches them
    "peer-dependencies-advanced.v9.yaml": [
        ("@eslint-community/eslint-utils", "4.4.0", False, False),
        ("@eslint/eslintrc", "2.1.4", False, False),
        ("@typescript-eslint/eslint-plugin", "5.62.0", True, False),
        ("@typescript-eslint/parser", "5.62.0", True, False),
        ("@typescript-eslint/type-utils", "5.62.0", False, False),
        ("@typescript-eslint/typescript-estree", "5.62.0", False, False),
        ("@typescript-eslint/utils", "5.62.0", False, False),
        ("debug", "4.3.4", False, False),
        ("eslint", "8.57.0", True, False),
        ("has-flag", "4.0.0", False, None),
        ("supports-color", "7.2.0", False, None),
        ("tsutils", "3.21.0", False, False),
        ("typescript", "4.9.5", True, False),
    ],
    "multiple-packages.yaml": [
        ("aws-sdk", "2.1087.0", True, False),
        ("base64-js", "1.5.1", False, False),
        ("buffer", "4.9.2", False, False),
        ("events", "1.1.1", False, False),
        ("ieee754", "1.1.13", False, False),
        ("isarray", "1.0.0", False, False),
        ("jmespath", "0.16.0", False, False),
        ("punycode", "1.3.2", False, False),
        ("querystring", "0.2.0", False, False),
        ("sax", "1.2.1", False, False),
        ("url", "0.10.3", False, False),
        ("uuid", "3.3.2", False, False),
        ("xml2js", "0.4.19", False, False),
        ("xmlbuilder", "9.0.7", False, False),
    ],
    # git packages: name and version from the entry's own fields
    "commits.yaml": [
        ("my-bitbucket-package", "1.0.0", False, False),
        ("@my-scope/my-package", "1.0.0", True, False),
        ("@my-scope/my-other-package", "1.0.0", False, False),
        ("faker-parser", "0.0.1", False, False),
        ("mocks", "20.0.1", True, False),
    ],
    "commits.v9.yaml": [
        ("ansi-regex", "6.0.1", True, False),
        ("is-number", "7.0.0", True, False),
    ],
    # a tarball from a private registry, with name and version fields
    "tarball.yaml": [("@my-org/my-package", "3.2.3", True, True)],
}


@pytest.mark.parametrize("name", sorted(SHARED_ROWS))
def test_shared_lockfiles(shared: Path, name: str) -> None:
    assert rows(parse(shared / name)) == SHARED_ROWS[name]


def test_lines_point_at_the_package_keys(shared: Path) -> None:
    assert [(p.name, p.location.line) for p in parse(shared / "peer-dependencies-v6.yaml")] == [
        ("js-tokens", 14),
        ("loose-envify", 18),
        ("react-dom", 25),
        ("react", 35),
        ("scheduler", 42),
    ]
    assert {p.location.path for p in parse(shared / "one-package.v9.yaml")} == {
        "ui/one-package.v9.yaml"
    }


def test_exotic_keys(shared: Path) -> None:
    packages = parse(shared / "exotic.yaml")
    assert [(p.name, p.version, p.location.line, p.requirement) for p in packages] == [
        ("foo", "1.0.0", 10, None),
        ("@foo/bar", "1.0.0", 11, None),
        ("foo", "1.1.0", 12, None),  # registry.npmjs.org/foo/1.1.0
        ("@foo/bar", "1.1.0", 13, None),
        # a git repository without a version: unpinned, named after the repository
        ("is-positive", None, 14, "github.com/kevva/is-positive"),
        ("foo", "1.2.0", 15, None),  # example.com/foo/1.2.0
        ("foo", "1.3.0", 16, None),  # example.com/foo/1.3.0_bar@2.0.0
        ("foo", "1.4.0", 17, None),  # /foo/1.4.0_@types+babel__core@7.1.14
        ("foo", None, 18, "/foo/bar"),  # "bar" is no version: unpinned, never dropped
    ]
    assert {p.dev for p in packages} == {None}  # no entry says


def test_unreadable_keys_are_reported_unpinned(shared: Path) -> None:
    assert [(p.name, p.version, p.requirement) for p in parse(shared / "invalid-paths.yaml")] == [
        ("invalidpath1", None, "invalidpath1"),
        ("acorn", "8.7.0", None),
        ("invalidpath2", None, "invalidpath2"),
    ]
    assert [(p.name, p.version) for p in parse(shared / "invalid-path.yaml")] == [
        ("acorn", "8.7.0"),
        ("invalidpath", None),
    ]


def test_local_file_packages_are_unpinned(shared: Path) -> None:
    assert [(p.name, p.version, p.requirement) for p in parse(shared / "files.yaml")] == [
        ("my-file-package", None, "file:projects/package-a.tgz"),
        ("a-local-package", None, "file:../a-local-package"),
        ("a-nested-local-package", None, "file:../a-local-package/nested"),
        ("one-up", None, "file:.."),
        ("one-up-with-peer", None, "file:.._react-dom@18.2.0"),
        ("nameless-package", None, "file:../nameless-package"),  # no name field: the path's
    ]


def test_not_yaml(shared: Path) -> None:
    with pytest.raises(ParseError, match="top level is a string"):
        parse(shared / "not-yaml.txt")


# ------------------------------------------------------------------------ own edge cases


def test_v9_workspace_dev_graph() -> None:
    packages = parse(OWN / "workspace-dev-graph.v9.yaml")
    assert [
        (p.name, p.version, p.location.line, p.direct, p.dev, p.requirement) for p in packages
    ] == [
        # a git tarball with the version its package.json declares
        ("forked", "2.0.0", 39, True, False, None),
        ("js-tokens", "4.0.0", 43, False, False, None),
        ("local-pkg", None, 46, True, False, "file:vendor/local-pkg"),
        ("loose-envify", "1.4.0", 50, False, False, None),
        # a production dependency of packages/lib, and also used by vitest (dev)
        ("ms", "2.1.3", 54, True, False, None),
        ("react-dom", "18.2.0", 57, True, False, None),
        ("react", "18.2.0", 62, False, False, None),
        # string-width-cjs is an alias of string-width
        ("string-width", "4.2.3", 66, True, False, None),
        # reached only through vitest, a dev dependency
        ("tinypool", "0.8.4", 70, False, True, None),
        ("vitest", "1.6.0", 74, True, True, None),
    ]
    # @mono/lib (link:packages/lib) is the project's own workspace: not a package


def test_v6_peer_suffixes_and_shared_dev() -> None:
    # react is a dev dependency and a peer of a production one: pnpm omits "dev" for a
    # package in both, which means it ships.
    assert rows(parse(OWN / "peers-and-shared-dev.v6.yaml")) == [
        ("@tanstack/query-core", "5.40.0", False, False),
        ("@tanstack/react-query", "5.40.0", True, False),
        ("js-tokens", "4.0.0", False, False),
        ("loose-envify", "1.4.0", False, False),
        ("react", "18.3.1", True, False),
    ]


def test_yaml_tags_never_execute() -> None:
    marker = Path("/tmp/glasshouse-yaml-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(ParseError, match=r"python/object/apply"):
        parse(OWN / "python-object-apply.yaml")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.yaml", "invalid YAML at line 7"),
        ("anchors-and-aliases.yaml", "anchors and aliases"),
        ("packages-is-a-list.yaml", '"packages" is a list'),
        ("entry-is-a-string.v6.yaml", "'/acorn@8.11.3' is a string"),
        ("importer-dependencies-is-a-list.yaml", '"dependencies" is a list'),
        ("timestamp-out-of-range.yaml", "invalid YAML value"),
        ("top-level-is-a-list.yaml", "top level is a list"),
        ("non-utf8-latin1.yaml", "not valid UTF-8"),
        ("binary-garbage.bin", "binary content"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse(OWN / name)
    assert "\n" not in str(caught.value)
    assert name not in str(caught.value)


def test_empty_file_has_no_packages() -> None:
    assert parse(OWN / "empty.yaml") == []


@pytest.mark.parametrize(
    ("base", "rel", "expected"),
    [
        ("pnpm-lock.yaml", "pnpm-lock.yaml", True),
        ("pnpm-lock.yaml", "apps/ui/pnpm-lock.yaml", True),
        ("lock.yaml", "node_modules/.pnpm/lock.yaml", False),
        ("pnpm-workspace.yaml", "pnpm-workspace.yaml", False),
    ],
)
def test_matches(base: str, rel: str, expected: bool) -> None:
    assert pnpmlock.EXTRACTOR.matches(base, rel) is expected
