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
from glasshouse.model.finding import (
    SUPPRESSED_IN_SOURCE,
    CodeDetails,
    Finding,
    FindingKind,
    Fix,
    SecretDetails,
    SecretOccurrence,
    VulnerabilityDetails,
)
from glasshouse.model.gate import (
    BaselineComparison,
    Disposition,
    FixedFinding,
    Judgement,
    Override,
    Waiver,
    WaiverStatus,
    WaiverUse,
)
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
    "SUPPRESSED_IN_SOURCE",
    "Advisory",
    "Affected",
    "AffectedRange",
    "BaselineComparison",
    "CodeDetails",
    "Decision",
    "Disposition",
    "Event",
    "EventKind",
    "ExitCode",
    "Finding",
    "FindingKind",
    "Fix",
    "FixedFinding",
    "Judgement",
    "Location",
    "Override",
    "Package",
    "Problem",
    "RangeType",
    "Report",
    "ScanStats",
    "SecretDetails",
    "SecretOccurrence",
    "Severity",
    "SeverityScore",
    "Verdict",
    "VersionStatus",
    "VulnerabilityDetails",
    "Waiver",
    "WaiverStatus",
    "WaiverUse",
]
