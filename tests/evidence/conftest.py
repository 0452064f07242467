"""Keys and helpers shared by the evidence tests."""

from __future__ import annotations

import pytest

from glasshouse.evidence import keys


@pytest.fixture(scope="session")
def signer() -> keys.SigningKey:
    return keys.generate()


@pytest.fixture(scope="session")
def other_signer() -> keys.SigningKey:
    return keys.generate()


@pytest.fixture(scope="session")
def log_signer() -> keys.SigningKey:
    return keys.generate()
