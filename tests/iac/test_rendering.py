"""Helm charts and kustomizations: rendered with their tools and judged as Kubernetes
objects placed in their source files; reported as not scanned (never skipped) when the
tool is missing, the kustomization reaches for the network or the tree's outside, or
the tool fails."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from glasshouse.iac import engine
from glasshouse.iac.adapter import DirectoryInput
from glasshouse.iac.adapters import kubernetes, rendered
from glasshouse.model import Finding, Problem

ORIGIN_KEY = "config.kubernetes.io/origin"
DATA = Path(__file__).resolve().parents[1] / "data" / "iac" / "kubernetes"
KUBECTL = shutil.which("kubectl") or shutil.which("kustomize")
needs_kustomize = pytest.mark.skipif(
    KUBECTL is None, reason="neither kubectl nor kustomize is on PATH to render kustomizations"
)


def scan(root: Path) -> engine.Evaluation:
    """The IaC engine over every file under ``root``, as the scanner runs it."""
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    wanted = {rel: p for rel, p in files.items() if engine.wants(rel.rsplit("/", 1)[-1], rel)}
    return engine.evaluate(wanted, lambda rel: wanted[rel].read_bytes(), root=root)


def copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(DATA / name, root / name)
    return root


def hits(run: engine.Evaluation, rule: str) -> list[Finding]:
    return [f for f in run.findings if f.rule_id == rule]


def blocking(run: engine.Evaluation) -> list[Problem]:
    return [p for p in run.problems if p.blocking]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holding one empty directory (tools can be put there)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


# ------------------------------------------------------------------- which adapter


def test_templates_are_left_to_the_helm_adapters() -> None:
    assert not kubernetes.ADAPTER.matches("deployment.yaml", "chart/templates/deployment.yaml")
    assert not kubernetes.ADAPTER.matches(".gitlab-ci.yml", ".gitlab-ci.yml")
    assert kubernetes.ADAPTER.matches("deployment.yaml", "k8s/deployment.yaml")
    assert rendered.TEMPLATES_ADAPTER.matches("x.yaml", "chart/templates/sub/x.yaml")
    assert rendered.TEMPLATES_ADAPTER.format == "kubernetes"
    assert rendered.HELM_ADAPTER.matches("Chart.yaml", "chart/Chart.yaml")
    assert not rendered.HELM_ADAPTER.matches("chart.yaml", "chart/chart.yaml")
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        assert rendered.KUSTOMIZE_ADAPTER.matches(name, f"overlays/prod/{name}")


def test_strategic_merge_patch_is_not_judged_alone() -> None:
    patch = (DATA / "kustomize" / "overlays" / "prod" / "privileged-patch.yaml").read_bytes()
    assert kubernetes.parse("privileged-patch.yaml", patch) == []
    replicas = (
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n"
    )
    assert kubernetes.parse("replicas.yaml", replicas) == []
    service = b"apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
    assert len(kubernetes.parse("service.yaml", service)) == 1


def test_templates_outside_a_chart_are_plain_manifests(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(
        root / "deploy" / "templates" / "pod.yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: debug}
        spec:
          containers:
            - name: shell
              image: busybox:1.36
              securityContext: {privileged: true}
        """,
    )
    write(root / "deploy" / "templates" / "broken.yaml", "apiVersion: v1\nkind: [\n")
    run = scan(root)
    [finding] = hits(run, "k8s-privileged-container")
    assert (finding.location.path, finding.location.line) == ("deploy/templates/pod.yaml", 8)
    [problem] = run.problems
    assert problem.path == "deploy/templates/broken.yaml"
    assert problem.message.startswith("cannot read as kubernetes: invalid YAML")


# --------------------------------------------------------------------------- helm


def test_helm_chart_without_helm_is_one_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy("helm-chart", tmp_path)
    empty_path(tmp_path, monkeypatch)
    run = scan(root)
    assert [(p.path, p.message, p.blocking) for p in run.problems] == [
        ("helm-chart/Chart.yaml", f"cannot read as helm: {rendered.HELM_MISSING}", True)
    ]
    assert run.findings == []  # its templates are not judged (nor reported) one by one


def test_subchart_is_rendered_with_its_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy("helm-chart", tmp_path)
    shutil.copytree(DATA / "helm-privileged", root / "helm-chart" / "charts" / "agent")
    empty_path(tmp_path, monkeypatch)
    run = scan(root)
    assert [p.path for p in run.problems] == ["helm-chart/Chart.yaml"]


def test_chart_with_a_link_out_of_the_tree_is_not_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    secret = tmp_path / "outside.yaml"
    secret.write_text("token: x\n")
    root = copy("helm-privileged", tmp_path)
    (root / "helm-privileged" / "templates" / "stolen.yaml").symlink_to(secret)
    fake_helm(empty_path(tmp_path, monkeypatch), "")
    [problem] = scan(root).problems
    assert problem.message == (
        "cannot read as helm: Helm chart: not scanned: "
        "helm-privileged/templates/stolen.yaml links out of the scanned tree"
    )


HELM_OUTPUT = """\
---
# Source: agent/templates/daemonset.yaml
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: release-agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
        - name: agent
          image: "registry.example.com/agent:2.0.1"
          securityContext:
            privileged: true
"""


def fake_helm(bin_dir: Path, output: str, *, fail: str = "") -> Path:
    """A stand-in for helm that prints what ``helm template`` would for the test chart,
    and records its arguments: it tests how output is mapped back, not helm."""
    script = bin_dir / "helm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "pathlib.Path(__file__).with_name('args').write_text(repr(sys.argv[1:]))\n"
        f"sys.stdout.write({output!r})\n"
        f"sys.stderr.write({fail!r})\n"
        f"sys.exit({1 if fail else 0})\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in helm is a script")
def test_rendered_helm_objects_are_placed_in_their_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy("helm-privileged", tmp_path)
    bin_dir = empty_path(tmp_path, monkeypatch)
    fake_helm(bin_dir, HELM_OUTPUT)
    run = scan(root)
    assert blocking(run) == []
    args = eval((bin_dir / "args").read_text())  # noqa: S307 - the list our stand-in wrote
    assert args[:2] == ["template", "release"]
    assert Path(args[2]) == (root / "helm-privileged").resolve()
    [finding] = hits(run, "k8s-privileged-container")
    assert finding.location.path == "helm-privileged/templates/daemonset.yaml"
    assert finding.location.line == 18  # `privileged:` in the template
    assert "DaemonSet default/release-agent" in finding.title
    assert "helm-privileged/templates/daemonset.yaml" in run.scanned


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in helm is a script")
def test_helm_failure_is_one_problem_with_its_first_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy("helm-privileged", tmp_path)
    fake_helm(
        empty_path(tmp_path, monkeypatch),
        "",
        fail="Error: template: agent/templates/daemonset.yaml:4:11: bad\nmore detail\n",
    )
    [problem] = scan(root).problems
    assert problem.path == "helm-privileged/Chart.yaml"
    assert problem.message == (
        "cannot read as helm: Helm chart: not scanned: helm failed: "
        "template: agent/templates/daemonset.yaml:4:11: bad"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in helm is a script")
def test_a_tool_that_hangs_or_floods_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy("helm-privileged", tmp_path)
    helm = fake_helm(empty_path(tmp_path, monkeypatch), "")
    helm.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n", encoding="utf-8")
    monkeypatch.setattr(rendered, "TIMEOUT_SECONDS", 0.5)
    [problem] = scan(root).problems
    assert problem.message.endswith(
        "Helm chart: not scanned: helm did not finish within 0.5 seconds"
    )
    helm.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.write('x' * 5000000)\n", encoding="utf-8"
    )
    monkeypatch.setattr(rendered, "TIMEOUT_SECONDS", 60.0)
    monkeypatch.setattr(rendered, "MAX_OUTPUT_BYTES", 1 << 20)
    [problem] = scan(root).problems
    assert problem.message.endswith("Helm chart: not scanned: helm wrote more than 1 MiB")


@pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not on PATH to render charts")
def test_real_helm_renders_the_chart(tmp_path: Path) -> None:
    root = copy("helm-privileged", tmp_path)
    run = scan(root)
    assert blocking(run) == []
    [finding] = hits(run, "k8s-privileged-container")
    assert finding.location.path == "helm-privileged/templates/daemonset.yaml"
    assert finding.location.line == 18


# ----------------------------------------------------------------------- kustomize


@needs_kustomize
def test_overlay_patch_is_rendered_and_reported_in_the_base(tmp_path: Path) -> None:
    root = copy("kustomize", tmp_path)
    run = scan(root)
    assert blocking(run) == []
    privileged = hits(run, "k8s-privileged-container")
    assert [(f.location.path, f.location.line) for f in privileged] == [
        ("kustomize/base/deployment.yaml", 21)  # the securityContext the patch changes
    ]
    assert "Deployment prod/prod-web (kustomize kustomize/overlays/prod)" in privileged[0].title
    # The patch itself is not judged as a Deployment of its own.
    assert not [f for f in run.findings if f.location.path.endswith("privileged-patch.yaml")]
    # The base renders unchanged: reported once, from the file, not again from kustomize.
    assert not [f for f in run.findings if "(kustomize kustomize/base)" in f.title]
    assert {
        "kustomize/base/kustomization.yaml",
        "kustomize/overlays/prod/kustomization.yaml",
    } <= set(run.scanned)


@needs_kustomize
def test_overlay_renaming_only_is_not_reported_twice(tmp_path: Path) -> None:
    root = copy("kustomize", tmp_path)
    write(
        root / "kustomize" / "overlays" / "staging" / "kustomization.yaml",
        """
        namespace: staging
        namePrefix: staging-
        commonLabels: {env: staging}
        resources:
          - ../../base
        """,
    )
    run = scan(root)
    assert blocking(run) == []
    assert not [f for f in run.findings if "(kustomize kustomize/overlays/staging)" in f.title]
    assert [f for f in run.findings if "(kustomize kustomize/overlays/prod)" in f.title]


@needs_kustomize
def test_generated_objects_are_placed_in_the_kustomization(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(
        root / "app" / "kustomization.yaml",
        """
        commonAnnotations: {team: web}
        configMapGenerator:
          - name: settings
            literals: [MODE=prod]
        resources:
          - role.yaml
        """,
    )
    write(
        root / "app" / "role.yaml",
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: all
        rules:
          - apiGroups: ["*"]
            resources: ["*"]
            verbs: ["*"]
        """,
    )
    files = {"app/kustomization.yaml": (root / "app" / "kustomization.yaml").read_bytes()}
    result = rendered.KUSTOMIZE_ADAPTER.parse_directory(
        DirectoryInput("app", files, lambda directory: {}, root)
    )
    assert result.errors == []
    assert result.scanned == ["app/kustomization.yaml"]
    placed = {(r.kind, r.path, r.line) for r in result.resources}
    assert placed == {
        ("ConfigMap", "app/kustomization.yaml", 3),  # generated: on its generator
        ("Role", "app/role.yaml", 1),  # changed (an annotation added): judged as rendered
    }
    [role] = [r for r in result.resources if r.kind == "Role"]
    assert role.name == "default/all (kustomize app)"
    assert role.body.get("rules", 0, "verbs", 0).line == 8  # type: ignore[union-attr]
    # An annotation the kustomization adds sits on the metadata the file has.
    assert role.body.get("metadata", "annotations", "team").line == 4  # type: ignore[union-attr]
    assert ORIGIN_KEY not in str(role.body.plain())


KUSTOMIZE_OUTPUT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-web
  namespace: prod
spec:
  template:
    spec:
      containers:
      - image: registry.example.com/web:1.4.2
        name: app
        securityContext:
          privileged: true
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in kustomize is a script")
def test_without_origins_objects_are_placed_by_kind_and_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A kustomize that ignores buildMetadata (older than v4.5): the rendered prod-web is
    # found by kind and name (kustomize added the prefix) among the base's files.
    root = copy("kustomize", tmp_path)
    bin_dir = empty_path(tmp_path, monkeypatch)
    fake_helm(bin_dir, KUSTOMIZE_OUTPUT).rename(bin_dir / "kustomize")
    run = scan(root)
    assert blocking(run) == []
    args = eval((bin_dir / "args").read_text())  # noqa: S307 - the list our stand-in wrote
    assert args[0] == "build"
    assert Path(args[1]).name == "wrapper"  # wrapped, to ask for origin annotations
    privileged = hits(run, "k8s-privileged-container")
    assert {(f.location.path, f.location.line) for f in privileged} == {
        ("kustomize/base/deployment.yaml", 21)
    }


def test_remote_base_is_not_fetched(tmp_path: Path) -> None:
    root = copy("kustomize-remote", tmp_path)
    run = scan(root)
    [problem] = blocking(run)
    assert problem.path == "kustomize-remote/kustomization.yaml"
    assert problem.message == (
        "cannot read as kustomize: kustomization: not scanned: the remote resources entry "
        "https://github.com/example/platform//deploy/base?ref=v1.2.0 is not fetched"
    )


@pytest.mark.parametrize(
    "entry",
    [
        "github.com/example/platform/deploy?ref=v1",
        "git@github.com:example/platform.git",
        "ssh://git@example.com/platform.git//deploy",
        "example.com/org/repo/deploy",
    ],
)
def test_remote_forms_are_recognised(tmp_path: Path, entry: str) -> None:
    root = tmp_path / "tree"
    write(root / "base" / "kustomization.yaml", f"resources:\n  - {entry}\n")
    [problem] = blocking(scan(root))
    assert problem.message.endswith(f"the remote resources entry {entry} is not fetched")


def test_remote_base_through_a_local_base(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root / "overlay" / "kustomization.yaml", "resources:\n  - ../base\n")
    write(root / "base" / "kustomization.yaml", "resources:\n  - https://example.com/x.yaml\n")
    problems = {p.path: p.message for p in blocking(scan(root))}
    assert problems["overlay/kustomization.yaml"].endswith(
        "is not fetched (through base/kustomization.yaml)"
    )
    assert problems["base/kustomization.yaml"].endswith("is not fetched")


def test_reference_outside_the_tree_is_not_rendered(tmp_path: Path) -> None:
    write(tmp_path / "shared" / "kustomization.yaml", "resources: []\n")
    root = tmp_path / "tree"
    write(root / "app" / "kustomization.yaml", "resources:\n  - ../../shared\n")
    [problem] = blocking(scan(root))
    assert problem.message.endswith(
        "not scanned: the resources entry ../../shared is outside the scanned tree"
    )


def test_kustomization_without_kustomize_or_kubectl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy("kustomize", tmp_path)
    empty_path(tmp_path, monkeypatch)
    run = scan(root)
    assert sorted((p.path, p.message) for p in blocking(run)) == [
        (
            "kustomize/base/kustomization.yaml",
            f"cannot read as kustomize: {rendered.KUSTOMIZE_MISSING}",
        ),
        (
            "kustomize/overlays/prod/kustomization.yaml",
            f"cannot read as kustomize: {rendered.KUSTOMIZE_MISSING}",
        ),
    ]


@needs_kustomize
def test_broken_kustomization_is_one_problem_with_the_tool_error(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root / "app" / "kustomization.yaml", "resources:\n  - missing.yaml\n")
    [problem] = blocking(scan(root))
    assert problem.path == "app/kustomization.yaml"
    assert problem.message.startswith("cannot read as kustomize: kustomization: not scanned: ")
    assert "missing.yaml" in problem.message
    assert "\n" not in problem.message


def test_without_a_tree_on_disk_nothing_is_rendered() -> None:
    run = engine.evaluate_texts(
        {"app/kustomization.yaml": "resources: []\n", "chart/Chart.yaml": "name: x\n"}
    )
    assert sorted((p.path, p.message) for p in run.problems) == [
        ("app/kustomization.yaml", f"cannot read as kustomize: kustomization: {rendered.NO_TREE}"),
        ("chart/Chart.yaml", f"cannot read as helm: Helm chart: {rendered.NO_TREE}"),
    ]


def test_first_error_line_drops_log_decorations() -> None:
    stderr = (
        'E1127 06:43:34.472883   22990 run.go:72] "command failed" '
        "err=\"accumulating resources: 'missing.yaml': no such file\"\n"
    )
    assert rendered._first_error(stderr) == "accumulating resources: 'missing.yaml': no such file"
    assert rendered._first_error("Error: chart requires kubeVersion\n") == (
        "chart requires kubeVersion"
    )
    assert rendered._first_error("") == "no error message"
