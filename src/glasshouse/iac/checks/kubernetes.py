"""Kubernetes checks: Pod Security Standards (baseline and restricted) and RBAC.

Each check reads the pod spec the adapter found (``context["pod_spec"]``), or a role's
``rules``. A field the Kubernetes API defaults to the unsafe value is reported when
absent, on the container's (or pod spec's) line; a field that is present is reported on
its own line.

UNKNOWN (a Helm expression left in the manifest) never produces a finding and never
counts as safe: where the deciding value is UNKNOWN the check says nothing, and an
UNKNOWN container-level value is not replaced by the pod-level one. The per-check notes
say which value decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac.adapters.kubernetes import FORMAT, RBAC_ROLE_KINDS, WORKLOAD_KINDS
from glasshouse.iac.check import Check
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.model import Severity

BASELINE = "Pod Security Standards: baseline"
RESTRICTED = "Pod Security Standards: restricted"
CIS_RBAC = "CIS Kubernetes Benchmark 5.1 (RBAC and service accounts)"
CONTAINER_GROUPS = ("initContainers", "containers", "ephemeralContainers")
# Capabilities the baseline profile allows a container to add.
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SECRET_READ_VERBS = frozenset({"get", "list", "watch", "*"})

Evaluate = Callable[[Resource], Iterable[Violation]]


# --- reading the model ----------------------------------------------------------------


def _pod_spec(resource: Resource) -> Node | None:
    spec = resource.context.get("pod_spec")
    return spec if isinstance(spec, Node) else None


def _containers(resource: Resource, groups: tuple[str, ...] = CONTAINER_GROUPS) -> Iterator[Node]:
    spec = _pod_spec(resource)
    if spec is None:
        return
    for group in groups:
        node = spec.get(group)
        if node is not None:
            yield from (c for c in node.elements() if isinstance(c.value, dict))


def _label(container: Node) -> str:
    name = container.get("name")
    return f"container {(name.text() if name is not None else None) or '?'}"


def _is(node: Node | None, value: bool) -> bool:
    """The node is the boolean ``value`` (UNKNOWN and other values are not)."""
    return node is not None and node.value is value


def _unknown(node: Node | None) -> bool:
    return node is not None and node.value is UNKNOWN


def _effective(container: Node, spec: Node | None, *path: str) -> Node | None:
    """The container's ``securityContext`` field, else the pod's (Kubernetes precedence)."""
    own = container.get("securityContext", *path)
    if own is not None or spec is None:
        return own
    if _unknown(container.get("securityContext")) or _unknown(spec.get("securityContext")):
        return Node(UNKNOWN, container.line)
    return spec.get("securityContext", *path)


def _where(node: Node | None, fallback: Node) -> int | None:
    return node.line if node is not None and node.line is not None else fallback.line


def _strings(node: Node | None) -> tuple[list[str], bool]:
    """The known strings of a sequence, and whether any element (or it) is UNKNOWN."""
    if node is None:
        return [], False
    if node.value is UNKNOWN:
        return [], True
    texts = [e.text() for e in node.elements()]
    unknown = any(e.value is UNKNOWN for e in node.elements())
    return [t for t in texts if t is not None], unknown


# --- container checks -----------------------------------------------------------------


def _privileged(resource: Resource) -> Iterator[Violation]:
    # Finding only on a literal `true`; UNKNOWN and absent (default false) say nothing.
    for c in _containers(resource):
        node = c.get("securityContext", "privileged")
        if _is(node, True):
            yield Violation(_where(node, c), f"{_label(c)} runs privileged")


def _privilege_escalation(resource: Resource) -> Iterator[Violation]:
    # Absent defaults to allowed; only a literal `false` passes; UNKNOWN says nothing.
    for c in _containers(resource):
        node = c.get("securityContext", "allowPrivilegeEscalation")
        if _unknown(node) or _unknown(c.get("securityContext")) or _is(node, False):
            continue
        yield Violation(_where(node, c), f"{_label(c)} allows privilege escalation")


def _run_as_non_root(resource: Resource) -> Iterator[Violation]:
    # Container-level runAsNonRoot, else pod-level; only `true` passes; UNKNOWN says nothing.
    spec = _pod_spec(resource)
    for c in _containers(resource):
        node = _effective(c, spec, "runAsNonRoot")
        if _unknown(node) or _is(node, True):
            continue
        yield Violation(_where(node, c), f"{_label(c)} may run as root (runAsNonRoot not true)")


def _run_as_user_root(resource: Resource) -> Iterator[Violation]:
    # Container-level runAsUser, else pod-level; finding only on a literal 0.
    spec = _pod_spec(resource)
    for c in _containers(resource):
        node = _effective(c, spec, "runAsUser")
        if node is not None and node.value == 0 and not isinstance(node.value, bool):
            yield Violation(_where(node, c), f"{_label(c)} runs as user 0 (root)")


def _added_capabilities(resource: Resource) -> Iterator[Violation]:
    # Each known added capability outside the baseline list is a finding; UNKNOWN
    # elements say nothing (the others are still judged).
    for c in _containers(resource):
        add = c.get("securityContext", "capabilities", "add")
        for element in add.elements() if add is not None else ():
            name = element.text()
            if name is None:
                continue
            bare = name.upper().removeprefix("CAP_")
            if bare not in BASELINE_CAPABILITIES:
                yield Violation(_where(element, c), f"{_label(c)} adds capability {name}")


def _drop_all(resource: Resource) -> Iterator[Violation]:
    # `drop` must list ALL. If it does not and any part of it is UNKNOWN, say nothing.
    for c in _containers(resource):
        drop = c.get("securityContext", "capabilities", "drop")
        names, unknown = _strings(drop)
        if any(n.upper() == "ALL" for n in names):
            continue
        if unknown or _unknown(c.get("securityContext")):
            continue
        if _unknown(c.get("securityContext", "capabilities")):
            continue
        yield Violation(_where(drop, c), f"{_label(c)} does not drop ALL capabilities")


def _read_only_root(resource: Resource) -> Iterator[Violation]:
    # Only a literal `true` passes; absent defaults to a writable root filesystem.
    for c in _containers(resource):
        node = c.get("securityContext", "readOnlyRootFilesystem")
        if _unknown(node) or _unknown(c.get("securityContext")) or _is(node, True):
            continue
        yield Violation(_where(node, c), f"{_label(c)} has a writable root filesystem")


def _image_tag(resource: Resource) -> Iterator[Violation]:
    # A digest passes; no tag or `latest` is a finding; an UNKNOWN image says nothing.
    for c in _containers(resource):
        node = c.get("image")
        image = node.text() if node is not None else None
        if node is None or image is None:
            continue
        if "@" in image:
            continue
        last = image.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else None
        if tag is None or tag == "latest":
            yield Violation(_where(node, c), f"{_label(c)} image {image} is not pinned")


def _resource_limits(resource: Resource) -> Iterator[Violation]:
    # Needs limits.cpu and limits.memory. UNKNOWN resources/limits say nothing.
    # Ephemeral containers cannot have resources, so they are not judged.
    for c in _containers(resource, ("initContainers", "containers")):
        limits = c.get("resources", "limits")
        if _unknown(c.get("resources")) or _unknown(limits):
            continue
        missing = [k for k in ("cpu", "memory") if limits is None or limits.get(k) is None]
        if missing:
            where = _where(limits if limits is not None else c.get("resources"), c)
            yield Violation(where, f"{_label(c)} has no {' or '.join(missing)} limit")


def _seccomp(resource: Resource) -> Iterator[Violation]:
    # Container seccompProfile.type, else the pod's: RuntimeDefault or Localhost pass;
    # Unconfined or absent is a finding; UNKNOWN says nothing.
    spec = _pod_spec(resource)
    for c in _containers(resource):
        profile = _effective(c, spec, "seccompProfile")
        kind = profile.get("type") if profile is not None else None
        if _unknown(profile) or _unknown(kind):
            continue
        if kind is not None and kind.text() in {"RuntimeDefault", "Localhost"}:
            continue
        shown = kind.text() if kind is not None else "not set"
        yield Violation(_where(kind, c), f"{_label(c)} seccomp profile is {shown}")


# --- pod checks -----------------------------------------------------------------------


def _pod_flag(field: str, what: str) -> Evaluate:
    # Finding only on a literal `true` (the default is false); UNKNOWN says nothing.
    def evaluate(resource: Resource) -> Iterator[Violation]:
        spec = _pod_spec(resource)
        node = spec.get(field) if spec is not None else None
        if _is(node, True):
            yield Violation(_where(node, spec) if spec else None, f"pod {what}")

    return evaluate


def _host_path(resource: Resource) -> Iterator[Violation]:
    # Any volume with a hostPath key (even an UNKNOWN one) mounts the node's filesystem.
    spec = _pod_spec(resource)
    volumes = spec.get("volumes") if spec is not None else None
    for volume in volumes.elements() if volumes is not None else ():
        node = volume.get("hostPath")
        if node is not None:
            path = node.get("path")  # the line of the offending path, else of the volume
            shown = (path.text() if path is not None else None) or "?"
            yield Violation(_where(path, volume), f"hostPath volume mounts {shown} of the node")


def _automount(resource: Resource) -> Iterator[Violation]:
    # Only a literal `false` on the pod spec passes: the pod's ServiceAccount (possibly in
    # another file) may also disable it, but the pod-level field is what this file shows.
    spec = _pod_spec(resource)
    if spec is None:
        return
    node = spec.get("automountServiceAccountToken")
    if _unknown(node) or _is(node, False):
        return
    yield Violation(_where(node, spec), "service-account token is mounted into the pod")


# --- RBAC -----------------------------------------------------------------------------


def _rules(resource: Resource) -> Iterator[Node]:
    rules = resource.body.get("rules")
    if rules is not None:
        yield from (r for r in rules.elements() if isinstance(r.value, dict))


def _rbac_wildcard(resource: Resource) -> Iterator[Violation]:
    # A known "*" in verbs or resources; UNKNOWN elements say nothing.
    for rule in _rules(resource):
        for key in ("verbs", "resources"):
            node = rule.get(key)
            for element in node.elements() if node is not None else ():
                if element.text() == "*":
                    yield Violation(_where(element, rule), f"rule grants {key} '*'")


def _rbac_secrets(resource: Resource) -> Iterator[Violation]:
    # Rules naming "secrets" in the core API group with a read verb; `get` limited to
    # resourceNames passes. Wildcard resources are left to k8s-rbac-wildcard; UNKNOWN
    # verbs or groups are simply not matched (never a finding on their account).
    for rule in _rules(resource):
        resources = rule.get("resources")
        secrets = [e for e in (resources.elements() if resources else ()) if e.text() == "secrets"]
        verbs, _ = _strings(rule.get("verbs"))
        groups, _ = _strings(rule.get("apiGroups"))
        if not secrets:
            continue
        core = rule.get("apiGroups") is None or "" in groups or "*" in groups
        read = set(SECRET_READ_VERBS.intersection(verbs))
        named = bool(_strings(rule.get("resourceNames"))[0])
        if named:
            read.discard("get")
        if core and read:
            verbs_shown = ", ".join(sorted(read))
            yield Violation(_where(secrets[0], rule), f"rule grants {verbs_shown} on secrets")


def _check(
    id: str,
    title: str,
    severity: Severity,
    evaluate: Evaluate,
    fix: str,
    references: tuple[str, ...],
    kinds: frozenset[str] = WORKLOAD_KINDS,
) -> Check:
    return Check(
        id=id,
        title=title,
        severity=severity,
        format=FORMAT,
        kinds=kinds,
        fix=fix,
        evaluate=evaluate,
        references=references,
    )


SC = "containers[].securityContext"
CHECKS: tuple[Check, ...] = (
    _check(
        "k8s-privileged-container",
        "Container runs privileged",
        Severity.CRITICAL,
        _privileged,
        f"Set {SC}.privileged: false (or remove it).",
        (BASELINE,),
    ),
    _check(
        "k8s-allow-privilege-escalation",
        "Container allows privilege escalation",
        Severity.HIGH,
        _privilege_escalation,
        f"Set {SC}.allowPrivilegeEscalation: false.",
        (RESTRICTED,),
    ),
    _check(
        "k8s-run-as-non-root",
        "Container may run as root",
        Severity.MEDIUM,
        _run_as_non_root,
        f"Set spec.securityContext.runAsNonRoot: true (or {SC}.runAsNonRoot: true).",
        (RESTRICTED,),
    ),
    _check(
        "k8s-run-as-user-root",
        "Container runs as user 0",
        Severity.MEDIUM,
        _run_as_user_root,
        f"Set {SC}.runAsUser (and spec.securityContext.runAsUser) to a non-zero UID.",
        (RESTRICTED,),
    ),
    _check(
        "k8s-added-capabilities",
        "Container adds capabilities beyond the baseline set",
        Severity.HIGH,
        _added_capabilities,
        f"Remove the capability from {SC}.capabilities.add (NET_BIND_SERVICE at most).",
        (BASELINE,),
    ),
    _check(
        "k8s-capabilities-not-dropped",
        "Container does not drop all capabilities",
        Severity.MEDIUM,
        _drop_all,
        f'Set {SC}.capabilities.drop: ["ALL"].',
        (RESTRICTED,),
    ),
    _check(
        "k8s-writable-root-filesystem",
        "Container root filesystem is writable",
        Severity.LOW,
        _read_only_root,
        f"Set {SC}.readOnlyRootFilesystem: true (mount emptyDir volumes where it writes).",
        ("CIS Kubernetes Benchmark 5.7 (general policies)",),
    ),
    _check(
        "k8s-image-not-pinned",
        "Container image has no tag or uses latest",
        Severity.MEDIUM,
        _image_tag,
        "Set containers[].image to a fixed version tag or, better, an @sha256: digest.",
        ("Kubernetes configuration best practices: container images",),
    ),
    _check(
        "k8s-no-resource-limits",
        "Container has no CPU or memory limit",
        Severity.LOW,
        _resource_limits,
        "Set containers[].resources.limits.cpu and containers[].resources.limits.memory.",
        ("Kubernetes: resource management for pods and containers",),
    ),
    _check(
        "k8s-seccomp-not-restricted",
        "Container seccomp profile is not RuntimeDefault or Localhost",
        Severity.MEDIUM,
        _seccomp,
        "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
        (BASELINE, RESTRICTED),
    ),
    _check(
        "k8s-host-network",
        "Pod uses the node's network namespace",
        Severity.HIGH,
        _pod_flag("hostNetwork", "shares the node's network namespace (hostNetwork)"),
        "Set spec.hostNetwork: false (or remove it).",
        (BASELINE,),
    ),
    _check(
        "k8s-host-pid",
        "Pod uses the node's process namespace",
        Severity.HIGH,
        _pod_flag("hostPID", "shares the node's process namespace (hostPID)"),
        "Set spec.hostPID: false (or remove it).",
        (BASELINE,),
    ),
    _check(
        "k8s-host-ipc",
        "Pod uses the node's IPC namespace",
        Severity.HIGH,
        _pod_flag("hostIPC", "shares the node's IPC namespace (hostIPC)"),
        "Set spec.hostIPC: false (or remove it).",
        (BASELINE,),
    ),
    _check(
        "k8s-host-path-volume",
        "Pod mounts a hostPath volume",
        Severity.HIGH,
        _host_path,
        "Replace spec.volumes[].hostPath with an emptyDir, configMap or PersistentVolumeClaim.",
        (BASELINE,),
    ),
    _check(
        "k8s-service-account-token-automount",
        "Pod mounts a service-account token",
        Severity.LOW,
        _automount,
        "Set spec.automountServiceAccountToken: false unless the pod calls the API.",
        (CIS_RBAC,),
    ),
    _check(
        "k8s-rbac-wildcard",
        "Role grants wildcard verbs or resources",
        Severity.HIGH,
        _rbac_wildcard,
        "List the exact rules[].verbs and rules[].resources instead of '*'.",
        (CIS_RBAC,),
        RBAC_ROLE_KINDS,
    ),
    _check(
        "k8s-rbac-secrets-access",
        "Role grants read access to secrets",
        Severity.MEDIUM,
        _rbac_secrets,
        "Remove secrets from rules[].resources, or grant only get with rules[].resourceNames.",
        (CIS_RBAC,),
        RBAC_ROLE_KINDS,
    ),
)
