"""The one model every IaC adapter produces and every check reads.

A ``Node`` is a value from a configuration file with the line it was written on:
mappings, sequences and scalars, nested. A value an adapter cannot resolve (a Terraform
variable without a default, a CloudFormation ``!Ref`` to a parameter) is ``UNKNOWN``:
checks must neither report it nor treat it as safe by guessing.
A ``Resource`` is one thing a check judges: a Kubernetes object, a Dockerfile stage, a
workflow job, a Terraform resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class _Unknown:
    """A value that cannot be known without running or deploying something."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: test `is UNKNOWN` first")


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True, slots=True)
class Node:
    """A value with its line (1-based; None when the format does not say)."""

    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | None | UNKNOWN
    line: int | None = None

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN

    def get(self, *path: str | int) -> Node | None:
        """The node at ``path`` (mapping keys and sequence indexes), or None if absent."""
        node: Node | None = self
        for step in path:
            if node is None:
                return None
            container = node.value
            if isinstance(step, int) and isinstance(container, list):
                node = container[step] if -len(container) <= step < len(container) else None
            elif isinstance(step, str) and isinstance(container, dict):
                node = container.get(step)
            else:
                return None
        return node

    def items(self) -> Iterator[tuple[str, Node]]:
        if isinstance(self.value, dict):
            yield from self.value.items()

    def elements(self) -> Iterator[Node]:
        if isinstance(self.value, list):
            yield from self.value

    def text(self) -> str | None:
        """The value as a string when it is a known scalar, else None."""
        if isinstance(self.value, bool) or self.value is None or self.value is UNKNOWN:
            return None if self.value is UNKNOWN or self.value is None else str(self.value).lower()
        if isinstance(self.value, str | int | float):
            return str(self.value)
        return None

    def plain(self) -> Any:
        """The value without lines (UNKNOWN stays UNKNOWN), for messages and tests."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


@dataclass(frozen=True, slots=True)
class Resource:
    format: str  # "kubernetes", "dockerfile", "github-actions", "terraform", ...
    kind: str  # "Deployment", "Dockerfile", "job", "aws_s3_bucket", ...
    name: str  # unique within the file: "default/web", "stage builder", "build"
    path: str  # relative to the scan root, POSIX separators
    line: int | None
    body: Node
    context: dict[str, Any] = field(default_factory=dict)  # format-specific extras


@dataclass(frozen=True, slots=True)
class Violation:
    """What a check found wrong in a resource, where, and (optionally) a precise message."""

    line: int | None
    message: str = ""


class AdapterError(Exception):
    """A file cannot be read as its format; one line, without the path."""
