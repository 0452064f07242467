"""Packagist: Composer's order (PHP version_compare with Composer's normalization)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.packagist import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_stability_order(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "1.0.0-dev < 1.0.0-alpha1 = 1.0.0a1 = 1.0.0-ALPHA1 < 1.0.0-beta2 = 1.0.0-b2"
        " < 1.0.0-RC1 = 1.0.0rc1 = 1.0.0-rc.1 < 1.0.0 = v1.0.0 = 1.0.0-stable"
        " < 1.0.0.0 < 1.0.0-p1 = 1.0.0-patch1 = 1.0.0pl1 < 1.0.0-p2 < 1.0.1",
    )


def test_separators(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.0-beta2 = 1.0.0_beta2 = 1.0.0+beta2 = 1.0.0.beta.2 = 1.0.0beta2")


def test_a_further_number_always_makes_a_version_greater(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0 < 1.0.0 < 1.0.0.0")
    chain(SCHEME, "1.2.3 < 1.2.3.1")  # the oracle's "1.2.3.# = 1.2.3.1" cannot hold
    chain(SCHEME, "1.2.3.# = 1.2.3 < 1.2.3.#.1 = 1.2.3.1")


def test_branches_and_unknown_words(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0-foo = 1.0-xyz < 1.0-dev < 1.0")  # version_compare: unknown < dev
    # words match by prefix, as in version_compare
    chain(SCHEME, "1.0-develop = 1.0-dev < 1.0-bar = 1.0-beta < 1.0 < 1.0-pre = 1.0-patch")
    chain(SCHEME, "dev-main < 0.0.1")


def test_numbers_are_unbounded(chain: ChainCheck) -> None:
    chain(SCHEME, "9223372036854775807.0 < 9223372036854775808.0")


@pytest.mark.parametrize(
    "text", ["", " ", "not a version", "1.0 beta", "^1.0", ">=1.0", "~1.0", "*", "---", "1.0|2.0"]
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
