"""Checks of GitHub Actions workflows: untrusted code and untrusted text reaching a
privileged context, unpinned third-party code, broad tokens and leaked secrets.

Workflow-level settings are judged on the ``workflow`` resource and job-level settings
on each ``job`` resource, so one mistake is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import Node, Resource, Violation
from glasshouse.model import Severity

FORMAT = "github-actions"
_JOB = frozenset({"job"})
_WORKFLOW = frozenset({"workflow"})

_PRIVILEGED_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})
_PR_TRIGGERS = frozenset({"pull_request", "pull_request_target"})

# A checkout ref that names the pull request's (or triggering run's) code, not the base.
_HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)"
    r"|github\.event\.pull_request\.merge_commit_sha"
    r"|github\.head_ref"
    r"|github\.event\.workflow_run\.head_(?:sha|branch)"
    r"|refs/pull/",
    re.IGNORECASE,
)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# Fields of the event payload that whoever opens an issue, a pull request or a comment
# chooses freely (``*`` stands for an array index or object filter).
_UNTRUSTED = re.compile(
    r"github\.head_ref\b"
    r"|github\.event\.(?:"
    r"(?:issue|pull_request|discussion)\.(?:title|body)"
    r"|pull_request\.head\.(?:ref|label)"
    r"|(?:comment|review|review_comment)\.body"
    r"|pages\.[^.\s]+\.page_name"
    r"|commits\.[^.\s]+\.(?:message|author\.(?:name|email))"
    r"|head_commit\.(?:message|author\.(?:name|email))"
    r"|workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:name|email)))"
    r"|workflow_run\.pull_requests\.[^.\s]+\.head\.ref"
    r")\b",
    re.IGNORECASE,
)
_SHA = re.compile(r"[0-9a-f]{40}", re.IGNORECASE)
_TRUSTED_OWNERS = frozenset({"actions", "github"})
_SECRET_EXPR = re.compile(r"\$\{\{\s*secrets\.[A-Za-z0-9_]+\s*\}\}")
_SHELL_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_ECHO = re.compile(r"^\s*(?:echo|printf)\b")
_SEGMENT = re.compile(r"&&|\|\||;")


# ---------------------------------------------------------------------------- helpers


def _steps(job: Node) -> Iterator[Node]:
    steps = job.get("steps")
    if steps is not None:
        yield from (s for s in steps.elements() if isinstance(s.value, dict))


def _uses(step: Node) -> str:
    uses = step.get("uses")
    text = uses.text() if uses is not None else None
    return text.strip() if text else ""


def _script_line(script: Node, text: str, offset: int) -> int | None:
    """The source line of ``offset`` in a ``run:`` value; exact for one-line values and
    ``|`` blocks (whose content starts on the line after the key; only block scalars
    keep a newline)."""
    if script.line is None:
        return None
    if "\n" not in text:
        return script.line
    return script.line + 1 + text.count("\n", 0, offset)


def _scripts(job: Node) -> Iterator[tuple[Node, Node, str]]:
    """(step, script node, script text) for every ``run`` and every ``github-script``."""
    for step in _steps(job):
        run = step.get("run")
        if run is not None and isinstance(run.value, str):
            yield step, run, run.value
        if _uses(step).lower().startswith("actions/github-script@"):
            script = step.get("with", "script")
            if script is not None and isinstance(script.value, str):
                yield step, script, script.value


def _is_true(node: Node | None) -> bool:
    return node is not None and (node.value is True or (node.text() or "").lower() == "true")


# ----------------------------------------------------------------------------- checks


def _pr_target_head_checkout(resource: Resource) -> Iterable[Violation]:
    events = resource.context.get("triggers", frozenset()) & _PRIVILEGED_TRIGGERS
    if not events:
        return
    for step in _steps(resource.body):
        if not _uses(step).lower().startswith("actions/checkout@"):
            continue
        ref = step.get("with", "ref")
        text = ref.text() if ref is not None else None
        if ref is not None and text and _HEAD_REF.search(text):
            yield Violation(
                ref.line,
                f"{' and '.join(sorted(events))} checks out untrusted code ({text}) "
                "with a privileged token and secrets",
            )


def _script_injection(resource: Resource) -> Iterable[Violation]:
    for _step, script, text in _scripts(resource.body):
        for match in _EXPRESSION.finditer(text):
            field = _UNTRUSTED.search(match.group(1))
            if field is not None:
                yield Violation(
                    _script_line(script, text, match.start()),
                    f"{field.group(0)} is interpolated into a script: "
                    "its author can inject commands",
                )


def _unpinned_action(resource: Resource) -> Iterable[Violation]:
    job = resource.body
    candidates = [job.get("uses")] + [step.get("uses") for step in _steps(job)]
    for node in candidates:
        text = node.text() if node is not None else None
        if node is None or not text:
            continue
        ref = text.strip()
        if ref.startswith("./"):
            continue
        if ref.lower().startswith("docker://"):
            if "@sha256:" not in ref.lower():
                yield Violation(node.line, f"{ref} is not pinned to an image digest")
            continue
        target, _, version = ref.partition("@")
        if target.split("/", 1)[0].lower() in _TRUSTED_OWNERS:
            continue
        if not _SHA.fullmatch(version):
            yield Violation(node.line, f"{ref} is not pinned to a full commit SHA")


def _write_all(resource: Resource) -> Iterable[Violation]:
    permissions = resource.body.get("permissions")
    if permissions is not None and permissions.text() == "write-all":
        yield Violation(permissions.line, f"{resource.kind} grants the token write-all")


def _no_permissions(resource: Resource) -> Iterable[Violation]:
    workflow = resource.body
    if workflow.get("permissions") is not None:
        return
    jobs = workflow.get("jobs")
    if jobs is None:
        return
    bare = [job_id for job_id, job in jobs.items() if job.get("permissions") is None]
    if bare:
        yield Violation(
            workflow.line,
            "no `permissions` for the workflow nor for job(s) " + ", ".join(bare),
        )


def _secret_envs(*envs: Node | None) -> set[str]:
    names: set[str] = set()
    for env in envs:
        if env is None:
            continue
        for name, value in env.items():
            text = value.text()
            if text and re.search(r"\$\{\{[^}]*\bsecrets\.", text):
                names.add(name)
    return names


def _secret_echoed(resource: Resource) -> Iterable[Violation]:
    job = resource.body
    inherited = _secret_envs(resource.context.get("workflow_env"), job.get("env"))
    for step, script, text in _scripts(job):
        if script is not step.get("run"):
            continue
        secret_vars = inherited | _secret_envs(step.get("env"))
        offset = 0
        for line in text.splitlines(keepends=True):
            for segment in _SEGMENT.split(line):
                if not _ECHO.match(segment) or "|" in segment or ">" in segment:
                    continue  # piped or redirected: not written to the log
                if "::add-mask::" in segment:
                    continue
                leaked = _SECRET_EXPR.search(segment)
                name = leaked.group(0) if leaked else None
                if name is None:
                    for var in _SHELL_VAR.finditer(segment):
                        if (var.group(1) or var.group(2)) in secret_vars:
                            name = "$" + (var.group(1) or var.group(2))
                            break
                if name is not None:
                    yield Violation(
                        _script_line(script, text, offset),
                        f"{name} (a secret) is printed to the job log",
                    )
            offset += len(line)


def _unsecure_commands_in(env: Node | None) -> Iterator[Violation]:
    if env is None:
        return
    value = env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS")
    if _is_true(value):
        assert value is not None
        yield Violation(value.line, "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env")


def _unsecure_commands(resource: Resource) -> Iterable[Violation]:
    yield from _unsecure_commands_in(resource.body.get("env"))
    if resource.kind == "job":
        for step in _steps(resource.body):
            yield from _unsecure_commands_in(step.get("env"))


def _self_hosted_untrusted(resource: Resource) -> Iterable[Violation]:
    events = resource.context.get("triggers", frozenset()) & _PR_TRIGGERS
    runs_on = resource.body.get("runs-on")
    if not events or runs_on is None:
        return
    labels = runs_on.get("labels") if isinstance(runs_on.value, dict) else runs_on
    if labels is None:
        return
    names = [labels] if not isinstance(labels.value, list) else list(labels.elements())
    if any((n.text() or "").lower() == "self-hosted" for n in names):
        yield Violation(
            runs_on.line,
            f"a self-hosted runner runs code from {' and '.join(sorted(events))}",
        )


def _workflow(text: str) -> Example:
    return Example(".github/workflows/ci.yml", text)


# A 40-hex placeholder of a release commit: the examples pin to it the way a real
# workflow pins to the commit its release tag points at.
_EXAMPLE_SHA = "0123456789abcdef0123456789abcdef01234567"

# A pull request build that passes every check: read-only token, GitHub's own actions,
# a third-party action pinned to a commit, a GitHub-hosted runner.
HARDENED = _workflow(
    f"""\
name: ci
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: "1.22"
      - uses: golangci/golangci-lint-action@{_EXAMPLE_SHA} # v6.0.1
      - run: go test ./...
"""
)


CHECKS: tuple[Check, ...] = (
    Check(
        id="gha-pr-target-head-checkout",
        title="A pull_request_target or workflow_run job checks out the pull request's code",
        severity=Severity.CRITICAL,
        format=FORMAT,
        kinds=_JOB,
        fix="Check out the base (drop `ref:`), or move the build of PR code to a "
        "`pull_request` workflow without secrets and pass results as artifacts",
        evaluate=_pr_target_head_checkout,
        references=("CWE-829",),
        cwe="CWE-829",
        iso27001=("A.8.25", "A.8.4"),
        failing=(
            _workflow(
                """\
name: preview
on:
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
  pull-requests: write
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm run build
"""
            ),
        ),
        passing=(
            _workflow(
                """\
name: label
on: pull_request_target
permissions:
  contents: read
  pull-requests: write
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/labeler@v5
"""
            ),
        ),
    ),
    Check(
        id="gha-script-injection",
        title="Attacker-controlled event text interpolated into a script",
        severity=Severity.HIGH,
        format=FORMAT,
        kinds=_JOB,
        fix="Pass the value through `env:` (e.g. `TITLE: ${{ github.event.issue.title }}`) "
        'and use "$TITLE" in the script',
        evaluate=_script_injection,
        references=("CWE-78", "CWE-94"),
        cwe="CWE-78",
        iso27001=("A.8.28", "A.8.25"),
        failing=(
            _workflow(
                """\
name: triage
on:
  issues:
    types: [opened]
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "New issue: ${{ github.event.issue.title }}"
"""
            ),
        ),
        passing=(
            _workflow(
                """\
name: triage
on:
  issues:
    types: [opened]
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - env:
          TITLE: ${{ github.event.issue.title }}
        run: |
          echo "New issue: $TITLE"
"""
            ),
        ),
    ),
    Check(
        id="gha-unpinned-action",
        title="Third-party action not pinned to a full commit SHA",
        severity=Severity.MEDIUM,
        format=FORMAT,
        kinds=_JOB,
        fix="Pin `uses:` to the 40-hex commit SHA of the release (`owner/repo@<sha> # vX`), "
        "and docker:// images to `@sha256:` digests",
        evaluate=_unpinned_action,
        references=("CWE-829",),
        cwe="CWE-829",
        iso27001=("A.5.21", "A.8.25"),
        failing=(
            _workflow(
                """\
name: ci
on: push
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: golangci/golangci-lint-action@v6
"""
            ),
        ),
        passing=(HARDENED,),
    ),
    Check(
        id="gha-write-all-permissions",
        title="Token granted write-all permissions",
        severity=Severity.HIGH,
        format=FORMAT,
        kinds=frozenset(),
        fix="Set `permissions:` to the scopes needed, e.g. `contents: read`",
        evaluate=_write_all,
        references=("CWE-250",),
        cwe="CWE-250",
        iso27001=("A.8.2", "A.5.15"),
        failing=(
            _workflow(
                """\
name: release
on:
  push:
    tags: ["v*"]
permissions: write-all
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make release
"""
            ),
        ),
        passing=(
            _workflow(
                """\
name: release
on:
  push:
    tags: ["v*"]
permissions:
  contents: write
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make release
"""
            ),
        ),
    ),
    Check(
        id="gha-missing-permissions",
        title="No token permissions set for the workflow nor its jobs",
        severity=Severity.LOW,
        format=FORMAT,
        kinds=_WORKFLOW,
        fix="Add `permissions: contents: read` at the top of the workflow and widen "
        "per job as needed",
        evaluate=_no_permissions,
        references=("CWE-250",),
        cwe="CWE-276",
        iso27001=("A.8.2", "A.5.15"),
        failing=(
            _workflow(
                """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""
            ),
        ),
        passing=(HARDENED,),
    ),
    Check(
        id="gha-secret-echoed",
        title="Secret printed to the job log",
        severity=Severity.HIGH,
        format=FORMAT,
        kinds=_JOB,
        fix="Do not echo secrets; pass them to the tool that needs them through `env:` "
        "or stdin (`--password-stdin`)",
        evaluate=_secret_echoed,
        references=("CWE-532",),
        cwe="CWE-532",
        iso27001=("A.5.17", "A.8.12"),
        failing=(
            _workflow(
                """\
name: deploy
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
    steps:
      - run: echo "Deploying with token $DEPLOY_TOKEN"
"""
            ),
        ),
        passing=(
            _workflow(
                """\
name: deploy
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      REGISTRY_TOKEN: ${{ secrets.REGISTRY_TOKEN }}
    steps:
      - run: echo "$REGISTRY_TOKEN" | docker login ghcr.io -u deploy --password-stdin
"""
            ),
        ),
    ),
    Check(
        id="gha-unsecure-commands",
        title="ACTIONS_ALLOW_UNSECURE_COMMANDS enabled",
        severity=Severity.HIGH,
        format=FORMAT,
        kinds=frozenset(),
        fix="Remove ACTIONS_ALLOW_UNSECURE_COMMANDS and write to $GITHUB_ENV / $GITHUB_PATH",
        evaluate=_unsecure_commands,
        references=("CWE-77",),
        cwe="CWE-77",
        iso27001=("A.8.28", "A.8.25"),
        failing=(
            _workflow(
                """\
name: ci
on: push
permissions:
  contents: read
env:
  ACTIONS_ALLOW_UNSECURE_COMMANDS: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "::add-path::$HOME/.local/bin"
"""
            ),
        ),
        passing=(
            _workflow(
                """\
name: ci
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$HOME/.local/bin" >> "$GITHUB_PATH"
"""
            ),
        ),
    ),
    Check(
        id="gha-self-hosted-pr",
        title="Self-hosted runner used for pull request workflows",
        severity=Severity.MEDIUM,
        format=FORMAT,
        kinds=_JOB,
        fix="Run pull request jobs on GitHub-hosted runners, or on ephemeral "
        "self-hosted runners isolated from other jobs",
        evaluate=_self_hosted_untrusted,
        references=("CWE-269",),
        cwe="CWE-269",
        iso27001=("A.8.22", "A.8.31"),
        failing=(
            _workflow(
                """\
name: ci
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""
            ),
        ),
        passing=(
            HARDENED,
            _workflow(
                """\
name: nightly
on:
  schedule:
    - cron: "0 2 * * *"
permissions:
  contents: read
jobs:
  soak:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
      - run: make soak-test
"""
            ),
        ),
    ),
)
