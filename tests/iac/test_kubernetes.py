"""The Kubernetes adapter and checks: one failing and one passing input per check."""

from __future__ import annotations

from pathlib import Path

import pytest

from glasshouse.iac.adapters.kubernetes import ADAPTER, HELM_MESSAGE, parse
from glasshouse.iac.check import Check
from glasshouse.iac.checks.kubernetes import CHECKS
from glasshouse.iac.model import UNKNOWN, AdapterError, Resource

DATA = Path(__file__).resolve().parents[1] / "data" / "iac" / "kubernetes"
BY_ID: dict[str, Check] = {check.id: check for check in CHECKS}

# A pod that passes every check; each failing case edits one line of it.
GOOD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
          add: ["NET_BIND_SERVICE"]
      resources:
        limits: {cpu: 500m, memory: 256Mi}
"""

GOOD_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
  - apiGroups: [""]
    resources: ["configmaps", "pods"]
    verbs: ["get", "list"]
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["app-tls"]
    verbs: ["get"]
"""


def resources(text: str, path: str = "k8s.yaml") -> list[Resource]:
    return parse(path, text.encode())


def findings(check_id: str, text: str) -> list[int | None]:
    check = BY_ID[check_id]
    return [
        violation.line
        for resource in resources(text)
        if check.applies(resource)
        for violation in check.evaluate(resource)
    ]


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


FAILING: list[tuple[str, str, str, str, list[int | None]]] = [
    # (check, base, old, new, lines of the findings)
    (
        "k8s-privileged-container",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        privileged: true",
        [18],
    ),
    (
        "k8s-allow-privilege-escalation",
        GOOD_POD,
        "allowPrivilegeEscalation: false",
        "allowPrivilegeEscalation: true",
        [16],
    ),
    (
        "k8s-allow-privilege-escalation",
        GOOD_POD,
        "        allowPrivilegeEscalation: false\n",
        "",
        [13],
    ),
    ("k8s-run-as-non-root", GOOD_POD, "runAsNonRoot: true", "runAsNonRoot: false", [9]),
    ("k8s-run-as-non-root", GOOD_POD, "    runAsNonRoot: true\n", "", [12]),
    (
        "k8s-run-as-non-root",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        runAsNonRoot: false",
        [18],
    ),
    ("k8s-run-as-user-root", GOOD_POD, "runAsNonRoot: true", "runAsUser: 0", [9]),
    (
        "k8s-added-capabilities",
        GOOD_POD,
        '["NET_BIND_SERVICE"]',
        '["NET_BIND_SERVICE", "SYS_ADMIN", "CAP_NET_RAW"]',
        [20, 20],
    ),
    ("k8s-capabilities-not-dropped", GOOD_POD, 'drop: ["ALL"]', 'drop: ["NET_RAW"]', [19]),
    ("k8s-capabilities-not-dropped", GOOD_POD, '          drop: ["ALL"]\n', "", [13]),
    (
        "k8s-writable-root-filesystem",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
        [17],
    ),
    ("k8s-image-not-pinned", GOOD_POD, "app:1.4.2", "app:latest", [14]),
    ("k8s-image-not-pinned", GOOD_POD, "app:1.4.2", "app", [14]),
    ("k8s-image-not-pinned", GOOD_POD, "registry.example/app:1.4.2", "localhost:5000/app", [14]),
    ("k8s-no-resource-limits", GOOD_POD, "{cpu: 500m, memory: 256Mi}", "{cpu: 500m}", [22]),
    (
        "k8s-no-resource-limits",
        GOOD_POD,
        "      resources:\n        limits: {cpu: 500m, memory: 256Mi}\n",
        "",
        [13],
    ),
    ("k8s-seccomp-not-restricted", GOOD_POD, "type: RuntimeDefault", "type: Unconfined", [11]),
    (
        "k8s-seccomp-not-restricted",
        GOOD_POD,
        "    seccompProfile:\n      type: RuntimeDefault\n",
        "",
        [11],
    ),
    (
        "k8s-host-network",
        GOOD_POD,
        "automountServiceAccountToken: false",
        "automountServiceAccountToken: false\n  hostNetwork: true",
        [8],
    ),
    (
        "k8s-host-pid",
        GOOD_POD,
        "automountServiceAccountToken: false",
        "automountServiceAccountToken: false\n  hostPID: true",
        [8],
    ),
    (
        "k8s-host-ipc",
        GOOD_POD,
        "automountServiceAccountToken: false",
        "automountServiceAccountToken: false\n  hostIPC: true",
        [8],
    ),
    (
        "k8s-host-path-volume",
        GOOD_POD,
        "automountServiceAccountToken: false",
        "automountServiceAccountToken: false\n"
        "  volumes:\n    - name: docker\n      hostPath:\n        path: /var/run/docker.sock",
        [11],
    ),
    (
        "k8s-service-account-token-automount",
        GOOD_POD,
        "automountServiceAccountToken: false",
        "automountServiceAccountToken: true",
        [7],
    ),
    (
        "k8s-service-account-token-automount",
        GOOD_POD,
        "  automountServiceAccountToken: false\n",
        "",
        [7],
    ),
    ("k8s-rbac-wildcard", GOOD_ROLE, 'verbs: ["get", "list"]', 'verbs: ["*"]', [8]),
    ("k8s-rbac-wildcard", GOOD_ROLE, '["configmaps", "pods"]', '["*"]', [7]),
    ("k8s-rbac-secrets-access", GOOD_ROLE, '["configmaps", "pods"]', '["pods", "secrets"]', [7]),
    ("k8s-rbac-secrets-access", GOOD_ROLE, 'verbs: ["get"]', 'verbs: ["get", "list"]', [10]),
]


def test_every_check_has_a_failing_case_and_catalogue_fields() -> None:
    assert {case[0] for case in FAILING} == set(BY_ID)
    assert len(BY_ID) == len(CHECKS) >= 15
    for check in CHECKS:
        assert check.id.startswith("k8s-")
        assert check.id == check.id.lower()
        assert check.title
        assert check.fix
        assert check.references
        assert check.format == "kubernetes"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_passing_inputs_have_no_findings(check: Check) -> None:
    assert findings(check.id, GOOD_POD) == []
    assert findings(check.id, GOOD_ROLE) == []


@pytest.mark.parametrize(("check_id", "base", "old", "new", "lines"), FAILING)
def test_failing_inputs_are_found_on_their_line(
    check_id: str, base: str, old: str, new: str, lines: list[int]
) -> None:
    assert findings(check_id, edit(base, old, new)) == lines


def test_other_checks_stay_silent_on_one_edit() -> None:
    text = edit(GOOD_POD, "app:1.4.2", "app:latest")
    fired = {c.id for c in CHECKS for r in resources(text) if c.applies(r) and list(c.evaluate(r))}
    assert fired == {"k8s-image-not-pinned"}


def test_container_level_overrides_pod_level() -> None:
    text = edit(
        GOOD_POD,
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: false\n",
    )
    text = edit(
        text,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        runAsNonRoot: true",
    )
    assert findings("k8s-run-as-non-root", text) == []


def test_init_and_ephemeral_containers_are_checked() -> None:
    text = GOOD_POD + (
        "  initContainers:\n"
        "    - name: setup\n"
        "      image: busybox:1.36\n"
        "      securityContext: {privileged: true}\n"
        "  ephemeralContainers:\n"
        "    - name: debug\n"
        "      image: busybox:1.36\n"
        "      securityContext: {privileged: true}\n"
    )
    assert findings("k8s-privileged-container", text) == [26, 30]
    assert 29 not in findings("k8s-no-resource-limits", text)  # ephemeral: no resources


def test_unknown_values_neither_fire_nor_pass() -> None:
    # A Helm expression in a value that still parses as YAML becomes UNKNOWN.
    text = edit(
        GOOD_POD, "allowPrivilegeEscalation: false", 'allowPrivilegeEscalation: "{{ .Values.ape }}"'
    )
    text = edit(text, "registry.example/app:1.4.2", '"{{ .Values.image }}"')
    text = edit(text, 'drop: ["ALL"]', 'drop: ["{{ .Values.drop }}"]')
    [pod] = resources(text)
    assert pod.body.get("spec", "containers", 0, "image").value is UNKNOWN  # type: ignore[union-attr]
    for check_id in (
        "k8s-allow-privilege-escalation",
        "k8s-image-not-pinned",
        "k8s-capabilities-not-dropped",
    ):
        assert findings(check_id, text) == []
    # A pod-level runAsNonRoot does not make an UNKNOWN container-level one safe, nor unsafe.
    text = edit(
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        'readOnlyRootFilesystem: true\n        runAsNonRoot: "{{ .Values.x }}"',
    )
    assert findings("k8s-run-as-non-root", text) == []
    text = edit(GOOD_POD, "runAsNonRoot: true", "runAsNonRoot: false")
    text = edit(
        text,
        "readOnlyRootFilesystem: true",
        'readOnlyRootFilesystem: true\n        runAsNonRoot: "{{ .Values.x }}"',
    )
    assert findings("k8s-run-as-non-root", text) == []


def test_unknown_pod_security_context_is_not_absent() -> None:
    text = edit(
        GOOD_POD,
        "  securityContext:\n    runAsNonRoot: true\n"
        "    seccompProfile:\n      type: RuntimeDefault\n",
        '  securityContext: "{{ toYaml .Values.podSecurityContext }}"\n',
    )
    assert findings("k8s-run-as-non-root", text) == []
    assert findings("k8s-seccomp-not-restricted", text) == []


def test_matches_yaml_names_only() -> None:
    assert ADAPTER.format == "kubernetes"
    assert ADAPTER.matches("deploy.yaml", "k8s/deploy.yaml")
    assert ADAPTER.matches("Deploy.YML", "Deploy.YML")
    assert not ADAPTER.matches("deploy.json", "deploy.json")
    assert not ADAPTER.matches("yaml", "yaml")


def test_multi_document_file() -> None:
    found = parse("multi-doc.yaml", (DATA / "multi-doc.yaml").read_bytes())
    assert [(r.kind, r.name, r.line) for r in found] == [
        ("Service", "default/web", 2),
        ("Deployment", "shop/web", 10),
        ("CronJob", "ops/nightly", 23),
    ]
    assert "pod_spec" not in found[0].context
    assert found[1].context["pod_spec_path"] == ("spec", "template", "spec")
    assert found[2].context["pod_spec_path"] == ("spec", "jobTemplate", "spec", "template", "spec")
    assert found[2].context["pod_spec"].line == 34
    assert all(r.path == "multi-doc.yaml" and r.format == "kubernetes" for r in found)
    by_check = {
        (c.id, r.name, v.line) for r in found for c in CHECKS if c.applies(r) for v in c.evaluate(r)
    }
    assert ("k8s-host-network", "shop/web", 18) in by_check
    assert ("k8s-image-not-pinned", "shop/web", 21) in by_check
    assert ("k8s-privileged-container", "ops/nightly", 38) in by_check


def test_list_kind() -> None:
    found = parse("list.yaml", (DATA / "list.yaml").read_bytes())
    assert [(r.kind, r.name, r.line) for r in found] == [
        ("ClusterRole", "default/admin-ish", 4),
        ("Pod", "default/debug", 12),
    ]
    lines = {(c.id, v.line) for r in found for c in CHECKS if c.applies(r) for v in c.evaluate(r)}
    assert {("k8s-rbac-wildcard", 10), ("k8s-rbac-wildcard", 11)} <= lines
    assert ("k8s-host-path-volume", 20) in lines
    assert ("k8s-image-not-pinned", 23) in lines


def test_workload_kinds_find_their_pod_spec() -> None:
    template = "  template:\n    spec:\n      containers: [{name: a, image: a}]\n"
    for kind in (
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "ReplicationController",
    ):
        [r] = resources(f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n{template}")
        assert r.context["pod_spec_path"] == ("spec", "template", "spec"), kind
        assert r.context["pod_spec"].get("containers", 0, "name").value == "a"


def test_not_kubernetes_yaml_is_empty() -> None:
    assert parse("not-kubernetes.yaml", (DATA / "not-kubernetes.yaml").read_bytes()) == []
    assert parse("chart.yaml", (DATA / "helm-chart" / "Chart.yaml").read_bytes()) == []
    assert parse("empty.yaml", b"") == []
    assert parse("list.yaml", b"- a\n- b\n") == []
    # One non-Kubernetes document makes the whole file not a manifest.
    assert parse("mixed.yaml", b"apiVersion: v1\nkind: Pod\n---\nfoo: bar\n") == []


def test_invalid_yaml_is_one_line_error() -> None:
    with pytest.raises(AdapterError) as info:
        parse("invalid.yaml", (DATA / "invalid.yaml").read_bytes())
    assert str(info.value).startswith("invalid YAML at line")
    assert "\n" not in str(info.value)


def test_python_tag_is_refused() -> None:
    with pytest.raises(AdapterError, match="not allowed") as info:
        parse("python-tag.yaml", (DATA / "python-tag.yaml").read_bytes())
    assert "\n" not in str(info.value)


def test_helm_template_is_reported_not_scanned() -> None:
    data = (DATA / "helm-chart" / "templates" / "deployment.yaml").read_bytes()
    with pytest.raises(AdapterError) as info:
        parse("helm-chart/templates/deployment.yaml", data)
    assert str(info.value) == HELM_MESSAGE
    assert "helm template" in HELM_MESSAGE


def test_other_yaml_with_custom_tags_is_not_an_error() -> None:
    from glasshouse.iac.adapters.kubernetes import ADAPTER

    gitlab_ci = b"test:\n  script:\n    - !reference [.setup, script]\n    - make test\n"
    assert ADAPTER.parse(".gitlab-ci.yml", gitlab_ci) == []
