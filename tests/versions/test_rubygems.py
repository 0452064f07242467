"""RubyGems: Gem::Version order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.rubygems import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_letters_make_prereleases(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "0.9 < 1.0.a < 1.0.a.1 < 1.0.a2 = 1.0.a.2 < 1.0.a10 < 1.0.b1 < 1.0.rc1 = 1.0.0.rc.1"
        " < 1.0 = 1 = 1.0.0 < 1.0.1 < 1.1",
    )
    chain(SCHEME, "1.2.4.beta < 1.2.4.gamma < 1.2.4 < 1.2.5.alpha")
    chain(SCHEME, "1beta < 1 < 1.0.1")


def test_hyphen_means_pre(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0-rc1 = 1.0.pre.rc1 < 1.0.rc1 < 1.0")
    chain(SCHEME, "1.0-1 = 1.0.pre.1 < 1.0")


def test_trailing_zeros_count_nowhere(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.0.a.0 = 1.a = 1.0.a < 1")


def test_zero_padding_against_strings(chain: ChainCheck) -> None:
    # a zero equals the padding of a shorter version but beats a letter
    chain(SCHEME, "1.a.b < 1.a.0.b < 1.a < 1.a.0.1 < 1.a.1")


def test_letters_compare_case_sensitively(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.A < 1.0.B < 1.0.a < 1.0")


def test_numbers_are_unbounded(chain: ChainCheck) -> None:
    chain(SCHEME, "999999999999999999999999999991 < 999999999999999999999999999999")


@pytest.mark.parametrize(
    "text", ["", " ", "not a version", "1.0 beta", "a1", ".1", "1..2", "1.0-", "1.0_1", "~> 1.0"]
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
