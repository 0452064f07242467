"""The IaC engine: inline suppressions with a reason, reasonless markers reported,
unreadable files reported while the rest is judged."""

from __future__ import annotations

from glasshouse.iac.engine import evaluate_texts
from glasshouse.model import SUPPRESSED_IN_SOURCE

PRIVILEGED = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  containers:
    - name: agent
      image: registry.example/agent:1.0.0
      securityContext:
{marker}        privileged: true
"""


def _privileged(marker: str = "") -> dict[str, str]:
    return {"k8s/agent.yaml": PRIVILEGED.format(marker=marker)}


def test_a_marker_with_a_reason_on_the_line_above_suppresses_that_check_only() -> None:
    run = evaluate_texts(
        _privileged("        # glasshouse:allow k8s-privileged-container node agent needs it\n")
    )
    (privileged,) = [f for f in run.findings if f.rule_id == "k8s-privileged-container"]
    assert privileged.suppression == "node agent needs it"
    assert SUPPRESSED_IN_SOURCE in privileged.tags
    others = [f for f in run.findings if f.rule_id != "k8s-privileged-container"]
    assert others
    assert all(f.suppression is None for f in others)
    assert not run.problems


def test_a_marker_above_the_resource_covers_the_whole_resource() -> None:
    text = "# glasshouse:allow * legacy agent, tracked in SEC-12\n" + PRIVILEGED.format(marker="")
    run = evaluate_texts({"k8s/agent.yaml": text})
    assert run.findings
    assert all(f.suppression == "legacy agent, tracked in SEC-12" for f in run.findings)


def test_a_marker_without_a_reason_suppresses_nothing_and_is_reported() -> None:
    run = evaluate_texts(_privileged("        # glasshouse:allow k8s-privileged-container\n"))
    privileged = [f for f in run.findings if f.rule_id == "k8s-privileged-container"]
    assert privileged
    assert privileged[0].suppression is None
    (problem,) = run.problems
    assert problem.path == "k8s/agent.yaml"
    assert "line 10" in problem.message
    assert "without a reason" in problem.message
    assert not problem.blocking


def test_a_marker_for_another_check_suppresses_nothing() -> None:
    run = evaluate_texts(_privileged("        # glasshouse:allow k8s-host-path-volume not here\n"))
    privileged = [f for f in run.findings if f.rule_id == "k8s-privileged-container"]
    assert privileged
    assert privileged[0].suppression is None


def test_an_unreadable_file_is_one_blocking_problem_and_the_rest_is_judged() -> None:
    run = evaluate_texts({**_privileged(), "k8s/broken.yaml": "apiVersion: v1\nkind: [\n"})
    assert [p.path for p in run.problems] == ["k8s/broken.yaml"]
    assert run.problems[0].blocking
    assert "invalid YAML" in run.problems[0].message
    assert any(f.rule_id == "k8s-privileged-container" for f in run.findings)


def test_a_module_problem_reached_from_many_roots_is_one_finding() -> None:
    module = (
        'variable "name" {\n  type = string\n}\n\n'
        'resource "aws_security_group" "admin" {\n'
        "  name = var.name\n"
        "  ingress {\n"
        "    from_port   = 22\n"
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n'
        "  }\n"
        "}\n"
    )
    files = {"modules/admin/main.tf": module}
    for stack in ("billing", "orders", "search"):
        files[f"stacks/{stack}/main.tf"] = (
            f'module "admin" {{\n  source = "../../modules/admin"\n  name = "{stack}"\n}}\n'
        )
    run = evaluate_texts(files)
    ssh = [f for f in run.findings if f.rule_id == "tf-aws-sg-ssh-open"]
    assert [(f.location.path, f.location.line) for f in ssh] == [("modules/admin/main.tf", 11)]
