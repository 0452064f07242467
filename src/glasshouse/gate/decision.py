"""The gate: findings and problems in, a verdict with its reasons out.

Until policy files land, the policy is fixed: a vulnerability of severity high or
critical fails the gate, and a blocking problem (something a scanner needed but could
not read) makes the result incomplete rather than a pass. A failing finding is a
certainty, so a failed gate stays failed even when the scan is also incomplete.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from glasshouse.model import Decision, Finding, Problem, Severity, Verdict


@dataclass(frozen=True, slots=True)
class GatePolicy:
    fail_on: Severity = Severity.HIGH


DEFAULT_POLICY = GatePolicy()


def blocks(finding: Finding, policy: GatePolicy) -> bool:
    return finding.severity >= policy.fail_on and finding.severity is not Severity.UNKNOWN


def decide(
    findings: Sequence[Finding], problems: Sequence[Problem], policy: GatePolicy = DEFAULT_POLICY
) -> Decision:
    reasons: list[str] = []
    blocking = [f for f in findings if blocks(f, policy)]
    incomplete = [p for p in problems if p.blocking]
    if blocking:
        counts = Counter(f.severity for f in blocking)
        spelled = ", ".join(f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True))
        reasons.append(
            f"{len(blocking)} finding(s) at or above {policy.fail_on.label} severity ({spelled})"
        )
    if incomplete:
        scanners = sorted({p.scanner for p in incomplete})
        reasons.append(
            f"{len(incomplete)} problem(s) kept the scan incomplete ({', '.join(scanners)})"
        )
    if blocking:
        return Decision(Verdict.FAIL, tuple(reasons))
    if incomplete:
        return Decision(Verdict.INCOMPLETE, tuple(reasons))
    below = len(findings)
    if below:
        reasons.append(f"{below} finding(s), none at or above {policy.fail_on.label} severity")
    else:
        reasons.append("no findings")
    return Decision(Verdict.PASS, tuple(reasons))
