"""The interface of one IaC check, and the catalogue entry it carries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from glasshouse.iac.model import Resource, Violation
from glasshouse.model import Severity


@dataclass(frozen=True, slots=True)
class Check:
    id: str  # stable: "k8s-privileged-container"; rule id of findings and waivers
    title: str
    severity: Severity
    format: str  # the adapter format it reads
    kinds: frozenset[str]  # resource kinds it applies to; empty: every kind of the format
    fix: str  # the exact change to make
    evaluate: Callable[[Resource], Iterable[Violation]]
    references: tuple[str, ...] = ()  # e.g. Pod Security Standards, CIS benchmark sections

    def applies(self, resource: Resource) -> bool:
        return resource.format == self.format and (not self.kinds or resource.kind in self.kinds)
