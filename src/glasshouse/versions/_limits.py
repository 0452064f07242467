"""Input limits shared by the schemes."""

from __future__ import annotations

from glasshouse.versions.base import InvalidVersion

# Real versions stay far below this (a Go pseudo-version is 40 characters). The cap
# keeps hostile lockfiles from costing time or memory, and keeps numbers below
# Python's 4300-digit limit on int(), which would raise ValueError, not InvalidVersion.
MAX_LENGTH = 256


def refuse_overlong(text: str, scheme: str) -> None:
    if len(text) > MAX_LENGTH:
        raise InvalidVersion(f"not a {scheme} version: {len(text)} characters long")
