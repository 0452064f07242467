"""The gate's judgement of each finding, and the verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from glasshouse.gate.baseline import Baseline
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import (
    Disposition,
    Finding,
    FindingKind,
    Fix,
    Location,
    Package,
    Problem,
    Severity,
    Verdict,
    VulnerabilityDetails,
    Waiver,
    WaiverStatus,
)

TODAY = date(2026, 11, 27)


def vuln(
    severity: Severity,
    rule: str = "CVE-2024-1",
    aliases: tuple[str, ...] = ("PYSEC-2024-1", "GHSA-aaaa"),
    *,
    dev: bool | None = False,
    fixed: tuple[str, ...] = ("2.0",),
    path: str = "requirements.txt",
    fingerprint: str = "a" * 32,
) -> Finding:
    package = Package("Demo_Pkg", "1.0", "PyPI", Location(path, 1), dev=dev)
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule,
        title="t",
        severity=severity,
        location=package.location,
        fingerprint=fingerprint,
        fix=Fix("Upgrade", fixed),
        vulnerability=VulnerabilityDetails(package, (rule, *aliases), fixed),
    )


def waiver(**fields: object) -> Waiver:
    base: dict[str, object] = {
        "id": "W-1",
        "reason": "not reachable",
        "expires": date(2026, 12, 31),
        "rule": "PYSEC-2024-1",
    }
    base.update(fields)
    return Waiver(**base)  # type: ignore[arg-type]


def test_threshold_blocks_and_allows() -> None:
    decision = decide([vuln(Severity.HIGH), vuln(Severity.MEDIUM, fingerprint="b" * 32)], [])
    assert decision.verdict is Verdict.FAIL
    assert [j.disposition for j in decision.judgements] == [
        Disposition.BLOCKING,
        Disposition.ALLOWED,
    ]
    low = decide([vuln(Severity.LOW)], [], Policy(fail_on=Severity.LOW))
    assert low.verdict is Verdict.FAIL


def test_unknown_severity_blocks_only_when_the_policy_says_so() -> None:
    assert decide([vuln(Severity.UNKNOWN)], []).verdict is Verdict.PASS
    strict = Policy(unknown_blocks=True)
    assert decide([vuln(Severity.UNKNOWN)], [], strict).verdict is Verdict.FAIL


def test_per_kind_threshold() -> None:
    policy = Policy(kind_fail_on={FindingKind.CODE: Severity.LOW})
    code = replace(vuln(Severity.LOW), kind=FindingKind.CODE, vulnerability=None)
    assert decide([code], [], policy).verdict is Verdict.FAIL
    assert decide([vuln(Severity.LOW)], [], policy).verdict is Verdict.PASS


def test_waiver_with_an_alias_waives_and_is_listed() -> None:
    policy = Policy(waivers=(waiver(expires=date(2026, 12, 20)),))
    decision = decide([vuln(Severity.CRITICAL)], [], policy, today=TODAY)
    assert decision.verdict is Verdict.PASS
    (judgement,) = decision.judgements
    assert (judgement.disposition, judgement.waiver) == (Disposition.WAIVED, "W-1")
    (use,) = decision.waivers
    assert (use.status, use.matched) == (WaiverStatus.APPLIED, 1)


def test_expired_waiver_no_longer_applies_and_says_so() -> None:
    policy = Policy(waivers=(waiver(expires=date(2026, 11, 26)),))
    decision = decide([vuln(Severity.HIGH)], [], policy, today=TODAY)
    assert decision.verdict is Verdict.FAIL
    assert decision.waivers[0].status is WaiverStatus.EXPIRED
    assert "expired on 2026-11-26" in decision.judgements[0].reason
    assert any("W-1 expired" in r for r in decision.reasons)


def test_waiver_valid_on_its_last_day() -> None:
    policy = Policy(waivers=(waiver(expires=TODAY),))
    assert decide([vuln(Severity.HIGH)], [], policy, today=TODAY).verdict is Verdict.PASS


def test_unused_waiver_is_reported() -> None:
    policy = Policy(waivers=(waiver(rule="CVE-1999-0001"),))
    decision = decide([vuln(Severity.HIGH)], [], policy, today=TODAY)
    assert decision.waivers[0].status is WaiverStatus.UNUSED
    assert decision.verdict is Verdict.FAIL


def test_waiver_narrowed_by_package_path_and_fingerprint() -> None:
    finding = vuln(Severity.HIGH, path="svc/requirements.txt")
    for fields, applies in (
        ({"package": "demo-pkg"}, True),  # PEP 503 normalization
        ({"package": "other"}, False),
        ({"path": "svc/*.txt"}, True),
        ({"path": "web/*"}, False),
        ({"fingerprint": "a" * 32, "rule": None}, True),
        ({"fingerprint": "c" * 32}, False),
    ):
        policy = Policy(waivers=(waiver(**fields),))
        verdict = decide([finding], [], policy, today=TODAY).verdict
        assert (verdict is Verdict.PASS) is applies, fields


def test_waiver_lifetime_and_approver_rules() -> None:
    too_long = Policy(waivers=(waiver(expires=date(2027, 6, 1)),))
    decision = decide([vuln(Severity.CRITICAL)], [], too_long, today=TODAY)
    assert decision.waivers[0].status is WaiverStatus.INVALID
    assert "30-day maximum for critical" in decision.waivers[0].message
    assert decision.verdict is Verdict.FAIL
    strict = Policy(require_approver=True, waivers=(waiver(),))
    assert decide([vuln(Severity.HIGH)], [], strict, today=TODAY).verdict is Verdict.FAIL
    approved = Policy(require_approver=True, waivers=(waiver(approver="sec-lead"),))
    assert decide([vuln(Severity.HIGH)], [], approved, today=TODAY).verdict is Verdict.PASS


def test_policy_ignores_dev_unfixable_and_disabled_rules() -> None:
    dev = vuln(Severity.HIGH, dev=True)
    assert decide([dev], []).verdict is Verdict.FAIL
    assert decide([dev], [], Policy(ignore_dev_dependencies=True)).verdict is Verdict.PASS
    unfixable = vuln(Severity.HIGH, fixed=())
    assert decide([unfixable], [], Policy(only_fixable=True)).verdict is Verdict.PASS
    disabled = Policy(disabled_rules=frozenset({"ghsa-aaaa"}))
    decision = decide([vuln(Severity.HIGH)], [], disabled)
    assert decision.judgements[0].disposition is Disposition.IGNORED
    assert decision.verdict is Verdict.PASS


def test_baseline_scope_new() -> None:
    old, new = vuln(Severity.HIGH), vuln(Severity.HIGH, rule="CVE-2024-2", fingerprint="b" * 32)
    baseline = Baseline(
        "base.json",
        {"a" * 32: ("CVE-2024-1", "requirements.txt"), "f" * 32: ("CVE-2020-9", "old.txt")},
    )
    all_scope = decide([old], [], Policy(), baseline=baseline)
    assert all_scope.verdict is Verdict.FAIL
    only_new = decide([old], [], Policy(scope="new"), baseline=baseline)
    assert only_new.verdict is Verdict.PASS
    assert only_new.judgements[0].disposition is Disposition.EXISTING
    both = decide([old, new], [], Policy(scope="new"), baseline=baseline)
    assert both.verdict is Verdict.FAIL
    assert both.baseline is not None
    assert (both.baseline.new, both.baseline.existing) == (1, 1)
    assert [f.rule_id for f in both.baseline.fixed] == ["CVE-2020-9"]


def test_incomplete_fail_pass_and_warn_mode() -> None:
    problem = Problem("dependencies", "cannot parse", "poetry.lock")
    assert decide([], [problem]).verdict is Verdict.INCOMPLETE
    assert decide([], [problem], Policy(incomplete="pass")).verdict is Verdict.PASS
    warn = decide([vuln(Severity.CRITICAL)], [problem], Policy(mode="warn"))
    assert (warn.verdict, warn.evaluated) == (Verdict.PASS, Verdict.FAIL)
    assert any("warn mode" in r for r in warn.reasons)
    failing = decide([vuln(Severity.HIGH)], [problem])
    assert failing.verdict is Verdict.FAIL  # failure wins over incompleteness


def test_break_glass_override_is_recorded_or_refused() -> None:
    decision = decide([vuln(Severity.HIGH)], [], override="prod is down", actor="alice")
    assert decision.verdict is Verdict.PASS
    assert decision.evaluated is Verdict.FAIL
    assert decision.override is not None
    assert (decision.override.reason, decision.override.actor) == ("prod is down", "alice")
    refused = decide([vuln(Severity.HIGH)], [], Policy(allow_override=False), override="x")
    assert refused.verdict is Verdict.FAIL
    assert refused.override is None
    assert any("override refused" in r for r in refused.reasons)
    problem = Problem("dependencies", "cannot parse", "poetry.lock")
    not_for_incomplete = decide([], [problem], override="x")
    assert not_for_incomplete.verdict is Verdict.INCOMPLETE
