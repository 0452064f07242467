"""Files that are not SARIF, or not files: one clear problem each, never an exception."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from glasshouse.model import Severity
from glasshouse.sarif_import import SarifImport, read_sarif, reader


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def log(*results: object, name: str = "Tool", **run: object) -> dict[str, Any]:
    return {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": name}}, "results": list(results), **run}],
    }


def only_problem(result: SarifImport) -> str:
    assert result.findings == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.blocking
    assert problem.scanner == "sarif"
    return problem.message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.sarif"
    result = read_sarif(path, tmp_path)
    assert only_problem(result) == "no such file"
    assert result.problems[0].path == str(path)


def test_directory(tmp_path: Path) -> None:
    assert only_problem(read_sarif(tmp_path, tmp_path)) == "not a regular file (a directory)"


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.sarif"
    os.mkfifo(fifo)
    assert only_problem(read_sarif(fifo, tmp_path)) == "not a regular file"


def test_relative_path_is_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.sarif").write_text("{")
    result = read_sarif(Path("out/x.sarif"), tmp_path)
    assert result.problems[0].path == "out/x.sarif"


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "big.sarif", log())
    monkeypatch.setattr(reader, "MAX_BYTES", 10)
    size = path.stat().st_size
    assert only_problem(read_sarif(path, tmp_path)) == f"too large: {size} bytes, over 10"


def test_the_real_limit_is_256_mib() -> None:
    assert reader.MAX_BYTES == 256 * 1024 * 1024


def test_deeply_nested_json_is_a_problem_not_a_recursion_error(tmp_path: Path) -> None:
    depth = 200_000
    path = tmp_path / "deep.sarif"
    path.write_bytes(b'{"version": "2.1.0", "runs": ' + b"[" * depth + b"]" * depth + b"}")
    assert only_problem(read_sarif(path, tmp_path)) == "invalid JSON: nested too deeply"


def test_deep_but_parseable_properties_are_left_alone(tmp_path: Path) -> None:
    nested: object = "leaf"
    for _ in range(200):
        nested = {"a": [nested]}
    path = write(tmp_path / "x.sarif", log({"ruleId": "R", "message": {"text": "m"}, "x": nested}))
    result = read_sarif(path, tmp_path)
    assert result.problems == []
    assert [f.rule_id for f in result.findings] == ["tool:R"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.sarif"
    path.write_bytes(json.dumps(log()).encode() + b" \xff\xfe\xfa")
    assert only_problem(read_sarif(path, tmp_path)).startswith("invalid JSON")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.sarif"
    document = log({"ruleId": "R", "message": {"text": "m"}})
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode())
    result = read_sarif(path, tmp_path)
    assert result.problems == []
    assert len(result.findings) == 1


def test_integer_too_long_to_convert(tmp_path: Path) -> None:
    path = tmp_path / "int.sarif"
    path.write_text('{"version": "2.1.0", "runs": [], "x": ' + "9" * 5000 + "}")
    assert only_problem(read_sarif(path, tmp_path)).startswith("invalid JSON: ")


def test_problems_are_capped_per_file(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.sarif", log(*(["not a result"] * 250)))
    problems = read_sarif(path, tmp_path).problems
    assert len(problems) == 101
    assert problems[99].message == "runs[0].results[99]: is a string, not an object; result skipped"
    assert problems[100].message == "150 more problems like those above, not listed"
    assert problems[100].blocking


def test_control_characters_in_names_cannot_reach_a_terminal(tmp_path: Path) -> None:
    evil = "Evil\x1b[2J Tool\nsecond line"
    result = {
        "ruleId": "R\x1b[31m",
        "message": {"text": "m"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a\x1b[0m.py"}}}],
    }
    found = read_sarif(write(tmp_path / "x.sarif", log(result, name=evil)), tmp_path)
    assert found.problems == []
    assert found.tools == ["evil\ufffd[2j-tool"]
    (finding,) = found.findings
    assert "\x1b" not in repr(finding)
    assert finding.location.path == "a\ufffd[0m.py"


def test_a_result_with_no_message_still_imports(tmp_path: Path) -> None:
    document = log({"ruleId": "R", "level": "error"})
    (finding,) = read_sarif(write(tmp_path / "x.sarif", document), tmp_path).findings
    assert finding.title == "R"
    assert finding.severity is Severity.HIGH


def test_never_raises_on_random_shapes(tmp_path: Path) -> None:
    """Every value of every kind in every place read: problems, never an exception."""
    odd: list[object] = [None, True, 0, -5, 1.5, "", "x", [], [1], {}, {"a": 1}]
    base = {
        "ruleId": "R",
        "ruleIndex": 0,
        "level": "error",
        "kind": "fail",
        "message": {"text": "m", "id": "i", "arguments": ["a"]},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "a.py", "uriBaseId": "B", "index": 0},
                    "region": {"startLine": 1, "startColumn": 1, "snippet": {"text": "s"}},
                }
            }
        ],
        "partialFingerprints": {"k": "v"},
        "fingerprints": {"k": "v"},
        "properties": {"security-severity": "5", "issue_severity": "HIGH"},
        "suppressions": [{"status": "accepted"}],
        "fixes": [{"description": {"text": "f"}}],
        "rule": {"id": "R", "index": 0, "toolComponent": {"index": 0}},
    }
    paths = _paths(base)
    for path in paths:
        for value in odd:
            result = json.loads(json.dumps(base))
            _set(result, path, value)
            document = log(
                result,
                originalUriBaseIds={"B": {"uri": "file:///r/"}},
                artifacts=[{"location": {"uri": "b.py"}}],
            )
            document["runs"][0]["tool"]["extensions"] = [{"name": "e", "rules": [{"id": "R"}]}]
            document["runs"][0]["tool"]["driver"]["rules"] = [{"id": "R"}]
            imported = read_sarif(write(tmp_path / "x.sarif", document), tmp_path)
            assert len(imported.findings) + len(imported.problems) >= 1, (path, value)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _set(target: Any, path: tuple[object, ...], value: object) -> None:
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def test_a_huge_valid_file_imports_in_seconds(tmp_path: Path) -> None:
    """100,000 results in about 60 MB: linear, a few seconds (the budget is generous)."""
    rules = [
        {
            "id": f"R{i}",
            "shortDescription": {"text": f"Rule {i}"},
            "help": {"text": f"Fix rule {i}."},
            "properties": {"security-severity": str(1 + i % 9)},
        }
        for i in range(50)
    ]
    results = [
        {
            "ruleId": f"R{j % 50}",
            "ruleIndex": j % 50,
            "level": "warning",
            "message": {"text": f"Problem {j} in module m{j % 977}, with some padding to be real"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": f"src/pkg{j % 97}/mod{j % 991}.py",
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {
                            "startLine": j % 5000 + 1,
                            "startColumn": 5,
                            "endLine": j % 5000 + 2,
                            "snippet": {"text": f"    call_something(value_{j}, other)  # pad"},
                        },
                    }
                }
            ],
            "partialFingerprints": {"primaryLocationLineHash": f"{j:016x}:1"},
            "properties": {"tags": ["security", "external/cwe/cwe-79"], "precision": "high"},
        }
        for j in range(100_000)
    ]
    document = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "Big", "rules": rules}}, "results": results}],
    }
    path = write(tmp_path / "big.sarif", document)
    del document, results
    size = path.stat().st_size
    assert size > 50_000_000
    start = time.perf_counter()
    imported = read_sarif(path, tmp_path)
    elapsed = time.perf_counter() - start
    assert imported.problems == []
    assert len(imported.findings) == 100_000
    assert imported.findings[12].severity is Severity.MEDIUM  # security-severity "4"
    assert elapsed < 30, f"{size / 1e6:.0f} MB, 100k results took {elapsed:.1f} s"
