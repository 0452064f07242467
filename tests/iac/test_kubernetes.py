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


GOOD_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: ["10.0.0.0/8", "192.0.2.0/24"]
  selector: {app: web}
  ports:
    - port: 443
      targetPort: 8443
"""

GOOD_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  tls:
    - hosts: ["shop.example.com", "*.api.example.com"]
      secretName: web-tls
  rules:
    - host: shop.example.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
    - host: v1.api.example.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]
"""

GOOD_BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: shop-developers
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app-reader
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: shop-developers
"""
GOOD = (GOOD_POD, GOOD_ROLE, GOOD_SERVICE, GOOD_INGRESS, GOOD_BINDING)


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
    (
        "k8s-host-port",
        GOOD_POD,
        "      image: registry.example/app:1.4.2\n",
        "      image: registry.example/app:1.4.2\n"
        "      ports:\n        - containerPort: 8080\n          hostPort: 80\n",
        [17],
    ),
    (
        "k8s-proc-mount-unmasked",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        procMount: Unmasked",
        [18],
    ),
    (
        "k8s-unsafe-sysctl",
        GOOD_POD,
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    sysctls:\n"
        '      - {name: net.ipv4.tcp_syncookies, value: "1"}\n'
        '      - {name: kernel.msgmax, value: "65536"}\n'
        '      - {name: net/ipv4/conf/eth0.100/rp_filter, value: "0"}\n',
        [12, 13],
    ),
    (
        "k8s-apparmor-unconfined",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        appArmorProfile: {type: Unconfined}",
        [18],
    ),
    (
        "k8s-apparmor-unconfined",
        GOOD_POD,
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n"
        "    container.apparmor.security.beta.kubernetes.io/app: unconfined\n",
        [7],
    ),
    (
        "k8s-selinux-custom-options",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n"
        "        seLinuxOptions: {user: system_u, role: system_r, level: s0}",
        [18, 18],
    ),
    (
        "k8s-selinux-custom-options",
        GOOD_POD,
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    seLinuxOptions:\n      type: spc_t\n",
        [11],
    ),
    (
        "k8s-windows-host-process",
        GOOD_POD,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        windowsOptions: {hostProcess: true}",
        [18],
    ),
    (
        "k8s-load-balancer-open",
        GOOD_SERVICE,
        '"192.0.2.0/24"]',
        '"0.0.0.0/0"]',
        [8],
    ),
    (
        "k8s-load-balancer-open",
        GOOD_SERVICE,
        '  loadBalancerSourceRanges: ["10.0.0.0/8", "192.0.2.0/24"]\n',
        "",
        [7],
    ),
    (
        "k8s-load-balancer-open",
        GOOD_SERVICE,
        '["10.0.0.0/8", "192.0.2.0/24"]',
        "[]",
        [8],
    ),
    ("k8s-node-port-service", GOOD_SERVICE, "type: LoadBalancer", "type: NodePort", [7]),
    (
        "k8s-ingress-without-tls",
        GOOD_INGRESS,
        '  tls:\n    - hosts: ["shop.example.com", "*.api.example.com"]\n'
        "      secretName: web-tls\n",
        "",
        [1],
    ),
    ("k8s-ingress-without-tls", GOOD_INGRESS, "v1.api.example.com", "admin.example.com", [14]),
    ("k8s-ingress-without-tls", GOOD_INGRESS, "v1.api.example.com", "a.v1.api.example.com", [14]),
    (
        "k8s-rbac-cluster-admin-binding",
        GOOD_BINDING,
        "  kind: Role\n  name: app-reader",
        "  kind: ClusterRole\n  name: cluster-admin",
        [9],
    ),
    (
        "k8s-rbac-public-subject",
        GOOD_BINDING,
        "    name: shop-developers",
        "    name: system:unauthenticated",
        [13],
    ),
    (
        "k8s-rbac-public-subject",
        GOOD_BINDING,
        "    kind: Group\n    name: shop-developers",
        "    kind: User\n    name: system:anonymous",
        [13],
    ),
    (
        "k8s-rbac-escalation-verbs",
        GOOD_ROLE,
        'verbs: ["get", "list"]',
        'verbs: ["get", "list", "bind"]',
        [8],
    ),
    (
        "k8s-rbac-pod-exec",
        GOOD_ROLE,
        '["configmaps", "pods"]',
        '["configmaps", "pods", "pods/exec"]',
        [7],
    ),
    ("k8s-rbac-nodes-proxy", GOOD_ROLE, '["configmaps", "pods"]', '["nodes/proxy"]', [7]),
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
    for text in GOOD:
        assert findings(check.id, text) == [], text.splitlines()[1]


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


@pytest.mark.parametrize(
    ("check_id", "base", "old", "new"),
    [
        # Helm expressions decide nothing: neither a finding nor a pass.
        (
            "k8s-host-port",
            GOOD_POD,
            "      image: registry.example/app:1.4.2\n",
            "      image: registry.example/app:1.4.2\n"
            '      ports:\n        - {containerPort: 80, hostPort: "{{ .Values.hostPort }}"}\n',
        ),
        (
            "k8s-unsafe-sysctl",
            GOOD_POD,
            "    runAsNonRoot: true\n",
            "    runAsNonRoot: true\n    sysctls:\n"
            '      - {name: "{{ .Values.sysctl }}", value: "1"}\n',
        ),
        (
            "k8s-apparmor-unconfined",
            GOOD_POD,
            "readOnlyRootFilesystem: true",
            'readOnlyRootFilesystem: true\n        appArmorProfile: {type: "{{ .Values.aa }}"}',
        ),
        (
            "k8s-load-balancer-open",
            GOOD_SERVICE,
            '["10.0.0.0/8", "192.0.2.0/24"]',
            '"{{ .Values.sourceRanges }}"',
        ),
        (
            "k8s-load-balancer-open",
            GOOD_SERVICE,
            "type: LoadBalancer",
            'type: "{{ .Values.type }}"',
        ),
        ("k8s-node-port-service", GOOD_SERVICE, "type: LoadBalancer", 'type: "{{ .Values.type }}"'),
        (
            "k8s-ingress-without-tls",
            GOOD_INGRESS,
            '["shop.example.com", "*.api.example.com"]',
            '"{{ .Values.tlsHosts }}"',
        ),
        (
            "k8s-ingress-without-tls",
            GOOD_INGRESS,
            '  tls:\n    - hosts: ["shop.example.com", "*.api.example.com"]\n'
            "      secretName: web-tls\n",
            '  tls: "{{ .Values.tls }}"\n',
        ),
        (
            "k8s-rbac-cluster-admin-binding",
            GOOD_BINDING,
            "  kind: Role\n  name: app-reader",
            '  kind: ClusterRole\n  name: "{{ .Values.role }}"',
        ),
        (
            "k8s-rbac-public-subject",
            GOOD_BINDING,
            "    name: shop-developers",
            '    name: "{{ .Values.group }}"',
        ),
        (
            "k8s-rbac-escalation-verbs",
            GOOD_ROLE,
            'verbs: ["get", "list"]',
            'verbs: ["get", "{{ .Values.verb }}"]',
        ),
    ],
)
def test_unknown_values_of_newer_checks_say_nothing(
    check_id: str, base: str, old: str, new: str
) -> None:
    assert findings(check_id, edit(base, old, new)) == []


@pytest.mark.parametrize(
    ("check_id", "base", "old", "new"),
    [
        # The default, or a value the baseline profile allows.
        (
            "k8s-host-port",
            GOOD_POD,
            "      image: registry.example/app:1.4.2\n",
            "      image: registry.example/app:1.4.2\n"
            "      ports:\n        - {containerPort: 80, hostPort: 0}\n",
        ),
        (
            "k8s-proc-mount-unmasked",
            GOOD_POD,
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n        procMount: Default",
        ),
        (
            "k8s-unsafe-sysctl",
            GOOD_POD,
            "    runAsNonRoot: true\n",
            "    runAsNonRoot: true\n    sysctls:\n"
            '      - {name: net/ipv4/ip_local_port_range, value: "1024 65000"}\n',
        ),
        (
            "k8s-apparmor-unconfined",
            GOOD_POD,
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n"
            "    container.apparmor.security.beta.kubernetes.io/app: localhost/deny-write\n",
        ),
        (
            "k8s-selinux-custom-options",
            GOOD_POD,
            "readOnlyRootFilesystem: true",
            'readOnlyRootFilesystem: true\n        seLinuxOptions: {type: container_t, user: ""}',
        ),
        (
            "k8s-windows-host-process",
            GOOD_POD,
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n        windowsOptions: {hostProcess: false}",
        ),
        # An internal load balancer, or source ranges given by the annotation.
        (
            "k8s-load-balancer-open",
            edit(GOOD_SERVICE, '  loadBalancerSourceRanges: ["10.0.0.0/8", "192.0.2.0/24"]\n', ""),
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n"
            '    networking.gke.io/load-balancer-type: "Internal"\n',
        ),
        (
            "k8s-load-balancer-open",
            edit(GOOD_SERVICE, '  loadBalancerSourceRanges: ["10.0.0.0/8", "192.0.2.0/24"]\n', ""),
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n"
            '    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8"\n',
        ),
        ("k8s-node-port-service", GOOD_SERVICE, "type: LoadBalancer", "type: ClusterIP"),
        # A tls entry without hosts covers every host; the cloud terminates TLS.
        (
            "k8s-ingress-without-tls",
            GOOD_INGRESS,
            '- hosts: ["shop.example.com", "*.api.example.com"]\n      secretName',
            "- secretName",
        ),
        (
            "k8s-ingress-without-tls",
            edit(
                GOOD_INGRESS,
                '  tls:\n    - hosts: ["shop.example.com", "*.api.example.com"]\n'
                "      secretName: web-tls\n",
                "",
            ),
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n"
            "    alb.ingress.kubernetes.io/certificate-arn: "
            "arn:aws:acm:eu-west-1:123456789012:certificate/abc\n",
        ),
        # A namespaced Role that happens to be called cluster-admin is not the ClusterRole.
        ("k8s-rbac-cluster-admin-binding", GOOD_BINDING, "name: app-reader", "name: cluster-admin"),
        # exec needs create (or get); list alone does not open a shell.
        (
            "k8s-rbac-pod-exec",
            GOOD_ROLE,
            'resources: ["configmaps", "pods"]\n    verbs: ["get", "list"]',
            'resources: ["pods/exec"]\n    verbs: ["list"]',
        ),
        # nodes/proxy of another API group is not the kubelet proxy.
        (
            "k8s-rbac-nodes-proxy",
            GOOD_ROLE,
            '  - apiGroups: [""]\n    resources: ["configmaps", "pods"]',
            '  - apiGroups: ["metrics.k8s.io"]\n    resources: ["nodes/proxy"]',
        ),
    ],
)
def test_allowed_values_of_newer_checks_pass(check_id: str, base: str, old: str, new: str) -> None:
    assert findings(check_id, edit(base, old, new)) == []


def test_pod_level_apparmor_is_overridden_per_container() -> None:
    text = edit(
        GOOD_POD,
        "    runAsNonRoot: true\n",
        "    runAsNonRoot: true\n    appArmorProfile: {type: Unconfined}\n",
    )
    assert findings("k8s-apparmor-unconfined", text) == [10]
    text = edit(
        text,
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: true\n        appArmorProfile: {type: RuntimeDefault}",
    )
    assert findings("k8s-apparmor-unconfined", text) == []
    unknown = edit(
        GOOD_POD,
        "  securityContext:\n    runAsNonRoot: true\n"
        "    seccompProfile:\n      type: RuntimeDefault\n",
        '  securityContext: "{{ toYaml .Values.podSecurityContext }}"\n',
    )
    assert findings("k8s-apparmor-unconfined", unknown) == []


def test_apparmor_annotation_of_a_workload_template() -> None:
    deployment = """\
apiVersion: apps/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/report: unconfined
        spec:
          containers: [{name: report, image: "registry.example/report:1.0"}]
"""
    assert findings("k8s-apparmor-unconfined", deployment) == [12]


def test_sysctl_names_with_slashes_are_normalised() -> None:
    from glasshouse.iac.checks.kubernetes import _sysctl_name

    assert _sysctl_name("net/ipv4/tcp_syncookies") == "net.ipv4.tcp_syncookies"
    assert _sysctl_name("net/ipv4/conf/eth0.100/rp_filter") == "net.ipv4.conf.eth0/100.rp_filter"
    assert _sysctl_name("net.ipv4.conf.eth0/100.rp_filter") == "net.ipv4.conf.eth0/100.rp_filter"
    assert _sysctl_name("kernel.shm_rmid_forced") == "kernel.shm_rmid_forced"


def test_wildcard_pod_subresources_and_node_subresources() -> None:
    text = edit(GOOD_ROLE, '["configmaps", "pods"]', '["pods/*", "nodes/*"]')
    assert findings("k8s-rbac-pod-exec", text) == [7]
    assert findings("k8s-rbac-nodes-proxy", text) == [7]
    # '*' resources are k8s-rbac-wildcard's finding, not theirs.
    text = edit(GOOD_ROLE, '["configmaps", "pods"]', '["*"]')
    assert findings("k8s-rbac-pod-exec", text) == []
    assert findings("k8s-rbac-nodes-proxy", text) == []


def test_load_balancer_annotation_allowing_everyone() -> None:
    text = edit(GOOD_SERVICE, '  loadBalancerSourceRanges: ["10.0.0.0/8", "192.0.2.0/24"]\n', "")
    text = edit(
        text,
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n"
        '    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8,0.0.0.0/0"\n',
    )
    assert findings("k8s-load-balancer-open", text) == [7]
    # An internal-scheme annotation set to the public value does not make it internal.
    text = edit(GOOD_SERVICE, '  loadBalancerSourceRanges: ["10.0.0.0/8", "192.0.2.0/24"]\n', "")
    text = edit(
        text,
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n"
        "    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing\n",
    )
    assert findings("k8s-load-balancer-open", text) == [9]


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
