"""Debian: dpkg's version order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.debian import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_tilde_sorts_before_everything_even_the_end(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0~~ < 1.0~~a < 1.0~ < 1.0~rc1 < 1.0 < 1.0a < 1.0+ < 1.0.1")


def test_letters_sort_before_other_characters(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0-1 < 1.0-1ubuntu1 < 1.0-1+deb12u1 < 1.0-1.1 < 1.0-2")
    chain(SCHEME, "1.2.3-1~deb7u1 < 1.2.3-1 < 1.2.3-1+b1")


def test_epochs_and_revisions(chain: ChainCheck) -> None:
    chain(SCHEME, "9.9-9 < 1:0.1 = 01:0.1 < 1:0.1-1 < 2:0")
    chain(SCHEME, "0:1.0 = 1.0 = 1.0-0 = 1.0-00")
    # the revision is what follows the last hyphen
    chain(SCHEME, "1.0-2-1 < 1.0-2-2 < 1.0-3-1")


def test_digit_runs_compare_as_numbers(chain: ChainCheck) -> None:
    chain(SCHEME, "1.01 = 1.1 < 1.9 < 1.10 < 1.100")
    chain(SCHEME, "1.0 < 1.0.0")  # "." is a character above the end of the string


@pytest.mark.parametrize(
    "text", ["", " ", "not a version", "1.0 beta", "a1.0", "x:1.0", ":1.0", "1.0-", "1.0-a_b"]
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
