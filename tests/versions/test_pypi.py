"""PyPI: PEP 440 through packaging, legacy versions below it in setuptools' old order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.pypi import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_pre_post_dev_releases(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "1.0.dev0 < 1.0a1.dev1 < 1.0a1 < 1.0a1.post1 < 1.0b1 < 1.0rc1 < 1.0"
        " < 1.0+local < 1.0.post1.dev1 < 1.0.post1 < 1.1.dev1 < 1.1",
    )


def test_spellings_that_normalize_to_one_version(chain: ChainCheck) -> None:
    chain(SCHEME, "3.2 = 3.2.0 = 3.2.0.0 = v3.2 = V3.2.0")
    chain(SCHEME, "1.0a1 = 1.0-alpha1 = 1.0.alpha.1 = 1.0A1 = 1.0_a_1")
    chain(SCHEME, "1.0rc1 = 1.0c1 = 1.0-pre1 = 1.0.preview1 = 1.0RC1")
    chain(SCHEME, "1.0.post1 = 1.0-1 = 1.0-r1 = 1.0.rev1 = 1.0post1")
    chain(SCHEME, "1.0.dev0 = 1.0.dev = 1.0-dev0")


def test_epochs_outrank_everything_else(chain: ChainCheck) -> None:
    chain(SCHEME, "2024.1 < 1!0.1 < 1!1.0 < 2!0.0.dev0")
    chain(SCHEME, "0!1.0 = 1.0")


def test_local_versions(chain: ChainCheck) -> None:
    # local segments: numbers above words, more segments above fewer
    chain(SCHEME, "1.0 < 1.0+abc < 1.0+abc.1 < 1.0+abc.2 < 1.0+1 < 1.0+2 < 1.0+10 < 1.0.post0")
    chain(SCHEME, "1.0+ubuntu.1 = 1.0+ubuntu-1 = 1.0+ubuntu_1 = 1.0+Ubuntu.1")


def test_legacy_versions_sort_below_every_pep440_version(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0-SNAPSHOT < 0.0.0.dev0 < 0.0.1")
    chain(SCHEME, "9999.x-final < 0!0.0a0")
    chain(SCHEME, "latest < 0.dev0")


def test_legacy_versions_order_like_setuptools_parse_version(chain: ChainCheck) -> None:
    # "dev" sorts first, then pre-release words, the release, then other words
    chain(SCHEME, "1.0.x-dev < 1.0.x-alpha < 1.0.x-c1 = 1.0.x-rc1 = 1.0.x-pre1 < 1.0.x < 1.0.x-z")
    chain(SCHEME, "2004d < 2004e < 2004x < 2005d")  # "2004b" would be PEP 440 (2004b0)
    chain(SCHEME, "1.0-SNAPSHOT = 1.0-snapshot")
    # trailing zeros of a number series do not count
    chain(SCHEME, "1.x = 1.0.x = 1.0.0.x < 1.1.x")


def test_legacy_timestamp_versions_from_real_advisories(chain: ChainCheck) -> None:
    chain(SCHEME, "2013-01-21T20:33:09+0100 < 2013-01-23T17:11:52+0100 < 0.0.1")


def test_legacy_numbers_compare_as_integers(chain: ChainCheck) -> None:
    # setuptools padded numbers to eight digits and so put 1000000000 below 123456789
    chain(SCHEME, "1.123456789.x < 1.1000000000.x")


@pytest.mark.parametrize(
    "text", ["", " ", "not a version", "not a version!!", "1.0 beta", "%%%", "1,0", "*", "1.0\x00"]
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)


def test_surrounding_whitespace_is_allowed_as_in_pep440() -> None:
    assert SCHEME.parse(" 1.0\n") == SCHEME.parse("1.0")
