"""Maven: the POM reference's Version Order Specification."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.maven import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_qualifier_order(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "1-alpha-1 < 1-alpha-2 < 1-beta-1 < 1-milestone-1 < 1-rc-1 = 1-cr-1 < 1-SNAPSHOT"
        " < 1 = 1-ga = 1-final = 1.release = 1.0.0 < 1-sp < 1-sp-1 < 1-abc < 1-xyz"
        " < 1-1 < 1.1",
    )


def test_examples_of_the_specification(chain: ChainCheck) -> None:
    chain(SCHEME, "1 < 1.1")
    chain(SCHEME, "1-snapshot < 1 < 1-sp")
    chain(SCHEME, "1-foo2 < 1-foo10")
    chain(SCHEME, "1.foo = 1-foo < 1-1 < 1.1")
    chain(SCHEME, "1.ga = 1-ga = 1-0 = 1.0 = 1")
    chain(SCHEME, "1-ga < 1-sp")
    chain(SCHEME, "1-ga.1 < 1-sp.1")
    chain(SCHEME, "1-sp-1 < 1-ga-1 = 1-1")
    chain(SCHEME, "1-a1 = 1-alpha-1")
    chain(SCHEME, "1-1.foo-bar1baz-.1 = 1-1.foo-bar-1-baz-0.1")


def test_short_qualifiers_only_directly_before_a_digit(chain: ChainCheck) -> None:
    # "a1" is alpha-1; "a-1" and "a" alone are the unknown qualifier "a"
    chain(SCHEME, "1a1 = 1-alpha-1 = 1.0alpha1 < 1b2 = 1-beta-2 < 1m3 = 1-milestone-3 < 1")
    chain(SCHEME, "1 < 1-a-1 = 1a-1 < 1-a-2")
    chain(SCHEME, "1a = 1-a = 1.0.0-a")


def test_case_and_separators(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0-RC1 = 1.0-rc1 = 1.0-Rc-1 = 1.0.RC1 = 1.0.0.rc1 = 1.0rc1 = 1.0-CR1")
    chain(SCHEME, "2.0-SNAPSHOT = 2.0-snapshot = 2.0.snapshot")


def test_trailing_nulls_are_trimmed_at_every_hyphen(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.0-0.0.0 = 1 = 1. = 1- = 1.0-ga-final")
    chain(SCHEME, "1.0.0-foo.0.0 = 1-foo")
    chain(SCHEME, "0 = 0.0.0 = 0-final-ga < 0.0.1")


def test_numbers(chain: ChainCheck) -> None:
    chain(SCHEME, "1.9 < 1.10 = 1.010 < 1.10.0.1")
    chain(SCHEME, "20190126.230843 < 1234567890.12345 < 12345678901234567890.1")


def test_real_world_versions(chain: ChainCheck) -> None:
    chain(SCHEME, "2.12.0 < 2.13.0-M1 < 2.13.0-M2 < 2.13.0-RC1 < 2.13.0 < 2.13.0.1")
    chain(SCHEME, "31.0-android < 31.0-jre < 31.1-android < 31.1-jre")
    chain(SCHEME, "Hoxton.RELEASE < Hoxton.SR1 < Hoxton.SR10")
    chain(SCHEME, "2.14 < 2.14.jre7 < 2.14.1")
    chain(SCHEME, "5.3.0.Final = 5.3.0 < 5.3.1.Final")


def test_a_dotted_qualifier_cannot_break_transitivity(chain: ChainCheck) -> None:
    # padding ".0" against nothing would put 1.0.alpha both above 1-sp and below 1
    chain(SCHEME, "1.0.alpha = 1-alpha < 1 < 1-sp")


@pytest.mark.parametrize("text", ["", " ", "not a version", "1.0 beta", "1.0\t", "1.0\x00"])
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
