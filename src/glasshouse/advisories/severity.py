"""Severity of an advisory: from CVSS vectors (computed by the ``cvss`` library) when the
advisory has them, from the database's own rating otherwise, else unknown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from glasshouse.ecosystems import base_ecosystem, normalize_name
from glasshouse.model import Advisory, Severity

# Newest CVSS version first: when an advisory carries several, the newest is the
# one its authors most recently assessed.
_CVSS_ORDER = ("CVSS_V4", "CVSS_V3", "CVSS_V2")


@dataclass(frozen=True, slots=True)
class Rated:
    severity: Severity
    source: str  # "cvss_v4", "cvss_v3", "cvss_v2", "database" or "unknown"
    vectors: tuple[str, ...]
    score: float | None = None


@lru_cache(maxsize=4096)
def cvss_score(kind: str, vector: str) -> float | None:
    """Base score of a vector, or ``None`` when the library rejects it."""
    try:
        if kind == "CVSS_V4":
            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V3":
            return float(CVSS3(vector).base_score)
        if kind == "CVSS_V2":
            return float(CVSS2(vector).base_score)
    except (CVSSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return None


def rate(advisory: Advisory, ecosystem: str | None = None, name: str | None = None) -> Rated:
    """Rate ``advisory``; ``ecosystem`` and normalized ``name`` pick a per-package rating."""
    vectors = tuple(s.score for s in advisory.severity_scores if s.type.startswith("CVSS_"))
    for kind in _CVSS_ORDER:
        for entry in advisory.severity_scores:
            if entry.type != kind:
                continue
            score = cvss_score(kind, entry.score)
            if score is not None:
                return Rated(Severity.from_score(score), kind.lower(), vectors, score)
    if advisory.database_severity is not None:
        return Rated(advisory.database_severity, "database", vectors)
    for affected in advisory.affected:
        if affected.severity is None:
            continue
        if ecosystem is not None and base_ecosystem(affected.ecosystem) != ecosystem:
            continue
        if name is not None and normalize_name(affected.ecosystem, affected.name) != name:
            continue
        return Rated(affected.severity, "database", vectors)
    return Rated(Severity.UNKNOWN, "unknown", vectors)
