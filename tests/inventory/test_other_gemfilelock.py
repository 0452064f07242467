"""Gemfile.lock: real-world inputs and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.inventory import gemfilelock
from glasshouse.inventory.base import ParseError, Source
from glasshouse.model.package import Package

DATA = Path(__file__).resolve().parent.parent / "data" / "lockfiles" / "ruby" / "gemfilelock"

Row = tuple[str, str | None, int | None, bool | None]


def parse(path: Path) -> list[Package]:
    return gemfilelock.parse(Source("Gemfile.lock", path.read_bytes()))


def rows(packages: list[Package]) -> list[Row]:
    return [(p.name, p.version, p.location.line, p.direct) for p in packages]


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir / "lockfiles" / "ruby" / "gemfilelock"


def test_one_gem(shared: Path) -> None:
    packages = parse(shared / "one-gem.lock")
    assert rows(packages) == [("ast", "2.4.2", 4, True)]
    assert (packages[0].ecosystem, packages[0].dev, packages[0].requirement) == (
        "RubyGems",
        None,
        None,
    )


def test_some_gems(shared: Path) -> None:
    assert rows(parse(shared / "some-gems.lock")) == [
        ("coderay", "1.1.3", 4, False),
        ("method_source", "1.0.0", 5, False),
        ("pry", "0.14.1", 6, True),
    ]


def test_multiple_gems(shared: Path) -> None:
    assert rows(parse(shared / "multiple-gems.lock")) == [
        ("bundler-audit", "0.9.0.1", 4, True),
        ("coderay", "1.1.3", 7, False),
        ("dotenv", "2.7.6", 8, True),
        ("method_source", "1.0.0", 9, False),
        ("pry", "0.14.1", 10, True),
        ("thor", "1.2.1", 13, False),
    ]


def test_rubocop(shared: Path) -> None:
    got = rows(parse(shared / "rubocop.lock"))
    assert len(got) == 10
    assert ("rubocop", "1.25.1", 11, True) in got
    assert ("rubocop-ast", "1.16.0", 20, False) in got
    assert [row for row in got if row[3]] == [("rubocop", "1.25.1", 11, True)]


def test_rails_platform_suffix(shared: Path) -> None:
    got = rows(parse(shared / "rails.lock"))
    assert len(got) == 46
    assert ("nokogiri", "1.13.3", 104, False) in got  # 1.13.3-x86_64-linux
    assert [row for row in got if row[3]] == [("rails", "7.0.2.2", 110, True)]


def test_git_sections_are_read(shared: Path) -> None:
    assert rows(parse(shared / "has-git-gem.lock")) == [
        ("hanami-controller", "2.0.0.alpha1", 6, False),
        ("hanami-utils", "2.0.0.alpha1", 15, True),  # "hanami-utils!"
        ("concurrent-ruby", "1.1.7", 22, False),
        ("rack", "2.2.3", 23, False),
        ("transproc", "1.1.1", 24, False),
    ]


def test_path_sections_are_local_code(shared: Path) -> None:
    got = rows(parse(shared / "has-local-gem.lock"))
    assert "backbone-on-rails" not in {row[0] for row in got}
    assert len(got) == 29
    assert got[0] == ("actionpack", "7.0.2.2", 14, False)
    assert ("eco-source", "1.1.0.rc.1", 43, False) in got


def test_source_section_at_end(shared: Path) -> None:
    assert rows(parse(shared / "source-section-at-end.lock")) == [("ast", "2.4.2", 16, True)]


@pytest.mark.parametrize("name", ["no-gem-section.lock", "no-gems.lock", "no-spec-section.lock"])
def test_no_gems(shared: Path, name: str) -> None:
    assert parse(shared / name) == []


def test_spec_without_version_is_reported_unpinned(shared: Path) -> None:
    packages = parse(shared / "invalid.lock")
    assert rows(packages) == [("invalid-name", None, 4, False)]
    assert packages[0].requirement == "*"


def test_platform_variants_are_one_package() -> None:
    assert rows(parse(DATA / "platform-variants.lock")) == [
        ("mini_portile2", "2.8.5", 4, False),
        ("nokogiri", "1.15.4", 5, True),
        ("racc", "1.7.3", 12, False),
        ("sqlite3", "1.6.9", 13, True),
    ]


def test_checksums_and_plugin_source() -> None:
    assert rows(parse(DATA / "checksums-and-plugin-source.lock")) == [
        ("private-gem", "0.3.0", 5, True),
        ("rack", "3.0.8", 10, True),
    ]


def test_crlf_line_endings() -> None:
    assert rows(parse(DATA / "crlf-line-endings.lock")) == [
        ("rake", "13.1.0", 4, True),
        ("thor", "1.3.0", 5, False),
    ]


def test_without_dependencies_section_directness_is_unknown() -> None:
    assert rows(parse(DATA / "no-dependencies-section.lock")) == [("json", "2.7.1", 4, None)]


def test_path_gem_of_the_project_itself() -> None:
    assert rows(parse(DATA / "path-gem-is-local.lock")) == [("rack", "2.2.8", 10, False)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed-spec.lock", "malformed spec at line 4"),
        ("not-a-lockfile.lock", "no known section"),
        ("not-utf8.lock", "not valid UTF-8"),
    ],
)
def test_malformed(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(DATA / name)


def test_empty_file() -> None:
    assert gemfilelock.parse(Source("Gemfile.lock", b"")) == []
    assert gemfilelock.parse(Source("Gemfile.lock", b"\n\n  \n")) == []


def test_malformed_dependency_line() -> None:
    text = b"GEM\n  specs:\n    a (1.0)\n\nDEPENDENCIES\n  a (>= 1\n"
    with pytest.raises(ParseError, match="malformed dependency at line 6"):
        gemfilelock.parse(Source("Gemfile.lock", text))
