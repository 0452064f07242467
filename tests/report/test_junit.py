"""JUnit XML: parses back, counts add up, and the structure is what the common JUnit XSD
(the one Jenkins, GitLab and the GitHub test-report actions follow) allows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from glasshouse.gate.policy import Policy
from glasshouse.model import Report
from glasshouse.report import junit

from . import edge_reports
from .fixture_report import fixture_report

# What the common JUnit XSD (junit-10.xsd) allows, plus `skipped` on <testsuites>,
# which every reader above accepts and which saves them adding it up.
ROOT_ATTRS = {"name", "time", "tests", "failures", "errors", "skipped", "disabled"}
SUITE_ATTRS = {
    "name",
    "tests",
    "failures",
    "errors",
    "skipped",
    "disabled",
    "time",
    "timestamp",
    "hostname",
    "id",
    "package",
}
CASE_ATTRS = {"name", "classname", "time", "assertions", "status"}
OUTCOME_ATTRS = {
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
}
# testsuite: properties?, testcase*, system-out?, system-err?
SUITE_ORDER = {"properties": 0, "testcase": 1, "system-out": 2, "system-err": 3}
# testcase: skipped?, error*, failure*, system-out*, system-err*
CASE_ORDER = {"skipped": 0, "error": 1, "failure": 2, "system-out": 3, "system-err": 4}
COUNT = re.compile(r"\d+")
TIME = re.compile(r"\d+(\.\d+)?")
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def _check_order(element: ET.Element, order: dict[str, int]) -> None:
    positions = [order.get(child.tag, -1) for child in element]
    assert -1 not in positions, f"unexpected child of <{element.tag}>: {[c.tag for c in element]}"
    assert positions == sorted(positions), f"children of <{element.tag}> out of order"


def _outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def validate(text: str) -> ET.Element:
    """Parse, then check the XSD's structure and that every count is right."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)  # noqa: S314 - our own output, parsed to check it
    assert root.tag == "testsuites"
    assert set(root.attrib) <= ROOT_ATTRS
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root:
        assert suite.tag == "testsuite"
        assert {"name", "tests"} <= set(suite.attrib) <= SUITE_ATTRS
        assert TIME.fullmatch(suite.get("time", "0"))
        if "timestamp" in suite.attrib:
            assert DATETIME.fullmatch(suite.attrib["timestamp"])
        _check_order(suite, SUITE_ORDER)
        for prop in suite.iterfind("properties/property"):
            assert set(prop.attrib) == {"name", "value"}
        cases = suite.findall("testcase")
        outcomes = []
        seen_names = set()
        for case in cases:
            assert "name" in case.attrib
            assert set(case.attrib) <= CASE_ATTRS
            assert TIME.fullmatch(case.get("time", "0"))
            _check_order(case, CASE_ORDER)
            for child in case:
                if child.tag in OUTCOME_ATTRS:
                    assert set(child.attrib) <= OUTCOME_ATTRS[child.tag]
            outcome = _outcome(case)
            assert sum(case.find(t) is not None for t in ("failure", "error", "skipped")) <= 1
            outcomes.append(outcome)
            key = (case.get("classname"), case.attrib["name"])
            assert key not in seen_names, f"duplicate test case {key}"
            seen_names.add(key)
        counts = {
            "tests": len(cases),
            "failures": outcomes.count("failure"),
            "errors": outcomes.count("error"),
            "skipped": outcomes.count("skipped"),
        }
        for key, value in counts.items():
            assert COUNT.fullmatch(suite.get(key, "0"))
            assert int(suite.get(key, "0")) == value, (suite.get("name"), key)
            totals[key] += value
    for key, value in totals.items():
        assert int(root.attrib[key]) == value, key
    return root


def _suite(root: ET.Element, name: str) -> ET.Element:
    suite = root.find(f"testsuite[@name='{name}']")
    assert suite is not None, name
    return suite


def _render(report: Report) -> ET.Element:
    text = junit.render(report)
    assert text == junit.render(report), "rendering must be deterministic"
    return validate(text)


def test_fixture_counts_and_suites() -> None:
    root = _render(fixture_report())
    assert [s.get("name") for s in root] == [
        "glasshouse.gate",
        "glasshouse.vulnerability",
        "glasshouse.code",
        "glasshouse.problems",
    ]
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "8",
        "failures": "3",  # the verdict and the two blocking findings
        "errors": "1",  # the blocking problem
        "skipped": "2",  # the waived finding and the non-blocking problem
    }


def test_fixture_gate_verdict_fails_with_the_reasons() -> None:
    gate = _suite(_render(fixture_report()), "glasshouse.gate")
    (case,) = gate.findall("testcase")
    assert case.get("name") == "verdict"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "fail"
    message = failure.get("message", "")
    assert message.startswith("gate fail: 2 blocking finding(s) (1 critical, 1 high); 1 problem(s)")
    assert "waiver W-3 expired" in (failure.text or "")
    props = {p.get("name"): p.get("value") for p in gate.iterfind("properties/property")}
    assert props["verdict"] == "fail"
    assert props["exit_code"] == "1"


def test_fixture_findings_map_to_failures_skips_and_passes() -> None:
    suite = _suite(_render(fixture_report()), "glasshouse.vulnerability")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [
        "CVE-2019-14234 in Django 2.2 (requirements.txt)",
        "PYSEC-2021-9 in Django 2.2 (requirements.txt)",
        "GO-2020-0015 in golang.org/x/text v0.3.0 (svc/go.mod)",
        "CVE-2020-14343 in pyyaml 5.3 (requirements.txt)",
    ]
    blocking = cases["CVE-2019-14234 in Django 2.2 (requirements.txt)"]
    assert blocking.get("classname") == "glasshouse.vulnerability.requirements_txt"
    failure = blocking.find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "critical: Example problem in Django <b>markup</b> [stays] literal"
    )
    body = failure.text or ""
    assert "Location: requirements.txt:1" in body
    assert "Fix: Upgrade Django from 2.2 to 2.2.18." in body
    assert "Gate: blocking (new): critical is at or above high" in body
    allowed = cases["PYSEC-2021-9 in Django 2.2 (requirements.txt)"]
    assert _outcome(allowed) == "passed"
    assert (allowed.findtext("system-out") or "").startswith("allowed: below high\n")
    waived = cases["CVE-2020-14343 in pyyaml 5.3 (requirements.txt)"].find("skipped")
    assert waived is not None
    assert waived.get("message") == (
        "waived by W-7 until 2026-12-20: yaml.load is only called with SafeLoader here "
        "(approved by security-lead)"
    )
    code = _suite(_render(fixture_report()), "glasshouse.code").find("testcase")
    assert code is not None
    assert (code.get("name"), code.get("classname")) == (
        "bandit:B602 in app/run.py",
        "glasshouse.code.app.run_py",
    )


def test_fixture_problems_are_errors_or_skips() -> None:
    suite = _suite(_render(fixture_report()), "glasshouse.problems")
    error, warning = suite.findall("testcase")
    assert error.find("error") is not None
    assert error.find("error").get("message") == (  # type: ignore[union-attr]
        "cannot parse as poetrylock: Expected '=' at line 3"
    )
    skipped = warning.find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("not checked: 1 dependency not checked")


def test_existing_and_ignored_findings_are_skipped_with_the_reason() -> None:
    root = _render(edge_reports.dispositions_report())
    messages = {
        c.get("name"): (c.find("skipped").get("message") if c.find("skipped") is not None else None)
        for c in root.iter("testcase")
    }
    assert messages["CVE-2020-14343 in pyyaml 2.2 (requirements.txt)"] == (
        "existing: in the baseline; only new findings block"
    )
    assert messages["bandit:B101 in app/run.py"] == "ignored: rule BANDIT:B101 disabled by policy"
    assert messages["bandit:B602 in app/run.py"] == (
        "ignored: suppressed in source by the producing tool"
    )
    secrets = _suite(root, "glasshouse.secret")
    assert secrets.get("failures") == "1"


def test_same_rule_twice_in_one_file_gives_distinct_cases() -> None:
    first = edge_reports.secret(line=3, identity="hash-1")
    second = edge_reports.secret(line=9, identity="hash-2")
    root = _render(edge_reports.report([first, second]))
    names = [c.get("name") for c in _suite(root, "glasshouse.secret").findall("testcase")]
    assert names == [
        f"aws-access-key-id in config/.env #{first.fingerprint[:12]}",
        f"aws-access-key-id in config/.env #{second.fingerprint[:12]}",
    ]


@pytest.mark.parametrize(
    ("make", "verdict_outcome", "tests"),
    [
        (edge_reports.empty_report, "passed", 1),
        (edge_reports.passing_report, "passed", 2),
        (edge_reports.incomplete_report, "failure", 3),
    ],
    ids=["empty", "passing", "incomplete"],
)
def test_gate_verdict_case(make: object, verdict_outcome: str, tests: int) -> None:
    assert callable(make)
    report = make()
    root = _render(report)
    assert int(root.get("tests", "0")) == tests
    case = _suite(root, "glasshouse.gate").find("testcase")
    assert case is not None
    assert _outcome(case) == verdict_outcome
    if verdict_outcome == "passed":
        assert (case.findtext("system-out") or "").startswith("gate pass")
    else:
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("type") == "incomplete"
        assert "1 problem(s) kept the scan incomplete" in failure.get("message", "")


def test_warn_mode_passes_the_gate_and_still_lists_the_blocking_finding() -> None:
    report = edge_reports.report([edge_reports.vuln()], policy=Policy(mode="warn"))
    root = _render(report)
    verdict = _suite(root, "glasshouse.gate").find("testcase")
    assert verdict is not None
    assert _outcome(verdict) == "passed"
    assert "evaluated: fail, mode: warn" in (verdict.findtext("system-out") or "")
    assert _suite(root, "glasshouse.vulnerability").get("failures") == "1"


def test_hostile_text_is_escaped_and_stays_text() -> None:
    text = junit.render(edge_reports.hostile_report())
    root = validate(text)
    assert "<script>" not in text
    assert "<img" not in text
    assert not list(root.iter("script"))
    assert not list(root.iter("img"))
    failure = _suite(root, "glasshouse.vulnerability").find("testcase/failure")
    assert failure is not None
    assert "<script>alert(1)</script>" in failure.get("message", "")
    assert "\x1b" not in text
    assert "\u202e" not in text
    (problem,) = _suite(root, "glasshouse.problems").findall("testcase")
    assert problem.get("name") == "dependencies: x/<y>.lock"


def test_many_findings_render_quickly_and_count_right() -> None:
    root = _render(edge_reports.many_findings_report(2_000))
    assert root.get("tests") == "2001"
    assert root.get("failures") == "1001"  # half critical or high, plus the verdict


def test_the_structure_check_catches_what_it_should() -> None:
    text = junit.render(fixture_report())
    with pytest.raises(AssertionError):
        validate(text.replace('tests="8"', 'tests="7"'))
    with pytest.raises(AssertionError):
        validate(text.replace("<testcase ", '<testcase bogus="1" ', 1))
    with pytest.raises(AssertionError):  # system-out before the outcome
        validate(text.replace("</properties>", "</properties><system-out>x</system-out>", 1))


def test_findings_without_a_gate_decision_pass_and_say_so() -> None:
    root = _render(edge_reports.unjudged_report())
    cases = list(_suite(root, "glasshouse.vulnerability"))
    assert _outcome(cases[0]) == "passed"
    assert (cases[0].findtext("system-out") or "").startswith("not judged")
