"""NuGet: NuGetVersion order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from glasshouse.versions.base import InvalidVersion, VersionScheme
from glasshouse.versions.nuget import SCHEME

ChainCheck = Callable[[VersionScheme, str], None]  # the ``chain`` fixture of conftest.py


def test_semver_order_with_a_fourth_number(chain: ChainCheck) -> None:
    chain(
        SCHEME,
        "1.0.0-alpha = 1.0.0-ALPHA < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta"
        " < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0 = 1.0 = 1 = 1.0.0.0"
        " = 1.0.0+build.7 < 1.0.0.1-alpha < 1.0.0.1 < 1.0.1 < 1.0.10",
    )


def test_prerelease_labels_ignore_case(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.0-BETA < 1.0.0-beta2 = 1.0.0-BETA2 < 1.0.0-Beta3")
    chain(SCHEME, "1.0.0-beta.X.y.5 = 1.0.0-BETA.x.Y.5+Meta < 1.0.0-beta.x.y.10")


def test_leading_zeros_are_numbers(chain: ChainCheck) -> None:
    chain(SCHEME, "1.0.01 = 1.0.1 = 1.0.1.0")
    chain(SCHEME, "1.0.0-rc.01 = 1.0.0-rc.1 < 1.0.0-rc.2")


@pytest.mark.parametrize(
    "text",
    ["", " ", "not a version", "1.0 beta", "v1.0.0", "1.0.0.0.0", "1.0.0-", "1..0", "[1.0,2.0)"],
)
def test_garbage_is_invalid(text: str) -> None:
    with pytest.raises(InvalidVersion):
        SCHEME.parse(text)
