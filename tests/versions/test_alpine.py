"""Alpine: apk's version order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.alpine import SCHEME
from glasshouse.versions.base import InvalidVersion, VersionScheme

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_suffixes_letters_and_revisions(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "1.2_alpha < 1.2_alpha1 < 1.2_alpha2 < 1.2_beta < 1.2_pre1 < 1.2_rc1 < 1.2"
        " < 1.2-r0 = 1.2-r = 1.2-r00 < 1.2-r1 < 1.2-r10 < 1.2_cvs1 < 1.2_svn1 < 1.2_git1"
        " < 1.2_hg1 < 1.2_p1 < 1.2_p2 < 1.2a < 1.2b < 1.2.1 < 1.10",
    )


def test_several_suffixes(chain: ChainCheck) -> None:
    chain(SCHEME, "0.1.0_alpha_pre2 < 0.1.0_alpha < 0.1.0_alpha_p1 < 0.1.0_beta")
    chain(SCHEME, "1.0_p9-r0 < 1.0_p9-r1 < 1.0_p10-r0")


def test_commit_hash(chain: ChainCheck) -> None:
    chain(SCHEME, "1.2 < 1.2-r1 < 1.2~abc < 1.2~abd < 1.2~abd-r1 < 1.2_p1")


def test_leading_zeros_compare_as_text(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0 < 1.00 < 1.001 < 1.01 < 1.05 < 1.1 < 1.5")


def test_invalid_text_sorts_below_the_version_without_it(chain: ChainCheck) -> None:
    chain(SCHEME, "1.2_blah = 1.2_foo < 1.2")
    chain(SCHEME, "1.2.0A = 1.2.0D < 1.2.0 < 1.2.0d")
    chain(SCHEME, "1-ruff = 1--ruff1 < 1 < 1-r-2 = 1-r0-x < 1-r0")
    chain(SCHEME, "0.8.21.r2 < 0.8.21 < 0.8.21r2")  # "." before a letter


@pytest.mark.parametrize("text", ["", " ", "not a version", "1.0 beta", "1.0\n", "1.0\x00"])
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
