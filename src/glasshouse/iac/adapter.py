"""The interface of one IaC format's adapter: a cheap file-name predicate and a pure
parser from bytes to resources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from glasshouse.iac.model import Resource


@dataclass(frozen=True, slots=True)
class Adapter:
    format: str
    matches: Callable[[str, str], bool]  # (base name, relative path) -> is it this format?
    # (relative path, bytes) -> resources; raises AdapterError for unreadable input, and
    # returns [] for a file of the right name that is not of this format (a YAML file
    # that is no Kubernetes manifest).
    parse: Callable[[str, bytes], list[Resource]]
