"""One model for every kind of finding: vulnerability, secret, misconfiguration, code."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from glasshouse.model.package import Location, Package
from glasshouse.model.severity import Severity

# A finding the producing tool itself marks as suppressed in the source (``nosemgrep``,
# SARIF ``suppressions``): the gate lists it as ignored, never drops it.
SUPPRESSED_IN_SOURCE = "suppressed-in-source"


class FindingKind(enum.Enum):
    VULNERABILITY = "vulnerability"
    SECRET = "secret"  # noqa: S105 - a kind of finding, not a credential
    MISCONFIGURATION = "misconfiguration"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class Fix:
    """What the developer should do. ``versions`` is set for dependency upgrades."""

    summary: str
    versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VulnerabilityDetails:
    """The kind-specific payload of a vulnerable-dependency finding."""

    package: Package
    advisory_ids: tuple[str, ...]  # the primary id first, then every alias, merged
    fixed_versions: tuple[str, ...]  # versions fixing this advisory, ascending
    cvss_vectors: tuple[str, ...] = ()
    severity_source: str = "unknown"  # "cvss_v3", "cvss_v4", "database" or "unknown"
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeDetails:
    """The kind-specific payload of a finding imported from another tool (SARIF).

    Never carries the flagged source text: a code scanner's snippet may hold a secret.
    """

    tool: str  # the producing tool's name, as its SARIF driver says
    message: str  # the result's message, one line
    tool_version: str | None = None
    help_uri: str | None = None


@dataclass(frozen=True, slots=True)
class SecretOccurrence:
    """One place a secret was seen: a file of the tree, or an added line of a commit."""

    path: str
    line: int | None
    commit: str | None = None  # full SHA, for findings from git history
    author: str | None = None
    date: str | None = None  # RFC 3339


@dataclass(frozen=True, slots=True)
class SecretDetails:
    """The kind-specific payload of a leaked-credential finding.

    Never the secret: a masked ``preview`` (a few characters at each end at most) and
    a keyed ``secret_hash``, so the same secret in two places or two runs is one secret
    without being stored. ``occurrences`` lists every place it was seen, the first one
    being the finding's location.
    """

    preview: str
    secret_hash: str
    occurrences: tuple[SecretOccurrence, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    rule_id: str
    title: str
    severity: Severity
    location: Location
    fingerprint: str
    fix: Fix | None = None
    vulnerability: VulnerabilityDetails | None = None
    code: CodeDetails | None = None
    secret: SecretDetails | None = None
    suppression: str | None = None  # the reason given in the source for suppressing it
    tags: tuple[str, ...] = field(default=())
