"""The interface of one IaC check, and the catalogue entry it carries.

A check is code plus the facts a reviewer needs: title, severity, CWE, the exact fix,
where it maps in CIS benchmarks and ISO/IEC 27001:2022 Annex A, and example inputs
that must fail and must pass (one shared test runs every example through the real
adapters, so an example is also documentation that cannot go stale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from glasshouse.iac.model import Resource, Violation
from glasshouse.model import Severity


@dataclass(frozen=True, slots=True)
class Example:
    """One input file, as a user would write it: the path decides the adapter."""

    path: str  # "main.tf", "Dockerfile", ".github/workflows/ci.yml", "template.yaml"
    text: str


@dataclass(frozen=True, slots=True)
class Check:
    id: str  # stable: "k8s-privileged-container"; rule id of findings and waivers
    title: str
    severity: Severity
    format: str  # the adapter format it reads
    kinds: frozenset[str]  # resource kinds it applies to; empty: every kind of the format
    fix: str  # the exact change to make, naming the attribute to set
    evaluate: Callable[[Resource], Iterable[Violation]]
    references: tuple[str, ...] = ()  # e.g. Pod Security Standards, CIS benchmark sections
    cwe: str = ""  # "CWE-250"
    iso27001: tuple[str, ...] = ()  # ISO/IEC 27001:2022 Annex A controls: "A.8.20"
    cis: tuple[str, ...] = ()  # CIS benchmark sections, where one applies
    failing: tuple[Example, ...] = ()  # each must produce at least one finding of this check
    passing: tuple[Example, ...] = ()  # each must produce none

    def mappings(self) -> tuple[str, ...]:
        """CWE, ISO/IEC 27001:2022 Annex A controls and CIS sections, as finding tags."""
        tags = [self.cwe] if self.cwe else []
        tags += [f"ISO/IEC 27001:2022 {control}" for control in self.iso27001]
        tags += self.cis
        return tuple(tags)

    def applies(self, resource: Resource) -> bool:
        return resource.format == self.format and (not self.kinds or resource.kind in self.kinds)
