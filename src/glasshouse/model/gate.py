"""What the gate decided about each finding, and the exceptions it weighed.

A finding is never hidden: every one carries a ``Judgement`` saying whether it blocks,
and if not, why (below the threshold, waived, already in the baseline, ignored by the
policy). Waivers are reported with how they were used, including expired and unused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class Disposition(enum.Enum):
    BLOCKING = "blocking"  # fails the gate
    ALLOWED = "allowed"  # below the policy's threshold: shown, does not block
    WAIVED = "waived"  # a valid waiver covers it
    EXISTING = "existing"  # in the baseline, and the policy judges only new findings
    IGNORED = "ignored"  # the policy ignores it (rule disabled, dev dependency, no fix)


@dataclass(frozen=True, slots=True)
class Judgement:
    disposition: Disposition
    reason: str
    waiver: str | None = None  # the id of the waiver that covers it
    new: bool | None = None  # against the baseline; None without one


@dataclass(frozen=True, slots=True)
class Waiver:
    """An exception written in the policy file: who asked, who approved, until when."""

    id: str
    reason: str
    expires: date
    rule: str | None = None  # an advisory id (alias-aware) or a rule id
    package: str | None = None
    path: str | None = None  # a glob over finding paths
    fingerprint: str | None = None
    owner: str | None = None
    approver: str | None = None
    ticket: str | None = None
    created: date | None = None
    source: str = ""  # the policy file it came from


class WaiverStatus(enum.Enum):
    APPLIED = "applied"
    UNUSED = "unused"  # valid, but matched nothing: stale, or written wrong
    EXPIRED = "expired"  # no longer applies
    INVALID = "invalid"  # breaks a policy rule (lifetime, missing approver): not applied


@dataclass(frozen=True, slots=True)
class WaiverUse:
    waiver: Waiver
    status: WaiverStatus
    matched: int  # findings it covers (or would cover, if expired or invalid)
    message: str = ""


@dataclass(frozen=True, slots=True)
class Override:
    """Break-glass: a failing gate passed on purpose, recorded with who and why."""

    reason: str
    actor: str
    at: str  # RFC 3339, UTC


@dataclass(frozen=True, slots=True)
class FixedFinding:
    """A baseline entry that this scan no longer finds."""

    fingerprint: str
    rule_id: str
    path: str


@dataclass(frozen=True, slots=True)
class BaselineComparison:
    source: str
    new: int
    existing: int
    fixed: tuple[FixedFinding, ...]
