"""The gate: findings, problems and a policy in; a verdict with its reasons out.

Each finding is judged in this order: ignored by the policy (rule disabled, dev
dependency, no fix, suppressed in source), waived by a valid waiver, already in the
baseline when only new findings count, below the blocking threshold, or blocking.
A blocking finding is a certainty, so a failed gate stays failed even when the scan is
also incomplete; a blocking problem (something a scanner needed but could not read)
makes the result incomplete rather than a pass, unless the policy says otherwise.
Warn mode and a break-glass override change what the pipeline sees, never what was
evaluated: both are recorded in the decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

from glasshouse.gate.baseline import Baseline
from glasshouse.gate.policy import DEFAULT_POLICY, Policy
from glasshouse.gate.waivers import covers, finding_ids, validity
from glasshouse.model import (
    SUPPRESSED_IN_SOURCE,
    BaselineComparison,
    Decision,
    Disposition,
    Finding,
    FixedFinding,
    Judgement,
    Override,
    Problem,
    Severity,
    Verdict,
    WaiverStatus,
    WaiverUse,
)

SUPPRESSED_TAG = SUPPRESSED_IN_SOURCE  # re-exported for reporters and tests


def decide(
    findings: Sequence[Finding],
    problems: Sequence[Problem],
    policy: Policy = DEFAULT_POLICY,
    *,
    baseline: Baseline | None = None,
    override: str | None = None,
    actor: str = "unknown",
    today: date | None = None,
) -> Decision:
    today = today or datetime.now(UTC).date()
    uses, waiver_for = _weigh_waivers(findings, policy, today)
    judgements = tuple(
        _judge(finding, policy, baseline, waiver_for.get(i)) for i, finding in enumerate(findings)
    )
    blocking = [
        f
        for f, j in zip(findings, judgements, strict=True)
        if j.disposition is Disposition.BLOCKING
    ]
    incomplete = [p for p in problems if p.blocking]
    reasons: list[str] = []
    if blocking:
        counts = Counter(f.severity for f in blocking)
        spelled = ", ".join(f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True))
        reasons.append(f"{len(blocking)} blocking finding(s) ({spelled})")
    if incomplete:
        scanners = ", ".join(sorted({p.scanner for p in incomplete}))
        allowed = " (the policy lets incomplete scans pass)" if policy.incomplete == "pass" else ""
        reasons.append(
            f"{len(incomplete)} problem(s) kept the scan incomplete ({scanners}){allowed}"
        )
    counts_by = Counter(j.disposition for j in judgements)
    for disposition, label in (
        (Disposition.WAIVED, "waived"),
        (Disposition.EXISTING, "already in the baseline"),
        (Disposition.IGNORED, "ignored (by the policy, or suppressed in source)"),
        (Disposition.ALLOWED, "below the blocking threshold"),
    ):
        if counts_by[disposition]:
            reasons.append(f"{counts_by[disposition]} finding(s) {label}")
    if not findings and not incomplete:
        reasons.append("no findings")
    for use in uses:
        if use.status in (WaiverStatus.EXPIRED, WaiverStatus.INVALID, WaiverStatus.UNUSED):
            reasons.append(f"waiver {use.waiver.id} {use.status.value}: {use.message}")

    if blocking:
        evaluated = Verdict.FAIL
    elif incomplete and policy.incomplete == "fail":
        evaluated = Verdict.INCOMPLETE
    else:
        evaluated = Verdict.PASS
    verdict = evaluated
    recorded: Override | None = None
    if override and evaluated is Verdict.FAIL:
        if policy.allow_override:
            verdict = Verdict.PASS
            recorded = Override(
                reason=override, actor=actor, at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            )
            reasons.append(f"break-glass override by {actor}: {override}")
        else:
            reasons.append("override refused: the policy does not allow break-glass overrides")
    if policy.mode == "warn" and verdict is not Verdict.PASS:
        reasons.append(
            f"warn mode: the gate would have reported {verdict.value}, and does not block"
        )
        verdict = Verdict.PASS
    return Decision(
        verdict=verdict,
        reasons=tuple(reasons),
        judgements=judgements,
        evaluated=evaluated,
        mode=policy.mode,
        waivers=tuple(uses),
        override=recorded,
        baseline=_compare(findings, judgements, baseline),
    )


def _weigh_waivers(
    findings: Sequence[Finding], policy: Policy, today: date
) -> tuple[list[WaiverUse], dict[int, tuple[str, WaiverStatus, str]]]:
    """How each waiver fares, and for each covered finding the first waiver's verdict."""
    uses: list[WaiverUse] = []
    waiver_for: dict[int, tuple[str, WaiverStatus, str]] = {}
    for waiver in policy.waivers:
        covered = [i for i, f in enumerate(findings) if covers(waiver, f)]
        if not covered:
            status, message = validity(waiver, policy, today, Severity.UNKNOWN)
            if status is WaiverStatus.APPLIED:
                status, message = WaiverStatus.UNUSED, "matched no finding"
            uses.append(WaiverUse(waiver, status, 0, message))
            continue
        worst = max(findings[i].severity for i in covered)
        status, message = validity(waiver, policy, today, worst)
        uses.append(WaiverUse(waiver, status, len(covered), message))
        for i in covered:
            current = waiver_for.get(i)
            if current is None or (
                current[1] is not WaiverStatus.APPLIED and status is WaiverStatus.APPLIED
            ):
                waiver_for[i] = (waiver.id, status, message)
    return uses, waiver_for


def _judge(
    finding: Finding,
    policy: Policy,
    baseline: Baseline | None,
    waiver: tuple[str, WaiverStatus, str] | None,
) -> Judgement:
    new = None if baseline is None else finding.fingerprint not in baseline.entries
    disabled = finding_ids(finding) & {r.upper() for r in policy.disabled_rules}
    vuln = finding.vulnerability
    if disabled:
        return Judgement(
            Disposition.IGNORED, f"rule {sorted(disabled)[0]} disabled by policy", new=new
        )
    if policy.ignore_dev_dependencies and vuln is not None and vuln.package.dev:
        return Judgement(Disposition.IGNORED, "dev dependency, ignored by policy", new=new)
    if policy.only_fixable and vuln is not None and not (finding.fix and finding.fix.versions):
        return Judgement(Disposition.IGNORED, "no fixed version, ignored by policy", new=new)
    if SUPPRESSED_IN_SOURCE in finding.tags:
        why = f": {finding.suppression}" if finding.suppression else " by the producing tool"
        return Judgement(Disposition.IGNORED, f"suppressed in source{why}", new=new)
    if waiver is not None and waiver[1] is WaiverStatus.APPLIED:
        return Judgement(Disposition.WAIVED, f"waived by {waiver[0]}", waiver=waiver[0], new=new)
    if new is False and policy.scope == "new":
        return Judgement(Disposition.EXISTING, "in the baseline; only new findings block", new=new)
    threshold = policy.threshold(finding.kind)
    if finding.severity is Severity.UNKNOWN:
        if not policy.unknown_blocks:
            return Judgement(
                Disposition.ALLOWED, "severity unknown; the policy does not block it", new=new
            )
    elif finding.severity < threshold:
        return Judgement(Disposition.ALLOWED, f"below {threshold.label}", new=new)
    reason = f"{finding.severity.label} is at or above {threshold.label}"
    if waiver is not None:
        reason += f" (waiver {waiver[0]} {waiver[1].value}: {waiver[2]})"
    return Judgement(Disposition.BLOCKING, reason, new=new)


def _compare(
    findings: Sequence[Finding], judgements: Sequence[Judgement], baseline: Baseline | None
) -> BaselineComparison | None:
    if baseline is None:
        return None
    seen = {f.fingerprint for f in findings}
    fixed = tuple(
        FixedFinding(fp, rule, path)
        for fp, (rule, path) in sorted(baseline.entries.items(), key=lambda kv: kv[1])
        if fp not in seen
    )
    new = sum(1 for j in judgements if j.new)
    return BaselineComparison(baseline.source, new, len(findings) - new, fixed)
