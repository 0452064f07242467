"""The gate in pipelines: action.yml, the GitLab CI template, the pre-commit hooks and
the README's examples. Structure, supply-chain and injection rules, and the scripts
themselves, run with a stand-in `glasshouse` that records its arguments."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from glasshouse.inventory.registry import EXTRACTORS
from glasshouse.report.registry import RENDERERS

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "ci" / "gitlab" / "glasshouse.gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
README = ROOT / "README.md"

# Third-party actions and the commits their release tags point at. Each SHA was checked
# against the action's own release history (Dependabot compare links of the release
# bump and independent pins naming the same tag); update SHA and tag together.
PINS = {
    "actions/setup-python": ("a309ff8b426b58ec0e2a45f0f869d46889d02405", "v6.2.0"),
    "actions/cache": ("cdf6c1fa76f9f475f3d7449005a359c84ca0f306", "v5.0.3"),
    "actions/checkout": ("de0fac2e4500dabe0009e67214ff5f5447ce83dd", "v6.0.2"),
    "github/codeql-action": ("b96794f015dfd88f77b49b1c93e0fa7110f94c63", "v4.38.0"),
}
# The report formats the pipeline files ask for, as the report registry names them.
PIPELINE_FORMATS = {"sarif", "junit", "markdown", "gitlab-dependency-scanning"}
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def action() -> dict[str, Any]:
    doc = load(ACTION)
    assert isinstance(doc, dict)
    return doc


def step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = action()["runs"]["steps"]
    return next(s for s in steps if s.get("name") == name)


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## In the pipeline")
    return text[start : text.index("\n## ", start + 1)]


def readme_yaml_blocks() -> list[Any]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme_section(), re.S)]


def check_pinned(text: str, where: str) -> int:
    """Every `uses:` names a full commit SHA and the tag in a comment; the SHAs are the
    verified ones. Returns how many were checked."""
    checked = 0
    for line in text.splitlines():
        match = USES_LINE.match(line)
        if match is None:
            continue
        target, rest = match.groups()
        if target.startswith("OWNER/glasshouse@"):
            continue  # the README's placeholder for the user's own pin of this action
        repo_path, _, ref = target.partition("@")
        repo = "/".join(repo_path.split("/")[:2])
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{where}: {target} is not pinned to a SHA"
        assert repo in PINS, f"{where}: {repo} has no verified pin in PINS"
        sha, tag = PINS[repo]
        assert ref == sha, f"{where}: {target} is not the verified commit of {tag}"
        assert re.search(rf"#\s*{re.escape(tag)}\b", rest), f"{where}: {target} needs # {tag}"
        checked += 1
    return checked


# -- action.yml ---------------------------------------------------------------------------


def test_action_is_a_composite_action_with_the_documented_inputs() -> None:
    doc = action()
    assert doc["runs"]["using"] == "composite"
    inputs = doc["inputs"]
    expected = {
        "path",
        "format",
        "policy",
        "org-policy",
        "baseline",
        "sarif-output",
        "junit-output",
        "markdown-output",
        "fail-on-incomplete",
        "ecosystems",
        "python-version",
        "install",
    }
    assert set(inputs) == expected
    assert inputs["sarif-output"]["default"] == "glasshouse.sarif"
    assert inputs["fail-on-incomplete"]["default"] == "true"  # the gate fails closed
    assert all(i.get("description") for i in inputs.values())
    text = ACTION.read_text(encoding="utf-8")
    for name in expected:
        assert f"inputs.{name} }}}}" in text, f"input {name} is never used"
    assert doc["outputs"]["exit-code"]["value"] == "${{ steps.scan.outputs.exit-code }}"


def test_action_steps_in_order() -> None:
    steps = action()["runs"]["steps"]
    kinds = [s.get("uses", "").split("@")[0] or s["name"] for s in steps]
    assert kinds == [
        "actions/setup-python",
        "Install Glasshouse",
        "actions/cache",
        "Update the advisory database",
        "Scan",
    ]
    cache = steps[2]["with"]
    assert cache["path"] == "${{ runner.temp }}/glasshouse-cache"
    assert "steps.install.outputs.day" in cache["key"]  # keyed by date
    assert cache["restore-keys"]
    for name in ("Update the advisory database", "Scan"):
        assert step(name)["env"]["GLASSHOUSE_CACHE_DIR"] == cache["path"]


def test_every_action_is_pinned_to_a_verified_commit_sha() -> None:
    assert check_pinned(ACTION.read_text(encoding="utf-8"), "action.yml") == 2
    assert check_pinned(readme_section(), "README") == 2


def test_no_expression_is_interpolated_into_a_run_script() -> None:
    """Inputs reach scripts through env: a value can never become shell code."""
    runs = [s for s in action()["runs"]["steps"] if "run" in s]
    assert len(runs) == 3
    for s in runs:
        assert "${{" not in s["run"], s["name"]
        assert "inputs." not in s["run"], s["name"]
        assert s["shell"] == "bash"
        assert s["run"].startswith("set -euo pipefail\n")


def test_install_uses_the_action_path_unless_told_otherwise() -> None:
    install = step("Install Glasshouse")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert install["env"]["INSTALL"] == "${{ inputs.install }}"
    assert '"${INSTALL:-$ACTION_PATH}"' in install["run"]
    assert step("Set up Python for Glasshouse")["with"]["update-environment"] is False


def scan_args(record: Path) -> list[list[str]]:
    return [line.split("\x1f") for line in record.read_text().splitlines()]


@pytest.fixture
def fake_glasshouse(tmp_path: Path) -> Path:
    """A stand-in `glasshouse`: records its arguments (one call a line, fields split by
    \\x1f), writes every --output FORMAT=FILE, and exits with $FAKE_CODE (only when its
    command is $FAKE_ONLY, if that is set)."""
    fake = tmp_path / "bin" / "glasshouse"
    fake.parent.mkdir()
    fake.write_text(
        "#!/usr/bin/env bash\n"
        '(IFS=$\'\\x1f\'; echo "$*") >> "$FAKE_RECORD"\n'
        'command="${1:-}"\n'
        'while [ "$#" -gt 0 ]; do\n'
        '  if [ "$1" = --output ]; then f="${2#*=}"; echo "# report ${2%%=*}" > "$f"; shift; fi\n'
        "  shift\n"
        "done\n"
        'if [ -n "${FAKE_ONLY:-}" ] && [ "$FAKE_ONLY" != "$command" ]; then exit 0; fi\n'
        'exit "${FAKE_CODE:-0}"\n'
    )
    fake.chmod(0o755)
    return fake


def run_step(
    name: str, tmp_path: Path, fake: Path, code: int = 0, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    s = step(name)
    env = {**os.environ, "FAKE_RECORD": str(tmp_path / "calls"), "FAKE_CODE": str(code)}
    env["GITHUB_OUTPUT"] = str(tmp_path / "github_output")
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "step_summary")
    action_inputs = action()["inputs"]
    for key, value in s["env"].items():
        expression = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", str(value))
        if expression:
            input_name = expression.group(1)
            default = str(action_inputs[input_name].get("default", ""))
            env[key] = inputs.get(input_name.replace("-", "_"), default)
    env["GLASSHOUSE"] = str(fake)
    env["GLASSHOUSE_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        ["bash", "-c", s["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    outputs = {}
    output_file = tmp_path / "github_output"
    if output_file.exists():
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
    return result, outputs


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_the_scan_step_exits_with_the_scans_code_after_writing_every_report(
    tmp_path: Path, fake_glasshouse: Path, code: int
) -> None:
    result, outputs = run_step("Scan", tmp_path, fake_glasshouse, code)
    assert result.returncode == code, result.stderr
    assert outputs["exit-code"] == str(code)
    (call,) = scan_args(tmp_path / "calls")
    assert call[:6] == ["scan", ".", "--offline", "--no-progress", "--format", "table"]
    for fmt, file in (
        ("sarif", "glasshouse.sarif"),
        ("junit", "glasshouse-junit.xml"),
        ("markdown", "glasshouse.md"),
    ):
        assert f"{fmt}={file}" in call
        assert (tmp_path / file).exists()
    assert "--policy" not in call
    assert "--baseline" not in call
    assert (tmp_path / "step_summary").read_text() == "# report markdown\n"


def test_the_scan_step_passes_optional_inputs_as_single_arguments(
    tmp_path: Path, fake_glasshouse: Path
) -> None:
    result, _ = run_step(
        "Scan",
        tmp_path,
        fake_glasshouse,
        path="my dir; rm -rf /",
        policy="policy $(touch pwned).toml",
        org_policy="https://example.org/org.toml",
        baseline="`touch pwned2`",
        sarif_output="out dir/g.sarif",
        format="json",
    )
    assert result.returncode == 0, result.stderr
    (call,) = scan_args(tmp_path / "calls")
    assert call[1] == "my dir; rm -rf /"
    assert call[call.index("--policy") + 1] == "policy $(touch pwned).toml"
    assert call[call.index("--org-policy") + 1] == "https://example.org/org.toml"
    assert call[call.index("--baseline") + 1] == "`touch pwned2`"
    assert call[call.index("--format") + 1] == "json"
    assert "sarif=out dir/g.sarif" in call
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "pwned2").exists()


def test_fail_on_incomplete_false_only_relaxes_exit_code_2(
    tmp_path: Path, fake_glasshouse: Path
) -> None:
    for code, expected in ((2, 0), (1, 1), (3, 3)):
        (tmp_path / "github_output").unlink(missing_ok=True)
        result, outputs = run_step(
            "Scan", tmp_path, fake_glasshouse, code, fail_on_incomplete="false"
        )
        assert result.returncode == expected
        assert outputs["exit-code"] == str(code)  # the output keeps the scan's own code
        warned = "::warning title=Glasshouse::the scan is incomplete" in result.stdout
        assert warned == (code == 2)


def test_a_missing_markdown_report_leaves_the_summary_alone(
    tmp_path: Path, fake_glasshouse: Path
) -> None:
    fake_glasshouse.write_text("#!/usr/bin/env bash\nexit 3\n")
    result, outputs = run_step("Scan", tmp_path, fake_glasshouse)
    assert result.returncode == 3
    assert outputs["exit-code"] == "3"
    assert not (tmp_path / "step_summary").exists()


def test_the_update_step_splits_ecosystems_and_never_globs(
    tmp_path: Path, fake_glasshouse: Path
) -> None:
    (tmp_path / "PyPI-looking-file").write_text("")
    result, _ = run_step(
        "Update the advisory database",
        tmp_path,
        fake_glasshouse,
        ecosystems="PyPI, Go  crates.io *",
    )
    assert result.returncode == 0, result.stderr
    (call,) = scan_args(tmp_path / "calls")
    assert call == ["db", "update", "--no-progress"] + [
        arg for eco in ("PyPI", "Go", "crates.io", "*") for arg in ("--ecosystem", eco)
    ]


def test_the_update_step_without_ecosystems_and_when_it_fails(
    tmp_path: Path, fake_glasshouse: Path
) -> None:
    result, _ = run_step("Update the advisory database", tmp_path, fake_glasshouse, code=2)
    assert result.returncode == 0  # the scan decides; the update only warns
    assert "::warning title=Glasshouse::the advisory database update failed" in result.stdout
    assert scan_args(tmp_path / "calls") == [["db", "update", "--no-progress"]]


# -- the GitLab CI template ---------------------------------------------------------------


def gitlab() -> dict[str, Any]:
    doc = load(GITLAB)
    assert isinstance(doc, dict)
    return doc


def test_gitlab_template_declares_the_job_and_its_reports() -> None:
    doc = gitlab()
    assert set(doc) == {".glasshouse", "glasshouse"}
    assert doc["glasshouse"] == {"extends": ".glasshouse"}
    job = doc[".glasshouse"]
    assert job["image"] == "python:3.11-slim"
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {
        "dependency_scanning": "gl-dependency-scanning-report.json",
        "junit": "glasshouse-junit.xml",
    }
    cache = job["cache"]
    assert cache["paths"] == [".glasshouse-cache/"]
    assert cache["when"] == "always"  # saved even when the gate fails
    assert job["variables"]["GLASSHOUSE_CACHE_DIR"] == "$CI_PROJECT_DIR/.glasshouse-cache"
    script = "\n".join(job["script"])
    assert "glasshouse db update" in script
    assert "--output gitlab-dependency-scanning=gl-dependency-scanning-report.json" in script
    assert "--output junit=glasshouse-junit.xml" in script
    assert job["script"][-1].rstrip().splitlines()[-1].startswith("glasshouse scan ")


def run_gitlab_script(
    tmp_path: Path, fake: Path, code: int, **variables: str
) -> subprocess.CompletedProcess[str]:
    """The job's script as the runner runs it: one POSIX shell, stopping at a failure."""
    job = gitlab()[".glasshouse"]
    python = fake.parent / "python"
    python.write_text('#!/bin/sh\necho "python $*" >> "$FAKE_RECORD.pip"\n')
    python.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "FAKE_RECORD": str(tmp_path / "calls"),
        "FAKE_CODE": str(code),
        "FAKE_ONLY": "scan",
        **{k: str(v) for k, v in job["variables"].items()},
        "CI_PROJECT_DIR": str(tmp_path),
        **variables,
    }
    return subprocess.run(
        ["sh", "-e", "-c", "\n".join(job["script"])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("code", [0, 1, 2])
def test_gitlab_job_fails_as_the_gate_does(
    tmp_path: Path, fake_glasshouse: Path, code: int
) -> None:
    result = run_gitlab_script(
        tmp_path,
        fake_glasshouse,
        code,
        GLASSHOUSE_INSTALL="https://example.org/glasshouse.tar.gz",
        GLASSHOUSE_ECOSYSTEMS="PyPI,Go *",
        GLASSHOUSE_BASELINE="base line.json",
    )
    assert result.returncode == code, result.stderr
    assert (tmp_path / "calls.pip").read_text() == (
        "python -m pip install --quiet --disable-pip-version-check "
        "https://example.org/glasshouse.tar.gz\n"
    )
    version, update, scan = scan_args(tmp_path / "calls")
    assert version == ["--version"]
    assert update == ["db", "update", "--no-progress"] + [
        arg for eco in ("PyPI", "Go", "*") for arg in ("--ecosystem", eco)
    ]
    assert scan[:4] == ["scan", ".", "--offline", "--no-progress"]
    assert scan[scan.index("--baseline") + 1] == "base line.json"
    assert (tmp_path / "gl-dependency-scanning-report.json").exists()
    assert (tmp_path / "glasshouse-junit.xml").exists()


def test_gitlab_job_refuses_to_guess_what_to_install(tmp_path: Path, fake_glasshouse: Path) -> None:
    result = run_gitlab_script(tmp_path, fake_glasshouse, 0)
    assert result.returncode == 3
    assert "set GLASSHOUSE_INSTALL" in result.stdout
    assert not (tmp_path / "calls").exists()


# -- pre-commit ---------------------------------------------------------------------------

LOCKFILE_NAMES = [
    "requirements.txt",
    "requirements-dev.txt",
    "requirements_test.txt",
    "requirements.in.txt",
    "dev-requirements.txt",
    "Requirements.TXT",
    "requirements/base.txt",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "pylock.toml",
    "pylock.dev.toml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "go.mod",
    "Cargo.lock",
    "Gemfile.lock",
    "gems.locked",
    "composer.lock",
    "packages.lock.json",
    "packages.config",
    "pom.xml",
    "gradle.lockfile",
    "app-gradle.lockfile",
    "gradle/dependency-locks/compileClasspath.lockfile",
    "bom.json",
    "app.cdx.json",
    "app.spdx.json",
]
NOT_LOCKFILES = [
    "README.md",
    "setup.py",
    "pyproject.toml",
    "package.json",
    "Cargo.toml",
    "Gemfile",
    "go.work",
    "src/poetry.lock.md",
    "docs/requirements.md",
    "lock.json",
]


def test_pre_commit_hook() -> None:
    hooks = load(HOOKS)
    assert [h["id"] for h in hooks] == ["glasshouse", "glasshouse-secrets", "glasshouse-db-update"]
    hook = hooks[0]
    assert hook["language"] == "python"
    assert hook["entry"].startswith("glasshouse scan --offline")
    assert hook["pass_filenames"] is False
    assert hook["stages"] == ["pre-commit", "pre-push"]
    update = hooks[2]
    assert update["entry"].startswith("glasshouse db update")
    assert update["stages"] == ["manual"]


@pytest.mark.parametrize("directory", ["", "services/api/", "a/b/c/"])
def test_pre_commit_files_pattern(directory: str) -> None:
    pattern = re.compile(load(HOOKS)[0]["files"])
    for name in [*LOCKFILE_NAMES, "go.sum", ".glasshouse.toml", ".glasshouseignore"]:
        assert pattern.search(directory + name), directory + name
    for name in NOT_LOCKFILES:
        assert not pattern.search(directory + name), directory + name


def test_pre_commit_files_pattern_covers_every_lockfile_parser() -> None:
    """Every name in the list is one some parser reads, and every parser has a name in
    the list: the hook runs whenever a file the scan would read changes."""
    pattern = re.compile(load(HOOKS)[0]["files"])
    covered = set()
    for path in LOCKFILE_NAMES:
        readers = [e.name for e in EXTRACTORS if e.matches(path.rsplit("/", 1)[-1], path)]
        assert readers, f"{path}: no parser reads it; drop it from the list"
        covered.update(readers)
        assert pattern.search(path)
    assert covered == {e.name for e in EXTRACTORS}


# -- the README's examples ----------------------------------------------------------------


def test_readme_examples() -> None:
    workflow, gitlab_include, pre_commit = readme_yaml_blocks()
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["glasshouse"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    checkout, gate, upload = job["steps"]
    assert checkout["with"]["persist-credentials"] is False
    assert gate["uses"].startswith("OWNER/glasshouse@")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "!cancelled()" in upload["if"]
    assert upload["with"]["sarif_file"] == action()["inputs"]["sarif-output"]["default"]

    (include,) = [i for i in gitlab_include["include"] if "project" in i]
    assert (ROOT / include["file"]).is_file()
    assert "GLASSHOUSE_INSTALL" in gitlab_include["glasshouse"]["variables"]

    hook_ids = {h["id"] for h in load(HOOKS)}
    (repo,) = pre_commit["repos"]
    assert {h["id"] for h in repo["hooks"]} == hook_ids


def test_the_report_formats_asked_for_are_the_registered_ones() -> None:
    asked = set(re.findall(r"--output \"?([\w-]+)=", ACTION.read_text(encoding="utf-8")))
    asked |= set(re.findall(r"--output ([\w-]+)=", GITLAB.read_text(encoding="utf-8")))
    assert asked == PIPELINE_FORMATS
    missing = PIPELINE_FORMATS - set(RENDERERS)
    if missing:
        pytest.skip(f"reporters not registered yet: {sorted(missing)}")


# -- schemas (check-jsonschema ships the GitHub and GitLab schemas) -----------------------


@pytest.mark.parametrize(
    ("schema", "file"),
    [
        ("vendor.github-actions", "action.yml"),
        ("vendor.gitlab-ci", "ci/gitlab/glasshouse.gitlab-ci.yml"),
        ("vendor.github-workflows", "<readme workflow>"),
    ],
)
def test_files_match_their_published_schema(schema: str, file: str, tmp_path: Path) -> None:
    if importlib.util.find_spec("check_jsonschema") is None:
        pytest.skip("check-jsonschema is not installed")
    target = ROOT / file
    if file == "<readme workflow>":
        block = re.findall(r"```yaml\n(.*?)```", readme_section(), re.S)[0]
        target = tmp_path / "workflow.yml"
        target.write_text(block)
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
