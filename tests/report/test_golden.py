"""Golden files for every reporter over one shared report.

Run with GLASSHOUSE_UPDATE_GOLDEN=1 to rewrite them after an intended change, then
read the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from glasshouse.report.registry import RENDERERS

from .fixture_report import fixture_report

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).resolve().parents[2] / "src/glasshouse/report/schemas/report-1.json"
UPDATE = os.environ.get("GLASSHOUSE_UPDATE_GOLDEN") == "1"
SUFFIX = {
    "json": "json",
    "table": "txt",
    "sarif": "sarif",
    "junit": "junit.xml",
    "markdown": "md",
    "html": "html",
    "cyclonedx": "cdx.json",
    "gitlab-dependency-scanning": "gitlab-ds.json",
    "gitlab-secret-detection": "gitlab-sd.json",
}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_reporter_matches_its_golden_file(fmt: str) -> None:
    assert fmt in SUFFIX, f"add a golden file suffix for the new format {fmt!r}"
    rendered = RENDERERS[fmt](fixture_report())
    if fmt == "json":
        # written compact; kept indented here so that a change reads as a diff
        assert rendered.count("\n") == 1
        rendered = json.dumps(json.loads(rendered), indent=2, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"report.{SUFFIX[fmt]}"
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), "run with GLASSHOUSE_UPDATE_GOLDEN=1 to create the golden file"
    assert rendered == golden.read_text(encoding="utf-8")


def test_json_report_follows_its_schema() -> None:
    report = json.loads(RENDERERS["json"](fixture_report()))
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    assert report["schema_version"] == "1.1"
    decision = report["decision"]
    assert (decision["verdict"], decision["exit_code"], decision["evaluated"]) == (
        "fail",
        1,
        "fail",
    )
    assert decision["reasons"][:2] == [
        "2 blocking finding(s) (1 critical, 1 high)",
        "1 problem(s) kept the scan incomplete (dependencies)",
    ]
    assert report["summary"]["by_disposition"] == {
        "blocking": 2,
        "allowed": 2,
        "waived": 1,
        "existing": 0,
        "ignored": 0,
    }
    assert [(w["id"], w["status"]) for w in report["waivers"]] == [
        ("W-7", "applied"),
        ("W-3", "expired"),
        ("W-9", "unused"),
    ]
    assert report["baseline"]["fixed"][0]["rule_id"] == "CVE-2018-1000"
    gates = [f["gate"]["disposition"] for f in report["findings"]]
    assert gates == ["blocking", "allowed", "allowed", "waived", "blocking"]


def test_table_shows_fix_problems_and_verdict() -> None:
    text = RENDERERS["table"](fixture_report())
    assert "Django 2.2" in text
    assert "fix: Upgrade Django from 2.2 to 2.2.18." in text
    assert "<b>markup</b> [stays] literal" in text
    assert "poetry.lock: cannot parse" in text
    assert "gate: FAIL" in text
