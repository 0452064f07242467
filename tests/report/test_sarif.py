"""SARIF 2.1.0: valid against the OASIS schema, and faithful to the gate's decision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from glasshouse.model import Report
from glasshouse.report import sarif

from . import edge_reports
from .fixture_report import fixture_report


@pytest.fixture(scope="module")
def validator(shared_dir: Path) -> jsonschema.Draft4Validator:
    schema = json.loads((shared_dir / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def _render(report: Report, validator: jsonschema.Draft4Validator) -> dict[str, Any]:
    text = sarif.render(report)
    assert text == sarif.render(report), "rendering must be deterministic"
    document: dict[str, Any] = json.loads(text)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return document


def _run(report: Report, validator: jsonschema.Draft4Validator) -> dict[str, Any]:
    document = _render(report, validator)
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run: dict[str, Any] = document["runs"][0]
    return run


ALL_REPORTS = {
    "fixture": fixture_report,
    "empty": edge_reports.empty_report,
    "passing": edge_reports.passing_report,
    "incomplete": edge_reports.incomplete_report,
    "dispositions": edge_reports.dispositions_report,
    "hostile": edge_reports.hostile_report,
    "unjudged": edge_reports.unjudged_report,
}


@pytest.mark.parametrize("name", sorted(ALL_REPORTS))
def test_every_report_validates_against_the_oasis_schema(
    name: str, validator: jsonschema.Draft4Validator
) -> None:
    run = _run(ALL_REPORTS[name](), validator)
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("Glasshouse", "0.0.0-test")
    rules = [rule["id"] for rule in driver["rules"]]
    assert len(rules) == len(set(rules))
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_fixture_rules_carry_descriptions_help_and_security_severity(
    validator: jsonschema.Draft4Validator,
) -> None:
    run = _run(fixture_report(), validator)
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert list(rules) == [
        "CVE-2019-14234",
        "PYSEC-2021-9",
        "GO-2020-0015",
        "CVE-2020-14343",
        "bandit:B602",
    ]
    django = rules["CVE-2019-14234"]
    assert django["shortDescription"]["text"] == (
        "Example problem in Django <b>markup</b> [stays] literal"
    )
    assert "GHSA-6r97-cj55-9hrq" in django["fullDescription"]["text"]
    assert "Upgrade Django from 2.2 to 2.2.18." in django["help"]["text"]
    assert "**Fix:** Upgrade Django" in django["help"]["markdown"]
    assert django["helpUri"] == "https://osv.dev/vulnerability/CVE-2019-14234"
    assert django["properties"] == {
        "security-severity": "9.5",
        "tags": ["security", "vulnerability"],
    }
    assert rules["PYSEC-2021-9"]["properties"]["security-severity"] == "5.5"
    assert rules["bandit:B602"]["properties"]["security-severity"] == "8.0"
    assert rules["bandit:B602"]["properties"]["tags"] == ["security", "code"]
    assert rules["bandit:B602"]["helpUri"] == (
        "https://bandit.readthedocs.io/en/latest/plugins/b602.html"
    )
    # unknown severity: no security-severity at all, rather than a made-up number
    assert "security-severity" not in rules["GO-2020-0015"]["properties"]


def test_fixture_results_follow_the_gate(validator: jsonschema.Draft4Validator) -> None:
    report = fixture_report()
    run = _run(report, validator)
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f.rule_id for f in report.findings]
    assert [r["level"] for r in results] == ["error", "warning", "note", "warning", "error"]
    for result, finding in zip(results, report.findings, strict=True):
        assert result["partialFingerprints"] == {"glasshouseFingerprint/v1": finding.fingerprint}
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {
            "uri": finding.location.path,
            "uriBaseId": "%SRCROOT%",
        }
        assert location["region"]["startLine"] == finding.location.line
    django, _, golang, pyyaml, bandit = results
    assert django["message"]["text"] == (
        "Django 2.2 (PyPI): Example problem in Django <b>markup</b> [stays] literal. "
        "Fix: Upgrade Django from 2.2 to 2.2.18."
    )
    assert "suppressions" not in django
    assert (django["baselineState"], golang["baselineState"]) == ("new", "unchanged")
    assert pyyaml["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": (
                "W-7: yaml.load is only called with SafeLoader here "
                "(approved by security-lead, until 2026-12-20, SEC-7)"
            ),
            "properties": {
                "waiver": "W-7",
                "expires": "2026-12-20",
                "owner": "team-api",
                "approver": "security-lead",
                "ticket": "SEC-7",
            },
        }
    ]
    assert pyyaml["properties"]["gate"]["disposition"] == "waived"
    assert bandit["properties"]["gate"]["reason"].startswith("high is at or above high")
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/project/"}}


def test_fixture_invocation_and_run_properties(validator: jsonschema.Draft4Validator) -> None:
    run = _run(fixture_report(), validator)
    (invocation,) = run["invocations"]
    # a blocking problem: the scan did not fully run, even though the verdict is fail
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 1
    assert invocation["startTimeUtc"] == "2026-01-02T03:04:05Z"
    notes = invocation["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes] == [
        ("error", "poetry.lock: cannot parse as poetrylock: Expected '=' at line 3"),
        ("warning", "requirements.txt: 1 dependency not checked, no pinned version: flask >=2"),
    ]
    properties = run["properties"]
    assert properties["verdict"] == "fail"
    assert properties["reasons"][0] == "2 blocking finding(s) (1 critical, 1 high)"
    assert [(w["id"], w["status"]) for w in properties["waivers"]] == [
        ("W-7", "applied"),
        ("W-3", "expired"),
        ("W-9", "unused"),
    ]
    assert properties["baseline"]["fixed"][0]["ruleId"] == "CVE-2018-1000"


def test_existing_and_ignored_findings_are_suppressed_not_dropped(
    validator: jsonschema.Draft4Validator,
) -> None:
    report = edge_reports.dispositions_report()
    results = _run(report, validator)["results"]
    assert len(results) == len(report.findings)
    by_rule = {r["ruleId"]: r for r in results}
    existing = by_rule["CVE-2020-14343"]
    assert existing["baselineState"] == "unchanged"
    assert existing["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "in the baseline; only new findings block (baseline.json)",
        }
    ]
    disabled = by_rule["bandit:B101"]["suppressions"][0]
    assert disabled["kind"] == "external"
    assert disabled["justification"] == "rule BANDIT:B101 disabled by policy"
    in_source = by_rule["bandit:B602"]["suppressions"][0]
    assert in_source["kind"] == "inSource"
    assert in_source["justification"] == "suppressed in source by the producing tool"
    assert by_rule["bandit:B602"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 5,
    }
    blocking = by_rule["aws-access-key-id"]
    assert (blocking["level"], blocking["baselineState"]) == ("error", "new")
    assert "suppressions" not in blocking
    assert by_rule["PYSEC-2023-62"]["level"] == "note"
    assert "suppressions" not in by_rule["PYSEC-2023-62"]


def test_secret_findings_carry_only_the_redacted_preview(
    validator: jsonschema.Draft4Validator,
) -> None:
    report = edge_reports.dispositions_report()
    run = _run(report, validator)
    (result,) = [r for r in run["results"] if r["ruleId"] == "aws-access-key-id"]
    assert edge_reports.SECRET_PREVIEW in result["message"]["text"]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["properties"]["tags"] == ["security", "secret"]
    assert "helpUri" not in rule  # nothing invented for kinds without documentation


def test_empty_and_passing_reports(validator: jsonschema.Draft4Validator) -> None:
    run = _run(edge_reports.empty_report(), validator)
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["invocations"][0]["toolExecutionNotifications"] == []
    assert run["properties"]["verdict"] == "pass"
    run = _run(edge_reports.passing_report(), validator)
    assert [r["level"] for r in run["results"]] == ["note"]
    assert "baselineState" not in run["results"][0]  # no baseline, no baseline state
    assert run["invocations"][0]["exitCode"] == 0


def test_incomplete_report_marks_the_execution_unsuccessful(
    validator: jsonschema.Draft4Validator,
) -> None:
    run = _run(edge_reports.incomplete_report(), validator)
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "poetry.lock"
    assert run["properties"]["verdict"] == "incomplete"


def test_hostile_inputs_stay_data(validator: jsonschema.Draft4Validator) -> None:
    run = _run(edge_reports.hostile_report(), validator)
    first = run["results"][0]
    uri = first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20with%20space/%3Codd%3E%7Cname%23.txt"
    text = first["message"]["text"]
    assert "\n" not in text
    assert "\x1b" not in text
    assert "\u202e" not in text
    rule = run["tool"]["driver"]["rules"][0]
    # a javascript: reference is never offered as a link; the next http(s) one is,
    # percent-encoded
    assert rule["helpUri"] == "https://example.org/a%20b?q=%3Cx%3E"
    markdown = rule["help"]["markdown"]
    assert "javascript:" not in markdown
    short = run["tool"]["driver"]["rules"][0]["shortDescription"]["text"]
    assert short.startswith("Pwn | <script>")  # plain text fields keep the text as is


def test_the_schema_check_catches_what_it_should(validator: jsonschema.Draft4Validator) -> None:
    document = json.loads(sarif.render(fixture_report()))
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(document))) == 2


def test_findings_without_a_gate_decision(validator: jsonschema.Draft4Validator) -> None:
    run = _run(edge_reports.unjudged_report(), validator)
    assert [r["level"] for r in run["results"]] == ["error", "warning"]
    for result in run["results"]:
        assert "suppressions" not in result
        assert "baselineState" not in result
        assert "gate" not in result["properties"]
    assert "originalUriBaseIds" not in run  # a relative target names no base URI
