"""The interface every version scheme implements.

A scheme turns a version string into a key that is totally ordered within the scheme:
``scheme.parse(a) < scheme.parse(b)`` iff version ``a`` precedes ``b``, and equal keys
mean equal versions (``3.2`` and ``3.2.0`` on PyPI). Parsing raises ``InvalidVersion``
for text the scheme cannot order; callers report such versions, never drop them.
"""

from __future__ import annotations

from typing import Any, Protocol


class InvalidVersion(ValueError):
    """The text is not a version this scheme can order."""


class Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...

    def __eq__(self, other: object, /) -> bool: ...


class VersionScheme(Protocol):
    name: str

    def parse(self, text: str) -> Comparable:
        """Return an ordering key for ``text``; raise ``InvalidVersion`` if there is none."""
        ...
