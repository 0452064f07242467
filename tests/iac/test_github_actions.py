"""GitHub Actions adapter and checks: triggers, resources, and every check failing and
passing with the line of the offending key or step."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from glasshouse.iac.adapters.github_actions import ADAPTER
from glasshouse.iac.checks.github_actions import CHECKS
from glasshouse.iac.model import AdapterError, Resource

DATA = Path(__file__).parent.parent / "data" / "iac" / "github"
REL = ".github/workflows/ci.yml"
BY_ID = {check.id: check for check in CHECKS}


def parse(text: str, relative: str = REL) -> list[Resource]:
    return ADAPTER.parse(relative, textwrap.dedent(text).lstrip("\n").encode())


def findings(text: str, check_id: str) -> list[tuple[str, int | None]]:
    check = BY_ID[check_id]
    return [
        (resource.name, violation.line)
        for resource in parse(text)
        if check.applies(resource)
        for violation in check.evaluate(resource)
    ]


def all_findings(resources: list[Resource]) -> set[tuple[str, str, int | None]]:
    return {
        (check.id, resource.name, violation.line)
        for resource in resources
        for check in CHECKS
        if check.applies(resource)
        for violation in check.evaluate(resource)
    }


# ---------------------------------------------------------------------------- adapter


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (".github/workflows/ci.yml", True),
        (".github/workflows/release.yaml", True),
        ("sub/project/.github/workflows/ci.yml", True),
        (".github/workflows/README.md", False),
        (".github/dependabot.yml", False),
        ("workflows/ci.yml", False),
        (".github/workflows/nested/ci.yml", False),
    ],
)
def test_matches(relative: str, expected: bool) -> None:
    assert ADAPTER.matches(relative.rsplit("/", 1)[-1], relative) is expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("on: push", {"push"}),
        ("on: [push, pull_request]", {"push", "pull_request"}),
        ("on:\n  push:\n    branches: [main]\n  workflow_dispatch:", {"push", "workflow_dispatch"}),
        ('"on": issue_comment', {"issue_comment"}),
        ("", set()),
    ],
)
def test_triggers_from_string_list_mapping(on: str, expected: set[str]) -> None:
    text = on + "\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
    resources = ADAPTER.parse(REL, text.encode())
    assert [r.context["triggers"] for r in resources] == [expected, expected]


def test_yaml_11_on_key_read_as_true() -> None:
    # PyYAML reads the bare key `on` as the boolean True; the adapter reads it as `on`.
    (workflow, _job) = parse(
        """
        on:
          pull_request_target:
        jobs:
          a:
            runs-on: ubuntu-latest
        """
    )
    assert "True" in workflow.body.value
    assert workflow.context["triggers"] == {"pull_request_target"}


def test_resources_for_workflow_and_jobs() -> None:
    resources = parse(
        """
        on: push
        permissions:
          contents: read
        jobs:
          build:
            runs-on: ubuntu-latest
          test:
            runs-on: ubuntu-latest
            steps:
              - run: make test
        """
    )
    assert [(r.kind, r.name, r.line) for r in resources] == [
        ("workflow", "ci.yml", 1),
        ("job", "build", 6),
        ("job", "test", 8),
    ]
    assert all(r.format == "github-actions" and r.path == REL for r in resources)
    job = resources[2]
    assert job.context["workflow_permissions"].plain() == {"contents": "read"}
    assert job.body.get("steps", 0, "run").plain() == "make test"


def test_job_without_workflow_permissions_has_none() -> None:
    job = parse("on: push\njobs:\n  a:\n    runs-on: x\n")[1]
    assert job.context["workflow_permissions"] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("on: push\njobs:\n  build: [unclosed\n", "invalid YAML at line"),
        ("# not a workflow\nname: notes\n", "not a workflow: no `jobs` mapping"),
        ("on: push\njobs: [a, b]\n", "not a workflow: no `jobs` mapping"),
        ("- a\n- b\n", "not a workflow: the document is not a mapping"),
        ("", "empty workflow"),
        ("on: push\njobs: {}\n---\non: push\njobs: {}\n", "one YAML document, found 2"),
        ("on: push\njobs:\n  a: !!python/object:os.system x\n", "is not allowed"),
    ],
)
def test_malformed_is_one_line_adapter_error(text: str, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        ADAPTER.parse(REL, text.encode())
    assert message in str(info.value)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------- checks


def test_check_catalogue() -> None:
    assert len(BY_ID) == len(CHECKS) == 8
    assert all(c.id.startswith("gha-") and c.format == "github-actions" for c in CHECKS)
    assert all(c.fix and c.title and c.references for c in CHECKS)


PR_TARGET = """
on: {trigger}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: {ref}
"""


@pytest.mark.parametrize(
    "ref",
    [
        "${{ github.event.pull_request.head.sha }}",
        "${{ github.event.pull_request.head.ref }}",
        "${{ github.head_ref }}",
        "refs/pull/${{ github.event.pull_request.number }}/merge",
    ],
)
def test_pr_target_head_checkout(ref: str) -> None:
    text = PR_TARGET.format(trigger="pull_request_target", ref=ref)
    assert findings(text, "gha-pr-target-head-checkout") == [("build", 8)]


def test_workflow_run_head_checkout() -> None:
    text = PR_TARGET.format(
        trigger="[workflow_run]", ref="${{ github.event.workflow_run.head_sha }}"
    )
    assert findings(text, "gha-pr-target-head-checkout") == [("build", 8)]


@pytest.mark.parametrize(
    ("trigger", "ref"),
    [
        ("pull_request", "${{ github.event.pull_request.head.sha }}"),  # unprivileged
        ("pull_request_target", "${{ github.sha }}"),  # the base
        ("pull_request_target", "main"),
    ],
)
def test_pr_target_head_checkout_passes(trigger: str, ref: str) -> None:
    text = PR_TARGET.format(trigger=trigger, ref=ref)
    assert findings(text, "gha-pr-target-head-checkout") == []


def test_pr_target_checkout_without_ref_passes() -> None:
    text = """
    on: pull_request_target
    jobs:
      label:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
    """
    assert findings(text, "gha-pr-target-head-checkout") == []


def test_script_injection_lines() -> None:
    text = """
    on: issues
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: echo "${{ github.event.issue.title }}"
          - run: |
              echo start
              echo "${{ github.event.comment.body }}"
              git checkout "${{ github.head_ref }}"
          - uses: actions/github-script@v7
            with:
              script: |
                console.log("${{ github.event.pull_request.body }}")
    """
    assert findings(text, "gha-script-injection") == [
        ("triage", 6),
        ("triage", 9),
        ("triage", 10),
        ("triage", 14),
    ]


def test_script_injection_env_indirection_is_safe() -> None:
    text = """
    on: issues
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - env:
              TITLE: ${{ github.event.issue.title }}
            run: |
              echo "$TITLE ${{ github.event.issue.number }} ${{ github.sha }}"
    """
    assert findings(text, "gha-script-injection") == []


UNPINNED = """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: {uses}
"""


@pytest.mark.parametrize(
    "uses",
    [
        "someorg/action@v1",
        "someorg/action@main",
        "someorg/action@0123456",  # short SHA
        "someorg/action",
        "someorg/repo/sub/dir@v2",
        "docker://alpine:3.19",
    ],
)
def test_unpinned_action(uses: str) -> None:
    assert findings(UNPINNED.format(uses=uses), "gha-unpinned-action") == [("build", 6)]


@pytest.mark.parametrize(
    "uses",
    [
        "someorg/action@0123456789abcdef0123456789abcdef01234567",
        "actions/checkout@v4",
        "github/codeql-action/init@v3",
        "./.github/actions/local",
        "docker://alpine@sha256:" + "a" * 64,
    ],
)
def test_pinned_or_trusted_action_passes(uses: str) -> None:
    assert findings(UNPINNED.format(uses=uses), "gha-unpinned-action") == []


def test_unpinned_reusable_workflow() -> None:
    text = """
    on: push
    jobs:
      call:
        uses: someorg/workflows/.github/workflows/build.yml@main
    """
    assert findings(text, "gha-unpinned-action") == [("call", 4)]


def test_write_all_workflow_and_job() -> None:
    text = """
    on: push
    permissions: write-all
    jobs:
      a:
        permissions: write-all
        runs-on: ubuntu-latest
      b:
        permissions:
          contents: write
        runs-on: ubuntu-latest
    """
    assert findings(text, "gha-write-all-permissions") == [("ci.yml", 2), ("a", 5)]


def test_missing_permissions() -> None:
    text = """
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
      b:
        permissions: {contents: read}
        runs-on: ubuntu-latest
    """
    assert findings(text, "gha-missing-permissions") == [("ci.yml", 1)]


def test_permissions_at_either_level_pass() -> None:
    job_level = "on: push\njobs:\n  a:\n    permissions: {}\n    runs-on: x\n"
    workflow_level = "on: push\npermissions: read-all\njobs:\n  a:\n    runs-on: x\n"
    assert findings(job_level, "gha-missing-permissions") == []
    assert findings(workflow_level, "gha-missing-permissions") == []


def test_secret_echoed() -> None:
    text = """
    on: push
    env:
      WF_TOKEN: ${{ secrets.WF_TOKEN }}
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          JOB_TOKEN: ${{ secrets.JOB_TOKEN }}
        steps:
          - run: echo ${{ secrets.API_KEY }}
          - env:
              STEP_TOKEN: ${{ secrets.STEP }}
            run: |
              echo "deploying"
              echo "$STEP_TOKEN"
              make && printf '%s' ${JOB_TOKEN}
              echo $WF_TOKEN
    """
    assert findings(text, "gha-secret-echoed") == [
        ("deploy", 10),
        ("deploy", 15),
        ("deploy", 16),
        ("deploy", 17),
    ]


def test_secret_used_safely_passes() -> None:
    text = """
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          TOKEN: ${{ secrets.TOKEN }}
          NAME: ${{ github.actor }}
        steps:
          - run: |
              echo "$TOKEN" | docker login -u me --password-stdin
              echo "${{ secrets.KEY }}" > key.pem
              echo "::add-mask::$TOKEN"
              echo "hello $NAME"
              ./deploy --token "$TOKEN"
    """
    assert findings(text, "gha-secret-echoed") == []


def test_unsecure_commands() -> None:
    text = """
    on: push
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: true
    jobs:
      a:
        runs-on: ubuntu-latest
        env:
          ACTIONS_ALLOW_UNSECURE_COMMANDS: "true"
        steps:
          - run: echo hi
            env:
              ACTIONS_ALLOW_UNSECURE_COMMANDS: 'TRUE'
          - run: echo ok
            env:
              ACTIONS_ALLOW_UNSECURE_COMMANDS: false
    """
    assert findings(text, "gha-unsecure-commands") == [("ci.yml", 3), ("a", 8), ("a", 12)]


SELF_HOSTED = """
on: {trigger}
jobs:
  build:
    runs-on: {runs_on}
"""


@pytest.mark.parametrize(
    ("trigger", "runs_on"),
    [
        ("pull_request", "self-hosted"),
        ("pull_request_target", "[self-hosted, linux, x64]"),
        ("[push, pull_request]", "{group: ci, labels: [self-hosted]}"),
    ],
)
def test_self_hosted_on_pull_requests(trigger: str, runs_on: str) -> None:
    text = SELF_HOSTED.format(trigger=trigger, runs_on=runs_on)
    assert findings(text, "gha-self-hosted-pr") == [("build", 4)]


@pytest.mark.parametrize(
    ("trigger", "runs_on"),
    [
        ("push", "[self-hosted, linux]"),
        ("pull_request", "ubuntu-latest"),
        ("pull_request", "${{ matrix.os }}"),
    ],
)
def test_self_hosted_passes(trigger: str, runs_on: str) -> None:
    text = SELF_HOSTED.format(trigger=trigger, runs_on=runs_on)
    assert findings(text, "gha-self-hosted-pr") == []


# ----------------------------------------------------------------------- data files


def _parse_file(name: str) -> list[Resource]:
    relative = f".github/workflows/{name}"
    return ADAPTER.parse(relative, (DATA / relative).read_bytes())


def test_risky_workflow_file() -> None:
    assert all_findings(_parse_file("risky.yml")) == {
        ("gha-write-all-permissions", "risky.yml", 5),
        ("gha-unsecure-commands", "risky.yml", 7),
        ("gha-self-hosted-pr", "build", 10),
        ("gha-pr-target-head-checkout", "build", 16),
        ("gha-unpinned-action", "build", 17),
        ("gha-script-injection", "build", 21),
        ("gha-secret-echoed", "build", 22),
    }


def test_safe_workflow_file() -> None:
    resources = _parse_file("safe.yaml")
    assert [r.name for r in resources] == ["safe.yaml", "build"]
    assert all_findings(resources) == set()
