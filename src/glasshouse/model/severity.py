"""Glasshouse's own severity scale, shared by every kind of finding."""

from __future__ import annotations

import enum


class Severity(enum.IntEnum):
    """Ordered so that comparisons read naturally: ``sev >= Severity.HIGH``."""

    UNKNOWN = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a rating as databases spell it (``HIGH``, ``moderate``, ``Important``)."""
        key = text.strip().upper()
        aliases = {
            "MODERATE": "MEDIUM",
            "IMPORTANT": "HIGH",
            "NONE": "UNKNOWN",
            "INFORMATIONAL": "LOW",
            "NEGLIGIBLE": "LOW",
        }
        key = aliases.get(key, key)
        try:
            return cls[key]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None

    @classmethod
    def from_score(cls, score: float) -> Severity:
        """CVSS qualitative rating scale (identical for v3.x and v4.0)."""
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.UNKNOWN
