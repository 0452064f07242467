"""The default gate: high and critical block; unreadable input is incomplete, not a pass."""

from __future__ import annotations

from glasshouse.gate.decision import GatePolicy, decide
from glasshouse.model import Finding, FindingKind, Location, Problem, Severity, Verdict


def finding(severity: Severity) -> Finding:
    return Finding(FindingKind.VULNERABILITY, "X-1", "t", severity, Location("a"), "0" * 32)


def test_high_and_critical_fail() -> None:
    assert decide([finding(Severity.HIGH)], []).verdict is Verdict.FAIL
    assert decide([finding(Severity.CRITICAL)], []).exit_code == 1


def test_below_threshold_and_unknown_pass_with_a_reason() -> None:
    decision = decide([finding(Severity.MEDIUM), finding(Severity.UNKNOWN)], [])
    assert decision.verdict is Verdict.PASS
    assert decision.reasons == ("2 finding(s), none at or above high severity",)


def test_blocking_problem_is_incomplete_and_warnings_are_not() -> None:
    problem = Problem("dependencies", "cannot parse", "poetry.lock")
    warning = Problem("dependencies", "unpinned", "requirements.txt", blocking=False)
    assert decide([], [problem]).verdict is Verdict.INCOMPLETE
    assert decide([], [problem]).exit_code == 2
    assert decide([], [warning]).verdict is Verdict.PASS


def test_failure_wins_over_incomplete() -> None:
    problem = Problem("dependencies", "cannot parse", "poetry.lock")
    decision = decide([finding(Severity.HIGH)], [problem])
    assert decision.verdict is Verdict.FAIL
    assert len(decision.reasons) == 2


def test_threshold_is_a_parameter() -> None:
    assert decide([finding(Severity.LOW)], [], GatePolicy(Severity.LOW)).verdict is Verdict.FAIL
