"""go.mod (and go.sum for pre-1.17 modules): real-world inputs and edge cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from glasshouse.inventory import gomod
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "golang" / "gomod"

Row = tuple[str, str | None, str, int | None, bool | None]


def _reader(path: Path, sum_file: Path | None) -> Callable[[str], bytes]:
    def read_relative(name: str) -> bytes:
        target = sum_file if name == "go.sum" and sum_file is not None else path.parent / name
        if not target.is_file():
            raise ParseError("missing")
        return target.read_bytes()

    return read_relative


def parse(path: Path, sum_file: Path | None = None, *, readable: bool = True) -> list[Package]:
    reader = _reader(path, sum_file) if readable else None
    return gomod.parse(Source(f"svc/{path.name}", path.read_bytes(), reader))


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.location.path, p.location.line, p.direct) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "golang" / "gomod"


def test_two_packages(shared: Path) -> None:
    assert rows(parse(shared / "two-packages.mod")) == [
        ("stdlib", "1.17.0", "svc/two-packages.mod", 3, None),
        ("github.com/BurntSushi/toml", "v1.0.0", "svc/two-packages.mod", 6, True),
        ("gopkg.in/yaml.v2", "v2.4.0", "svc/two-packages.mod", 7, True),
    ]


def test_one_package_without_go_directive(shared: Path) -> None:
    # No go directive: no stdlib, and (no go.sum beside it) only the require.
    assert rows(parse(shared / "one-package.mod")) == [
        ("github.com/BurntSushi/toml", "v1.0.0", "svc/one-package.mod", 4, True),
    ]


def test_indirect_comments(shared: Path) -> None:
    got = {(p.name, p.version, p.direct) for p in parse(shared / "indirect-packages.mod")}
    assert got == {
        ("stdlib", "1.17.0", None),
        ("github.com/BurntSushi/toml", "v1.0.0", True),
        ("gopkg.in/yaml.v2", "v2.4.0", True),
        ("github.com/mattn/go-colorable", "v0.1.9", False),
        ("github.com/mattn/go-isatty", "v0.0.14", False),
        ("golang.org/x/sys", "v0.0.0-20210630005230-0f9fa26af87c", False),
    }


def test_go_1_16_adds_go_sum_modules_as_indirect(shared: Path) -> None:
    got = rows(parse(shared / "indirect-1.16.mod", shared / "indirect-1.16.sum"))
    assert got == [
        ("stdlib", "1.16.0", "svc/indirect-1.16.mod", 3, None),
        ("github.com/sirupsen/logrus", "v1.9.3", "svc/indirect-1.16.mod", 5, True),
        # Only modules whose content is hashed; /go.mod-only lines (objx, check.v1)
        # and the older go-spew v1.1.0 are not part of the build. Located in go.mod,
        # which names them on no line.
        ("github.com/davecgh/go-spew", "v1.1.1", "svc/indirect-1.16.mod", None, False),
        ("github.com/pmezard/go-difflib", "v1.0.0", "svc/indirect-1.16.mod", None, False),
        ("github.com/stretchr/testify", "v1.7.0", "svc/indirect-1.16.mod", None, False),
        (
            "golang.org/x/sys",
            "v0.0.0-20220715151400-c0bba94af5f8",
            "svc/indirect-1.16.mod",
            None,
            False,
        ),
        (
            "gopkg.in/yaml.v3",
            "v3.0.0-20200313102051-9f266ea9e77c",
            "svc/indirect-1.16.mod",
            None,
            False,
        ),
    ]


def test_go_1_23_does_not_read_go_sum(shared: Path) -> None:
    # The .sum beside it is deliberately garbage: reading it would show.
    got = rows(parse(shared / "indirect-1.23.mod", shared / "indirect-1.23.sum"))
    assert got == [
        ("stdlib", "1.23.0", "svc/indirect-1.23.mod", 3, None),
        ("github.com/sirupsen/logrus", "v1.9.3", "svc/indirect-1.23.mod", 5, True),
        (
            "golang.org/x/sys",
            "v0.0.0-20220715151400-c0bba94af5f8",
            "svc/indirect-1.23.mod",
            7,
            False,
        ),
    ]


def test_go_sum_missing_or_unreadable_is_fine(shared: Path) -> None:
    assert len(parse(shared / "indirect-1.16.mod")) == 2  # no .sum beside it
    assert len(parse(shared / "indirect-1.16.mod", readable=False)) == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("toolchain.mod", "1.23.6"),
        ("toolchain-with-suffix.mod", "1.23.6"),
    ],
)
def test_toolchain_wins_over_go(shared: Path, name: str, expected: str) -> None:
    stdlib = [p for p in parse(shared / name) if p.name == "stdlib"]
    assert [(p.version, p.location.line) for p in stdlib] == [(expected, 5)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "replace-one.mod",
            [("example.com/fork/net", "v1.4.5", 5)],
        ),
        (
            "replace-different.mod",
            [("example.com/fork/foe", "v1.4.5", 7), ("example.com/fork/foe", "v1.4.2", 8)],
        ),
        (
            "replace-mixed.mod",
            [("example.com/fork/net", "v1.4.5", 7), ("golang.org/x/net", "v0.5.6", 3)],
        ),
        (
            # A replacement without an old version applies to every version: both
            # requires become the same module version, reported once.
            "replace-no-version.mod",
            [("example.com/fork/net", "v1.4.5", 7)],
        ),
        (
            "replace-not-required.mod",
            [("golang.org/x/net", "v0.5.6", 2), ("github.com/BurntSushi/toml", "v1.0.0", 3)],
        ),
        (
            # Replaced by a local directory: not registry code, not reported.
            "replace-local.mod",
            [("github.com/BurntSushi/toml", "v1.0.0", 3)],
        ),
    ],
)
def test_replace(shared: Path, name: str, expected: list[tuple[str, str, int]]) -> None:
    assert [(p.name, p.version, p.location.line) for p in parse(shared / name)] == expected


def test_empty_file_has_no_packages(shared: Path) -> None:
    assert parse(shared / "empty.mod") == []


def test_not_a_go_mod(shared: Path) -> None:
    with pytest.raises(ParseError, match="unknown directive 'this' at line 1"):
        parse(shared / "not-go-mod.mod")


def test_every_directive_form() -> None:
    got = {(p.name, p.version, p.direct) for p in parse(DATA / "quoted-paths-and-comments.mod")}
    assert got == {
        ("stdlib", "1.21.0", None),
        ("github.com/quoted/double", "v1.2.3", True),
        ("github.com/quoted/back", "v0.4.0", False),
        ("github.com/plain/mod", "v2.0.0+incompatible", True),
        ("github.com/semi/colon", "v1.0.0", False),  # "// indirect; reason"
        ("github.com/not/indirect", "v1.1.0", True),  # "// indirectly ..." is not the marker
    }


def test_release_candidate_toolchain() -> None:
    assert rows(parse(DATA / "toolchain-rc.mod"))[0] == (
        "stdlib",
        "1.22.0-rc.2",
        "svc/toolchain-rc.mod",
        5,
        None,
    )


def test_go_directive_alone_gives_the_standard_library() -> None:
    assert rows(parse(DATA / "go-directive-only.mod")) == [
        ("stdlib", "1.21.0", "svc/go-directive-only.mod", 3, None)
    ]


def test_crlf_line_endings() -> None:
    assert rows(parse(DATA / "crlf-line-endings.mod")) == [
        ("stdlib", "1.20.0", "svc/crlf-line-endings.mod", 3, None),
        ("github.com/crlf/one", "v1.0.0", "svc/crlf-line-endings.mod", 6, True),
        ("github.com/crlf/two", "v2.1.0", "svc/crlf-line-endings.mod", 7, False),
    ]


def test_directory_replacements_of_every_shape() -> None:
    got = [
        (p.name, p.version, p.location.line)
        for p in parse(DATA / "replace-windows-and-rooted-paths.mod")
    ]
    assert got == [
        ("stdlib", "1.21.0", 3),
        # A version-specific replacement beats the wildcard one declared after it.
        ("github.com/kept/fork", "v1.0.1", 19),
    ]


def test_go_1_16_with_go_sum() -> None:
    directory = DATA / "go116-with-sum"
    got = rows(parse(directory / "go.mod", directory / "go.sum"))
    assert got == [
        ("stdlib", "1.16.0", "svc/go.mod", 3, None),
        ("github.com/direct/one", "v1.2.0", "svc/go.mod", 6, True),
        ("github.com/replaced/new", "v1.1.0", "svc/go.mod", 10, True),
        # Highest of v0.9.0, v0.10.0-rc.1, v0.10.0 (semver order, not text order).
        ("github.com/transitive/two", "v0.10.0", "svc/go.mod", None, False),
        ("golang.org/x/sys", "v0.0.0-20220715151400-c0bba94af5f8", "svc/go.mod", None, False),
    ]


def test_go_1_17_ignores_go_sum() -> None:
    directory = DATA / "go117-ignores-sum"
    assert [p.name for p in parse(directory / "go.mod", directory / "go.sum")] == [
        "stdlib",
        "github.com/direct/one",
    ]


def test_missing_go_directive_reads_go_sum_as_go_1_16_does() -> None:
    directory = DATA / "no-go-directive-with-sum"
    got = rows(parse(directory / "go.mod", directory / "go.sum"))
    assert got == [
        ("github.com/direct/one", "v1.2.0", "svc/go.mod", 3, True),
        ("github.com/transitive/two", "v0.9.0", "svc/go.mod", None, False),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unterminated-block.mod", "unterminated require block"),
        ("require-without-version.mod", "invalid require at line 5"),
        ("replace-module-without-version.mod", "needs a version"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(DATA / name)


@pytest.mark.parametrize(
    "text",
    [
        'require "github.com/unterminated v1.0.0\n',
        "go banana\n",
        "toolchain\n",
        "replace a v1.0.0 b v1.0.1\n",
        "replace a => b c d\n",
        "require (\n)\n)\n",
        "require (\n(\n",
    ],
)
def test_malformed_lines(text: str) -> None:
    with pytest.raises(ParseError):
        gomod.parse(Source("go.mod", text.encode()))


def test_versions_keep_their_v_prefix_and_stdlib_has_none() -> None:
    packages = gomod.parse(Source("go.mod", b"go 1.22.3\nrequire a.example/b v1.2.3\n"))
    assert [(p.name, p.version) for p in packages] == [
        ("stdlib", "1.22.3"),
        ("a.example/b", "v1.2.3"),
    ]
