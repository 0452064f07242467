"""Hand-written SARIF edge cases (tests/data/sarif/), one file per case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glasshouse.fingerprint import fingerprint
from glasshouse.model import Finding, FindingKind, Location, Severity
from glasshouse.sarif_import import SUPPRESSED_TAG, SarifImport, read_sarif

DATA = Path(__file__).resolve().parents[1] / "data" / "sarif"
ROOT = Path("/build/repo")  # the producer's checkout in the files; it need not exist

# Files that are not valid SARIF 2.1.0 on purpose; every other one must validate.
INVALID = {
    "empty.sarif",
    "missing-version.sarif",
    "no-version-no-runs.sarif",
    "not-json.sarif",
    "top-level-array.sarif",
    "truncated.sarif",
    "version-2.0.0.sarif",
    "version-not-string.sarif",
    "wrong-types.sarif",
}


def load(name: str) -> SarifImport:
    return read_sarif(DATA / name, ROOT)


def by_message(result: SarifImport) -> dict[str, Finding]:
    assert result.findings
    return {f.code.message: f for f in result.findings if f.code is not None}


def test_every_data_file_is_valid_sarif_unless_meant_not_to_be(shared_dir: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = shared_dir / "schemas" / "sarif-schema-2.1.0.json"
    validator = jsonschema.Draft7Validator(json.loads(schema.read_text()))
    names = sorted(p.name for p in DATA.glob("*.sarif"))
    assert set(names) >= INVALID
    for name in names:
        if name in INVALID:
            continue
        errors = [e.message for e in validator.iter_errors(json.loads((DATA / name).read_bytes()))]
        assert errors == [], name


def test_uri_base_ids_resolve_through_original_uri_base_ids() -> None:
    result = load("uri-base-ids.sarif")
    assert result.problems == []
    assert result.tools == ["path-checker"]
    paths = {f.rule_id.split(":", 1)[1]: f.location for f in result.findings}
    assert paths["P1"] == Location("src/app.py", 3, 7)  # SRC -> REPO, chained
    assert paths["P2"].path == "lib/util.py"  # a CI checkout elsewhere: relative part kept
    assert paths["P3"].path == "main.py"  # %SRCROOT% undefined: the root
    assert not paths["P4"].path.startswith("/")  # a cycle of base ids: no crash, no escape
    assert paths["P5"].path == "/build/outside.py"  # climbs out: absolute, as it is
    assert paths["P6"].path == "README.md"  # a base that is not a file: the root
    assert paths["P7"].path == "src/win/path.py"
    assert paths["P8"].path == "src/a b#c.py"
    assert paths["P9"] == Location("from/artifacts.py", 9)  # through run.artifacts[0]
    assert paths["P10"].path == "src/dots.py"


def test_file_uris_absolute_paths_and_foreign_uris() -> None:
    result = load("file-uris.sarif")
    assert result.problems == []
    paths = {f.rule_id.split(":", 1)[1]: f.location.path for f in result.findings}
    assert paths == {
        "U1": "src/a.py",
        "U2": "src/b.py",
        "U3": "src/with space\u00e9.py",
        "U4": "/elsewhere/c.py",
        "U5": "file:///C:/work/d.py",
        "U6": "file://server/share/e.py",
        "U7": "https://example.test/f.py",
        "U8": "g.py",
        "U9": "C:/work/h.py",
        "U10": "src/i.py",
    }


def test_file_uri_into_a_symlinked_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "src").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    sarif = tmp_path / "out.sarif"
    uri = (real / "src" / "x.py").as_uri()
    sarif.write_text(
        json.dumps(
            {
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {"driver": {"name": "T"}},
                        "results": [
                            {
                                "ruleId": "R",
                                "message": {"text": "m"},
                                "locations": [
                                    {"physicalLocation": {"artifactLocation": {"uri": uri}}}
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    )
    assert read_sarif(sarif, link).findings[0].location.path == "src/x.py"


def test_rules_found_by_index_reference_id_and_extension() -> None:
    result = load("rule-lookup.sarif")
    found = by_message(result)
    assert found["index only"].rule_id == "rule-finder:PY002"
    assert found["index only"].title == "index only"  # a name is no title; the message is
    assert found["rule reference by index"].rule_id == "rule-finder:PY001"
    assert found["rule reference by index"].title == "Dangerous call"
    assert found["rule reference by id"].rule_id == "rule-finder:PY002"
    assert found["hierarchical id"].rule_id == "rule-finder:CA2000/sub"
    fix = found["hierarchical id"].fix
    assert fix is not None
    assert fix.summary == "Dispose objects before losing scope."
    assert found["rule in an extension"].rule_id == "rule-finder:EXT1"
    assert found["rule in an extension"].title == "Extension rule"
    assert found["extension by name"].title == "Extension rule"
    assert found["no rule at all"].rule_id == "rule-finder:unknown"
    assert found["index -1 means none"].rule_id == "rule-finder:PY001"
    assert found["rule not described"].rule_id == "rule-finder:NEW9"
    code = found["rule reference by index"].code
    assert code is not None
    assert code.help_uri == "https://example.test/PY001"
    assert code.tool == "Rule Finder"
    assert code.tool_version == "2.3.4"  # semanticVersion when there is no version
    assert [p.message for p in result.problems] == [
        "runs[0].results[6].rule.toolComponent.name: 'no-such-pack' names no tool component; "
        "result skipped",
        "runs[0].results[9].ruleIndex: is 9, but runs[0].tool.driver has 3 rules; result skipped",
    ]
    assert all(p.blocking and p.path == str(DATA / "rule-lookup.sarif") for p in result.problems)


def test_message_strings_arguments_and_cleaning() -> None:
    result = load("message-strings.sarif")
    assert result.problems == []
    messages = [f.code.message for f in result.findings if f.code is not None]
    assert messages == [
        "Call to os.system with user input at {runtime}",
        "Global message about globals",
        "missing-id",
        "Text A wins over the id",
        "Call to only-one with {1} at {runtime}",
        "First line",
        "Possible hardcoded password: '<redacted>'",
        "Colour \ufffd[31mred\ufffd[0m and a lone \ufffd surrogate",
        "Braces {0} {{kept}} as written without arguments",
    ]
    assert "Gl4ssh0use-not-a-real-pw" not in repr(result)
    for finding in result.findings:
        assert finding.title == (finding.code.message if finding.code else None)
        finding.fingerprint.encode("ascii")
        finding.title.encode("utf-8")  # no lone surrogate left to break an encoder


def test_long_messages_are_cut(tmp_path: Path) -> None:
    sarif = tmp_path / "long.sarif"
    text = "x" * 900 + "\nsecond line"
    rules = [{"id": "L", "shortDescription": {"text": "t" * 400}, "help": {"text": "h " * 400}}]
    sarif.write_text(
        json.dumps(
            {
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {"driver": {"name": "Long", "rules": rules}},
                        "results": [{"ruleId": "L", "message": {"text": text}}],
                    }
                ],
            }
        )
    )
    (finding,) = read_sarif(sarif, tmp_path).findings
    assert finding.code is not None
    assert finding.fix is not None
    assert len(finding.code.message) == 500
    assert len(finding.title) == 200
    assert len(finding.fix.summary) == 300
    assert finding.location == Location("long.sarif")  # inside the root: relative to it


def test_severity_mapping() -> None:
    result = load("severity.sarif")
    assert result.problems == []
    found = {
        (f.rule_id.split(":")[0], f.code.message): f.severity for f in result.findings if f.code
    }
    rater = {message: sev for (tool, message), sev in found.items() if tool == "rater"}
    assert rater == {
        "score on the rule": Severity.CRITICAL,
        "score on the result wins": Severity.MEDIUM,
        "a score wins over a level": Severity.LOW,
        "unreadable score, then the level": Severity.HIGH,
        "score out of range": Severity.MEDIUM,
        "score zero": Severity.LOW,
        "score as a JSON number": Severity.HIGH,
        "the rule's default level": Severity.MEDIUM,
        "the result's level wins": Severity.LOW,
        "a note by default": Severity.LOW,
        "level none": Severity.LOW,
        "nothing said": Severity.UNKNOWN,
        "informational, level none by default": Severity.LOW,
        "review with a level": Severity.HIGH,
        "Bandit's property, but not from Bandit": Severity.UNKNOWN,
    }
    bandit = {message: sev for (tool, message), sev in found.items() if tool == "bandit"}
    assert bandit == {
        "Bandit leaves out level for MEDIUM": Severity.MEDIUM,
        "level first": Severity.HIGH,
        "undefined severity": Severity.UNKNOWN,
    }


def test_suppressed_results_are_kept_and_tagged() -> None:
    result = load("suppressions.sarif")
    assert result.problems == []
    tagged = {f.code.message: SUPPRESSED_TAG in f.tags for f in result.findings if f.code}
    assert tagged == {
        "in source, no status (Semgrep's nosemgrep)": True,
        "external, accepted": True,
        "under review": False,
        "rejected": False,
        "empty list": False,
        "one rejected, one accepted": True,
        "not suppressed": False,
    }


def test_a_suppression_does_not_hide_the_same_finding_unsuppressed(tmp_path: Path) -> None:
    def result(suppressed: bool, line: int) -> dict[str, object]:
        return {
            "ruleId": "R",
            "message": {"text": "same"},
            "partialFingerprints": {"hash": "abc"},
            "suppressions": [{"kind": "inSource"}] if suppressed else [],
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "a.py"},
                        "region": {"startLine": line},
                    }
                }
            ],
        }

    document = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "T"}},
                "results": [result(True, 1), result(False, 5), result(True, 9)],
            }
        ],
    }
    path = tmp_path / "x.sarif"
    path.write_text(json.dumps(document))
    (finding,) = read_sarif(path, tmp_path).findings
    assert finding.tags == ()
    assert finding.location.line == 5


def test_the_gate_reads_the_same_tag() -> None:
    decision = pytest.importorskip("glasshouse.gate.decision")
    assert decision.SUPPRESSED_TAG == SUPPRESSED_TAG


def test_multiple_runs_and_duplicates_across_runs() -> None:
    result = load("multiple-runs.sarif")
    assert result.problems == []
    assert result.tools == ["tool-a", "codeql", "quiet-tool"]
    assert [f.rule_id for f in result.findings] == [
        "tool-a:A1",
        "codeql:py/command-line-injection",
        "tool-a:A2",
    ]
    versions = [f.code.tool_version for f in result.findings if f.code]
    assert versions == ["1", "2.19.0", "1"]


def test_results_without_locations_point_at_the_sarif_file(tmp_path: Path) -> None:
    result = load("no-locations.sarif")
    assert result.problems == []
    locations = [f.location for f in result.findings]
    assert locations == [Location("no-locations.sarif")] * 4 + [Location("second.py", 8, 2)]
    inside = tmp_path / "reports" / "no-locations.sarif"
    inside.parent.mkdir()
    inside.write_bytes((DATA / "no-locations.sarif").read_bytes())
    again = read_sarif(inside, tmp_path)
    assert again.findings[0].location == Location("reports/no-locations.sarif")


def test_fingerprints_prefer_the_tools_own_and_never_use_lines() -> None:
    result = load("fingerprints.sarif")
    assert result.problems == []
    lines = [(f.rule_id.split(":")[1], f.location.line) for f in result.findings]
    assert lines == [
        ("F-PARTIAL", 10),  # :1 and :2 are distinct partial fingerprints
        ("F-PARTIAL", 20),  # the third repeats :1 and is dropped
        ("F-FULL", 1),
        ("F-FULL", 1),  # same line, told apart by their fingerprints
        ("F-PLACEHOLDER", 3),  # "requires login" is ignored: snippets tell these apart
        ("F-PLACEHOLDER", 7),  # and collapse the third, whose snippet only differs in spaces
        ("F-MESSAGE", 1),  # neither: the message, whitespace collapsed
        ("F-MESSAGE", 2),
    ]
    first = result.findings[0]
    assert first.fingerprint == fingerprint(
        FindingKind.CODE,
        "printer:F-PARTIAL",
        "partialFingerprints:primaryLocationLineHash=39fa2ee980eb94b0:1",
        "f.py",
    )


def test_moving_a_result_to_another_line_keeps_its_fingerprint(tmp_path: Path) -> None:
    document = json.loads((DATA / "fingerprints.sarif").read_bytes())
    for result in document["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        region["startLine"] += 100
        region["startColumn"] = 9
    moved = tmp_path / "moved.sarif"
    moved.write_text(json.dumps(document))
    before = load("fingerprints.sarif").findings
    after = read_sarif(moved, ROOT).findings
    assert [f.fingerprint for f in after] == [f.fingerprint for f in before]
    assert [f.location.line for f in after] == [(f.location.line or 0) + 100 for f in before]


def test_failed_runs_and_error_notifications_are_blocking_problems() -> None:
    result = load("notifications.sarif")
    assert [f.rule_id for f in result.findings] == ["flaky-tool:R1"]
    assert [(p.message, p.blocking) for p in result.problems] == [
        (
            "runs[0].invocations[0]: Flaky Tool reports that its run failed "
            "(executionSuccessful is false); its results may be incomplete",
            True,
        ),
        (
            "runs[0].invocations[0].toolExecutionNotifications[0]: "
            "Flaky Tool reports an error: could not parse file (broken.py)",
            True,
        ),
        (
            "runs[0].invocations[0].toolConfigurationNotifications[0]: "
            "Flaky Tool reports an error: syntax error while parsing AST from file",
            True,
        ),
    ]


def test_wrong_types_give_one_problem_each_and_the_rest_imports() -> None:
    result = load("wrong-types.sarif")
    messages = [p.message for p in result.problems]
    assert messages == [
        "runs[0].tool.driver.rules[0]: is a number, not an object; rule read as its id only",
        "runs[0].tool.driver.rules[1].shortDescription: is a string, not an object; "
        "rule read as its id only",
        "runs[0].results[0]: is a string, not an object; result skipped",
        "runs[0].results[1].locations: is a string, not an array; result skipped",
        "runs[0].results[2].message.text: is a number, not a string; result skipped",
        "runs[0].results[3].ruleId: is a number, not a string; result skipped",
        "runs[0].results[4].level: unknown level 'fatal'; result skipped",
        "runs[0].results[5].locations[0].physicalLocation.region.startLine: "
        "is a string, not an integer; result skipped",
        "runs[0].results[6].locations[0].physicalLocation.region.startLine: "
        "is 0, less than 1; result skipped",
        "runs[0].results[7].locations[0].physicalLocation.region.startLine: "
        "is a boolean, not an integer; result skipped",
        "runs[0].results[8].partialFingerprints.hash: is not a string; result skipped",
        "runs[0].results[9].kind: unknown kind 'maybe'; result skipped",
        "runs[0].results[10].suppressions: is an object, not an array; result skipped",
        "runs[0].results[12].message.arguments[0]: is not a string; result skipped",
        "runs[0].results[13].locations[0].physicalLocation.artifactLocation.index: "
        "is 3, but the run lists 0 artifacts; result skipped",
        "runs[1].tool: is a string, not an object; run skipped",
        "runs[2].results: is an object, not an array; run skipped",
        "runs[3].tool.driver.name: is missing; run skipped",
        "runs[4].results is absent: No Results Array produced no results",
        "runs[5]: is a number, not an object; run skipped",
    ]
    assert all(p.blocking and p.scanner == "sarif" for p in result.problems)
    assert all("\n" not in p.message for p in result.problems)
    assert [f.rule_id for f in result.findings] == [
        "sloppy:W11",  # an unknown property of the result is not read, so not checked
        "sloppy:R-BAD-DESC",  # its rule is broken (reported above), the result is not
        "sloppy:R-GOOD",
    ]
    assert result.findings[-1].title == "Good rule"
    assert result.tools == ["sloppy", "no-results-array"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.sarif", "empty file: not a SARIF log"),
        ("not-json.sarif", "invalid JSON: Expecting value at line 1 column 1"),
        ("truncated.sarif", "invalid JSON: Unterminated string starting at at line 1 column 97"),
        ("top-level-array.sarif", "not a SARIF log: the top level is not a JSON object"),
        ("version-2.0.0.sarif", "unsupported SARIF version '2.0.0': Glasshouse reads 2.1.0"),
        ("version-not-string.sarif", "'version' is not a string"),
        ("no-version-no-runs.sarif", "not a SARIF log: no 'version' and no 'runs' array"),
        ("runs-null.sarif", "'runs' is null or absent: the producing tool did not run"),
    ],
)
def test_unusable_files_give_one_blocking_problem(name: str, message: str) -> None:
    result = load(name)
    assert result.findings == []
    assert result.tools == []
    assert [(p.scanner, p.message, p.path, p.blocking) for p in result.problems] == [
        ("sarif", message, str(DATA / name), True)
    ]


def test_a_missing_version_is_a_note_when_runs_are_there() -> None:
    result = load("missing-version.sarif")
    assert [f.rule_id for f in result.findings] == ["versionless:X"]
    assert [(p.message, p.blocking) for p in result.problems] == [
        ("no 'version': read as SARIF 2.1.0", False)
    ]
