"""JUnit XML, so that every CI shows the gate in its test view.

Layout: one ``<testsuites>``; a ``glasshouse.gate`` suite whose single ``verdict`` case
fails when the verdict is fail or incomplete; one suite per finding kind, one case per
finding; and a ``glasshouse.problems`` suite when something could not be checked.

How each gate disposition maps, and why:

- blocking: ``<failure>`` (severity and title as message; location, fix and the gate's
  reason as body): it is what failed the gate.
- allowed (below the threshold): a passed case with ``<system-out>`` saying so: the gate
  weighed it and let it pass.
- waived, existing, ignored: ``<skipped message="...">``: the gate did not weigh these
  on purpose. GitLab, Jenkins and the GitHub test-report actions count and list skipped
  cases at the top of their summaries and show the skip message per case, whereas a
  passed case's ``<system-out>`` is only seen by whoever opens it; exceptions should
  stay in sight. The skip body repeats the details (GitLab shows it as the output).
- blocking problems: ``<error>``: the scan could not run as required. Warnings that did
  not keep the scan incomplete: ``<skipped>`` (something was not checked).

Test names avoid line numbers so that CI test histories follow a finding across edits;
the line is in the body. Element and attribute names follow the common JUnit XSD that
Jenkins, GitLab and the GitHub actions read (testsuite: properties, testcase*,
system-out; testcase: skipped?, error*, failure*, system-out*).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

from glasshouse.model import Disposition, Finding, FindingKind, Judgement, Report, Verdict
from glasshouse.report import _view
from glasshouse.report._view import clean, one_line

ROOT_NAME = "glasshouse"
GATE_SUITE = "glasshouse.gate"
PROBLEM_SUITE = "glasshouse.problems"
_MESSAGE = 500  # attribute messages stay short; the body has the rest


@dataclass
class _Case:
    name: str
    classname: str
    outcome: str = "passed"  # passed, failure, error, skipped
    message: str = ""
    type: str = ""
    body: str = ""
    time: str = "0"
    fingerprint: str = ""


@dataclass
class _Suite:
    name: str
    cases: list[_Case] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    time: str = "0"

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _classname(finding: Finding) -> str:
    """``glasshouse.<kind>.<dir>.<file>``: test views group by package, then class."""
    parts = [p.replace(".", "_") for p in finding.location.path.split("/") if p]
    return ".".join([ROOT_NAME, finding.kind.value, *parts])


def _name(finding: Finding) -> str:
    label = _view.package_label(finding)
    subject = f"{label} ({finding.location.path})" if label else finding.location.path
    return one_line(f"{finding.rule_id} in {subject}")


def _details(finding: Finding, judgement: Judgement | None) -> str:
    lines = [
        f"{finding.severity.label}: {one_line(finding.title)}",
        f"Rule: {finding.rule_id}",
        f"Location: {finding.location}",
    ]
    vuln = finding.vulnerability
    if vuln is not None:
        pkg = vuln.package
        lines.append(f"Package: {_view.package_label(finding)} ({pkg.ecosystem})")
        if len(vuln.advisory_ids) > 1:
            lines.append(f"Aliases: {', '.join(vuln.advisory_ids[1:])}")
        lines.append(f"Fixed in: {', '.join(vuln.fixed_versions) or 'no fixed version known'}")
    if finding.code is not None:
        lines.append(f"Reported by: {finding.code.tool}")
    fix = _view.fix_text(finding)
    if fix:
        lines.append(f"Fix: {one_line(fix)}")
    if judgement is not None:
        lines.append(f"Gate: {_view.gate_label(judgement)}: {one_line(judgement.reason)}")
    url = _view.help_url(finding)
    if url:
        lines.append(f"More: {url}")
    lines.append(f"Fingerprint: {finding.fingerprint}")
    return "\n".join(lines) + "\n"


def _skip_message(judgement: Judgement, report: Report) -> str:
    if judgement.disposition is Disposition.WAIVED and judgement.waiver:
        for use in report.decision.waivers:
            if use.waiver.id == judgement.waiver:
                w = use.waiver
                approved = f" (approved by {w.approver})" if w.approver else ""
                return f"waived by {w.id} until {w.expires.isoformat()}: {w.reason}{approved}"
    return f"{judgement.disposition.value}: {judgement.reason}"


def _finding_case(finding: Finding, judgement: Judgement | None, report: Report) -> _Case:
    case = _Case(
        _name(finding),
        _classname(finding),
        body=_details(finding, judgement),
        fingerprint=finding.fingerprint,
    )
    disposition = judgement.disposition if judgement is not None else None
    if disposition is Disposition.BLOCKING:
        case.outcome = "failure"
        case.type = f"{finding.kind.value}.{finding.severity.label}"
        case.message = one_line(f"{finding.severity.label}: {finding.title}", _MESSAGE)
    elif judgement is not None and disposition in (
        Disposition.WAIVED,
        Disposition.EXISTING,
        Disposition.IGNORED,
    ):
        case.outcome = "skipped"
        case.message = one_line(_skip_message(judgement, report), _MESSAGE)
    elif judgement is not None:
        case.body = f"allowed: {one_line(judgement.reason)}\n{case.body}"
    else:
        case.body = f"not judged: no gate decision in this report\n{case.body}"
    return case


def _gate_suite(report: Report) -> _Suite:
    decision = report.decision
    duration = _seconds(report.stats.duration_seconds)
    case = _Case("verdict", GATE_SUITE, time=duration)
    reasons = "\n".join(one_line(r) for r in decision.reasons)
    summary = f"gate {decision.verdict.value}"
    if decision.evaluated is not None and decision.evaluated is not decision.verdict:
        summary += f" (evaluated: {decision.evaluated.value}, mode: {decision.mode})"
    if decision.override is not None:
        o = decision.override
        summary += f"; break-glass override by {one_line(o.actor)} at {o.at}: {one_line(o.reason)}"
    body = f"{summary}\n{reasons}\n" if reasons else f"{summary}\n"
    if decision.verdict in (Verdict.FAIL, Verdict.INCOMPLETE):
        case.outcome = "failure"
        case.type = decision.verdict.value
        case.message = one_line(
            f"gate {decision.verdict.value}: " + "; ".join(decision.reasons), _MESSAGE
        )
    case.body = body
    properties = [
        ("verdict", decision.verdict.value),
        ("evaluated", (decision.evaluated or decision.verdict).value),
        ("exit_code", str(int(decision.exit_code))),
        ("mode", decision.mode),
        ("target", report.target),
        ("started_at", report.started_at),
        ("tool_version", report.tool_version),
        ("findings", str(len(report.findings))),
    ]
    properties += [("policy", source) for source in report.policy_sources]
    return _Suite(GATE_SUITE, [case], properties, time=duration)


def _problem_suite(report: Report) -> _Suite:
    suite = _Suite(PROBLEM_SUITE)
    names: Counter[str] = Counter()
    for problem in report.problems:
        name = one_line(f"{problem.scanner}: {problem.path or 'scan'}")
        names[name] += 1
        if names[name] > 1:
            name = f"{name} #{names[name]}"
        case = _Case(name, f"{PROBLEM_SUITE}.{problem.scanner}", body=one_line(str(problem)) + "\n")
        if problem.blocking:
            case.outcome = "error"
            case.type = "incomplete"
            case.message = one_line(problem.message, _MESSAGE)
        else:
            case.outcome = "skipped"
            case.message = one_line(f"not checked: {problem.message}", _MESSAGE)
        suite.cases.append(case)
    return suite


def _suites(report: Report) -> list[_Suite]:
    suites = [_gate_suite(report)]
    by_kind: dict[FindingKind, list[_Case]] = {}
    for finding, judgement in _view.items(report):
        by_kind.setdefault(finding.kind, []).append(_finding_case(finding, judgement, report))
    for kind in FindingKind:
        cases = by_kind.get(kind)
        if not cases:
            continue
        # The same rule can fire twice in one file (two keys in one .env): keep names
        # unique within a class, or test views merge the two cases into one.
        seen: Counter[tuple[str, str]] = Counter((c.classname, c.name) for c in cases)
        for case in cases:
            if seen[(case.classname, case.name)] > 1:
                case.name = f"{case.name} #{case.fingerprint[:12]}"
        suites.append(_Suite(f"{ROOT_NAME}.{kind.value}", cases))
    if report.problems:
        suites.append(_problem_suite(report))
    return suites


def _set(element: ET.Element, name: str, value: str) -> None:
    element.set(name, clean(value))


def _element(suites: list[_Suite], report: Report) -> ET.Element:
    root = ET.Element("testsuites")
    _set(root, "name", ROOT_NAME)
    totals = Counter[str]()
    for suite in suites:
        node = ET.SubElement(root, "testsuite")
        _set(node, "name", suite.name)
        counts = {
            "tests": len(suite.cases),
            "failures": suite.count("failure"),
            "errors": suite.count("error"),
            "skipped": suite.count("skipped"),
        }
        totals.update(counts)
        for key, value in counts.items():
            _set(node, key, str(value))
        _set(node, "time", suite.time)
        if report.started_at:
            _set(node, "timestamp", report.started_at)
        if suite.properties:
            props = ET.SubElement(node, "properties")
            for name, text in suite.properties:
                prop = ET.SubElement(props, "property")
                _set(prop, "name", name)
                _set(prop, "value", text)
        for case in suite.cases:
            tc = ET.SubElement(node, "testcase")
            _set(tc, "name", case.name)
            _set(tc, "classname", case.classname)
            _set(tc, "time", case.time)
            if case.outcome == "passed":
                out = ET.SubElement(tc, "system-out")
                out.text = clean(case.body)
                continue
            child = ET.SubElement(tc, case.outcome)
            _set(child, "message", case.message)
            if case.type:
                _set(child, "type", case.type)
            child.text = clean(case.body)
    for key in ("tests", "failures", "errors", "skipped"):
        _set(root, key, str(totals[key]))
    _set(root, "time", _seconds(report.stats.duration_seconds))
    return root


def render(report: Report) -> str:
    root = _element(_suites(report), report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
