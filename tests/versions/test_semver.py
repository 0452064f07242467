"""SemVer 2.0 for npm, crates.io and Go, with the leniency real data needs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.semver import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_precedence_example_of_the_spec(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2"
        " < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1",
    )


def test_prerelease_identifiers() -> None:
    parse = SCHEME.parse
    assert parse("1.0.0-2") < parse("1.0.0-10")  # numeric: by value
    assert parse("1.0.0-10") < parse("1.0.0-1a")  # numeric below alphanumeric
    assert parse("1.0.0-B") < parse("1.0.0-a")  # alphanumeric: ASCII, case matters
    assert parse("1.0.0-a.b") < parse("1.0.0-a.b.0")  # more fields above fewer
    assert parse("1.0.0-x-y") > parse("1.0.0-x")  # a hyphen inside an identifier
    # "01" is no numeric identifier, so it is not the version "1"
    assert parse("1.0.0-01") != parse("1.0.0-1")


def test_build_metadata_is_ignored(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.0-rc.1+build.1 = 1.0.0-rc.1+build.2 < 1.0.0+zzz = 1.0.0 = 1.0.0+001")


def test_missing_and_extra_components(chain: ChainCheck) -> None:
    chain(SCHEME, "1 = 1.0 = 1.0.0 = 1.0.0.0 < 1.0.0.1 < 1.0.1 < 1.2 = 1.2.0 < 1.2.0.1")
    chain(SCHEME, "1.2-beta = 1.2.0-beta < 1.2")


def test_leading_v_and_whitespace(chain: ChainCheck) -> None:
    chain(SCHEME, "v1.2.3 = 1.2.3 = V1.2.3 = \t1.2.3")


def test_go_incompatible_and_pseudo_versions(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "v0.0.0-20191109021931-daa7c04131f5 < v0.0.0-20200101000000-000000000000 < v0.0.0"
        " < v1.2.3 < v1.2.4-0.20191109021931-daa7c04131f5 < v1.2.4-pre"
        " < v1.2.4-pre.0.20191109021931-daa7c04131f5 < v1.2.4",
    )
    chain(SCHEME, "v2.0.0-rc.1+incompatible < v2.0.0+incompatible = v2.0.0 < v2.0.1+incompatible")


def test_numbers_are_unbounded(chain: ChainCheck) -> None:
    chain(SCHEME, "18446744073709551615.0.0 < 18446744073709551616.0.0")
    chain(SCHEME, "1.0.0-18446744073709551616 < 1.0.0-a")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v",
        "not a version",
        "1.0.0 beta",
        "1..2",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-beta..1",
        "1.2.x",
        "^1.2.3",
        ">=1.2.3",
        "=1.2.3",
        "1.2.3-beta_1",
        "1.2.3+build+again",
    ],
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
