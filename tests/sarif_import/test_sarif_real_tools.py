"""Real SARIF from real tools: Bandit and Semgrep, run offline on vulnerable code we write.

Requirements: ``bandit[sarif]`` (plain ``bandit`` has no SARIF formatter: its ``-f sarif``
needs ``sarif-om`` and ``jschema-to-python``) and ``semgrep``. Both run as subprocesses,
Semgrep with a local rules file, metrics off and no version check, so nothing leaves the
machine and nothing they import can warn inside the test process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from glasshouse.model import Finding, Severity
from glasshouse.sarif_import import SUPPRESSED_TAG, SarifImport, read_sarif

FAKE_PASSWORD = "Gl4ssh0use-fake-pw-1"

VULNERABLE = f'''\
import hashlib
import pickle
import subprocess

import yaml


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load(data):
    return yaml.load(data)


def unpickle(blob):
    return pickle.loads(blob)


def digest(data):
    return hashlib.md5(data).hexdigest()


def scratch():
    return open("/tmp/glasshouse-scratch.txt", "w")


def calculate(expression):
    return eval(expression)


def calculate_again(expression):
    return eval(expression)


def calculate_twice(expression):
    return eval(expression + "+" + expression)


def tolerated(expression):
    return eval(expression)  # nosemgrep


password = "{FAKE_PASSWORD}"
'''

SEMGREP_RULES = """\
rules:
  - id: subprocess-shell-true
    languages: [python]
    severity: ERROR
    message: subprocess called with shell=True
    pattern: subprocess.call(..., shell=True, ...)
  - id: no-eval
    languages: [python]
    severity: WARNING
    message: eval() of a dynamic expression
    pattern: eval(...)
  - id: weak-hash
    languages: [python]
    severity: INFO
    message: MD5 is not a safe hash
    pattern: hashlib.md5(...)
"""


def executable(name: str) -> str | None:
    """The tool installed beside this interpreter first, then on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def make_tree(root: Path, blank_lines: int = 0) -> str:
    code = "\n" * blank_lines + VULNERABLE
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "app" / "vuln.py").write_text(code)
    return code


def assert_no_source_text(findings: list[Finding], code: str) -> None:
    """No line of the scanned code, nor the fake password, in anything a finding keeps."""
    lines = [line.strip() for line in code.splitlines() if len(line.strip()) >= 12]
    for finding in findings:
        kept = [finding.title, finding.rule_id, finding.location.path, *finding.tags]
        if finding.code is not None:
            kept += [finding.code.message, finding.code.tool, finding.code.help_uri or ""]
        if finding.fix is not None:
            kept.append(finding.fix.summary)
        for text in kept:
            assert FAKE_PASSWORD not in text
            for line in lines:
                assert line not in text, (finding.rule_id, line)


# -- running the tools ---------------------------------------------------------------

Runner = Callable[[Path, str], SarifImport]


class Runs:
    """One tool over the code (twice) and over the code moved down by blank lines."""

    def __init__(self, run: Runner, base: Path) -> None:
        first_root, shifted_root = base / "first", base / "shifted"
        self.code = make_tree(first_root)
        make_tree(shifted_root, blank_lines=SHIFT)
        self.first = run(first_root, "app")
        self.again = run(first_root, "app")
        self.shifted = run(shifted_root, str(shifted_root / "app"))  # absolute paths


SHIFT = 7


def assert_stable_and_line_independent(runs: Runs) -> None:
    assert runs.first.problems == runs.again.problems == runs.shifted.problems == []
    prints = [f.fingerprint for f in runs.first.findings]
    assert len(set(prints)) == len(prints)
    assert [f.fingerprint for f in runs.again.findings] == prints
    assert sorted(f.fingerprint for f in runs.shifted.findings) == sorted(prints)
    lines = {f.fingerprint: f.location.line or 0 for f in runs.first.findings}
    for finding in runs.shifted.findings:
        assert finding.location.path == "app/vuln.py"
        assert finding.location.line == lines[finding.fingerprint] + SHIFT


@pytest.fixture(scope="module")
def bandit_runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    found = executable("bandit")
    if found is None:
        pytest.skip("bandit is not installed: pip install 'bandit[sarif]'")
    bandit_path: str = found

    def run(root: Path, target: str) -> SarifImport:
        out = root / "bandit.sarif"
        done = subprocess.run(
            [bandit_path, "-r", target, "-f", "sarif", "-o", str(out), "-q"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if "invalid choice: 'sarif'" in done.stderr:
            pytest.skip("bandit has no SARIF formatter: pip install 'bandit[sarif]'")
        assert done.returncode == 1, done.stderr  # 1: issues found
        return read_sarif(out, root)

    return Runs(run, tmp_path_factory.mktemp("bandit"))


@pytest.fixture(scope="module")
def semgrep_runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    found = executable("semgrep")
    if found is None:
        pytest.skip(
            "semgrep is not installed: put it on PATH from its own environment, as .ci/run does"
        )
    semgrep_path: str = found
    home = tmp_path_factory.mktemp("semgrep-home")
    env = {
        **os.environ,
        "HOME": str(home),  # semgrep writes ~/.semgrep: keep it out of the real home
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
    }

    def run(root: Path, target: str) -> SarifImport:
        (root / "rules.yaml").write_text(SEMGREP_RULES)
        out = root / "semgrep.sarif"
        done = subprocess.run(
            [
                semgrep_path,
                "scan",
                "--config",
                "rules.yaml",  # relative: Semgrep prefixes rule ids with a config's directory
                "--metrics=off",
                "--disable-version-check",
                "--sarif",
                "--output",
                str(out),
                "--quiet",
                target,
            ],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return read_sarif(out, root)

    return Runs(run, tmp_path_factory.mktemp("semgrep"))


# -- Bandit --------------------------------------------------------------------------

BANDIT_EXPECTED = {
    # rule id: (line needle, severity)
    "bandit:B403": ("import pickle", Severity.LOW),
    "bandit:B404": ("import subprocess", Severity.LOW),
    "bandit:B602": ("shell=True", Severity.HIGH),
    "bandit:B506": ("yaml.load", Severity.MEDIUM),
    "bandit:B301": ("pickle.loads", Severity.MEDIUM),
    "bandit:B324": ("hashlib.md5", Severity.HIGH),
    "bandit:B108": ("/tmp/", Severity.MEDIUM),
    "bandit:B105": ("password =", Severity.LOW),
}


def test_bandit_sarif_imports(bandit_runs: Runs) -> None:
    code, result = bandit_runs.code, bandit_runs.first
    assert result.problems == []
    assert result.tools == ["bandit"]
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    assert by_rule.keys() == {*BANDIT_EXPECTED, "bandit:B307"}
    for rule_id, (needle, severity) in BANDIT_EXPECTED.items():
        (finding,) = by_rule[rule_id]
        assert finding.location.path == "app/vuln.py"
        assert finding.location.line == line_of(code, needle), rule_id
        assert finding.severity is severity, rule_id
        assert finding.code is not None
        assert finding.code.tool == "Bandit"
        assert finding.code.help_uri
        assert finding.code.help_uri.startswith("https://")
        assert finding.fix is not None
        assert finding.code.help_uri in finding.fix.summary
    # B307 (eval): four calls, two of them the same text, and Bandit gives no fingerprint:
    # those two are one finding (the first), the others stay apart.
    evals = by_rule["bandit:B307"]
    assert [f.location.line for f in evals] == [
        line_of(code, "eval(expression)"),
        line_of(code, "eval(expression +"),
        line_of(code, "# nosemgrep"),
    ]
    assert all(f.severity is Severity.MEDIUM for f in evals)
    (password,) = by_rule["bandit:B105"]
    assert password.code is not None
    assert password.code.message == "Possible hardcoded password: '<redacted>'"
    assert_no_source_text(result.findings, code)


def test_bandit_fingerprints_are_stable_and_line_independent(bandit_runs: Runs) -> None:
    assert_stable_and_line_independent(bandit_runs)


# -- Semgrep -------------------------------------------------------------------------


def test_semgrep_sarif_imports(semgrep_runs: Runs) -> None:
    code, result = semgrep_runs.code, semgrep_runs.first
    assert result.problems == []
    (tool,) = result.tools
    assert tool.startswith("semgrep")  # "Semgrep OSS" -> "semgrep-oss"
    got = sorted(
        (f.rule_id, f.location.line or 0, f.severity, SUPPRESSED_TAG in f.tags)
        for f in result.findings
    )
    assert got == sorted(
        [
            (f"{tool}:subprocess-shell-true", line_of(code, "shell=True"), Severity.HIGH, False),
            (f"{tool}:weak-hash", line_of(code, "hashlib.md5"), Severity.LOW, False),
            # Semgrep's fingerprint is the placeholder "requires login": the snippets tell
            # the eval() calls apart, but the two alike are one finding; the nosemgrep one
            # is kept, tagged as suppressed.
            (f"{tool}:no-eval", line_of(code, "eval(expression)"), Severity.MEDIUM, False),
            (f"{tool}:no-eval", line_of(code, "eval(expression +"), Severity.MEDIUM, False),
            (f"{tool}:no-eval", line_of(code, "# nosemgrep"), Severity.MEDIUM, True),
        ]
    )
    for finding in result.findings:
        assert finding.location.path == "app/vuln.py"
        assert finding.location.column is not None
        assert finding.code is not None
        assert finding.code.tool.lower().startswith("semgrep")
        # "Semgrep Finding: <id>" says nothing: the message is the title.
        assert finding.title == finding.code.message
    assert_no_source_text(result.findings, code)


def test_semgrep_fingerprints_are_stable_and_line_independent(semgrep_runs: Runs) -> None:
    assert_stable_and_line_independent(semgrep_runs)
