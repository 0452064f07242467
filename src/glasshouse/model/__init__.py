"""Frozen dataclasses shared by every part of Glasshouse; no I/O here."""

from glasshouse.model.advisory import (
    Advisory,
    Affected,
    AffectedRange,
    Event,
    EventKind,
    RangeType,
    SeverityScore,
)
from glasshouse.model.finding import CodeDetails, Finding, FindingKind, Fix, VulnerabilityDetails
from glasshouse.model.package import Location, Package, VersionStatus
from glasshouse.model.report import (
    REPORT_SCHEMA_VERSION,
    Decision,
    ExitCode,
    Problem,
    Report,
    ScanStats,
    Verdict,
)
from glasshouse.model.severity import Severity

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "Advisory",
    "Affected",
    "CodeDetails",
    "AffectedRange",
    "Decision",
    "Event",
    "EventKind",
    "ExitCode",
    "Finding",
    "FindingKind",
    "Fix",
    "Location",
    "Package",
    "Problem",
    "RangeType",
    "Report",
    "ScanStats",
    "Severity",
    "SeverityScore",
    "Verdict",
    "VersionStatus",
    "VulnerabilityDetails",
]
