"""An advisory from the OSV database, reduced to what matching and reporting need."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from glasshouse.model.severity import Severity


class RangeType(enum.Enum):
    ECOSYSTEM = "ECOSYSTEM"
    SEMVER = "SEMVER"
    GIT = "GIT"


class EventKind(enum.Enum):
    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    version: str


@dataclass(frozen=True, slots=True)
class AffectedRange:
    type: RangeType
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected[]`` entry: a package and the versions of it that are vulnerable."""

    ecosystem: str
    name: str
    ranges: tuple[AffectedRange, ...]
    versions: tuple[str, ...]
    severity: Severity | None = None  # ecosystem_specific / database_specific rating


@dataclass(frozen=True, slots=True)
class SeverityScore:
    """An OSV ``severity[]`` entry: ``type`` is ``CVSS_V2``, ``CVSS_V3``, ``CVSS_V4``..."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    modified: str
    affected: tuple[Affected, ...]
    severity_scores: tuple[SeverityScore, ...] = ()
    database_severity: Severity | None = None
    withdrawn: str | None = None
    published: str | None = None
    references: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"https://osv.dev/vulnerability/{self.id}"
