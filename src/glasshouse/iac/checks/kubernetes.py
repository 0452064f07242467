"""Kubernetes checks: Pod Security Standards (baseline and restricted), RBAC, and
how Services and Ingresses expose workloads.

Each check reads the pod spec the adapter found (``context["pod_spec"]``), a role's
``rules``, a binding's ``roleRef`` and ``subjects``, or a Service's or Ingress's
``spec``. A field the Kubernetes API defaults to the unsafe value is reported when
absent, on the container's (or pod spec's, or object's) line; a field that is present is
reported on its own line.

UNKNOWN (a Helm expression left in the manifest) never produces a finding and never
counts as safe: where the deciding value is UNKNOWN the check says nothing, and an
UNKNOWN container-level value is not replaced by the pod-level one. The per-check notes
say which value decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac.adapters.kubernetes import FORMAT, RBAC_ROLE_KINDS, WORKLOAD_KINDS
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.model import Severity

BASELINE = "Pod Security Standards: baseline"
RESTRICTED = "Pod Security Standards: restricted"
RBAC_PRACTICES = "Kubernetes: RBAC good practices"
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
# Sysctls the baseline profile allows: namespaced, and isolated from other pods.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",  # Kubernetes 1.27
        "net.ipv4.tcp_keepalive_time",  # 1.29
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",  # 1.32
        "net.ipv4.tcp_wmem",
    }
)
APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
# SELinux types the baseline profile allows (container_engine_t since Kubernetes 1.31).
SELINUX_TYPES = frozenset(
    {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
# Cloud annotations that make a LoadBalancer Service internal, with the values that do.
INTERNAL_LOAD_BALANCER: dict[str, frozenset[str]] = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": frozenset({"true", "0.0.0.0/0"}),
    "service.beta.kubernetes.io/aws-load-balancer-scheme": frozenset({"internal"}),
    "service.beta.kubernetes.io/azure-load-balancer-internal": frozenset({"true"}),
    "networking.gke.io/load-balancer-type": frozenset({"internal"}),
    "cloud.google.com/load-balancer-type": frozenset({"internal"}),
    "service.beta.kubernetes.io/oci-load-balancer-internal": frozenset({"true"}),
    "service.beta.kubernetes.io/openstack-internal-load-balancer": frozenset({"true"}),
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": frozenset({"private"}),
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": frozenset({"intranet"}),
}
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
OPEN_RANGES = frozenset({"0.0.0.0/0", "::/0"})
# Ingress annotations with which the cloud load balancer terminates TLS itself.
CLOUD_TLS_ANNOTATIONS = (
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
)
RBAC_BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})
# (subject kind, name) that every caller, or every signed-in caller, matches.
PUBLIC_SUBJECTS: dict[tuple[str, str], str] = {
    ("User", "system:anonymous"): "anonymous requests",
    ("Group", "system:unauthenticated"): "every unauthenticated request",
    ("Group", "system:authenticated"): "every authenticated user",
}
ESCALATION_VERBS: dict[str, str] = {
    "escalate": "create or edit roles with permissions it does not hold",
    "bind": "bind roles with permissions it does not hold",
    "impersonate": "act as other users, groups or service accounts",
}
EXEC_SUBRESOURCES = frozenset({"pods/exec", "pods/attach", "pods/*"})
EXEC_VERBS = frozenset({"create", "get", "*"})
NODE_PROXY = frozenset({"nodes/proxy", "nodes/*"})

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


# --- more pod security (baseline) -----------------------------------------------------


def _port_number(node: Node) -> int | None:
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _host_port(resource: Resource) -> Iterator[Violation]:
    # A known non-zero hostPort; 0 (the default) and UNKNOWN say nothing.
    for c in _containers(resource):
        ports = c.get("ports")
        for port in ports.elements() if ports is not None else ():
            node = port.get("hostPort")
            number = _port_number(node) if node is not None else None
            if node is not None and number:
                yield Violation(_where(node, port), f"{_label(c)} binds port {number} of the node")


def _proc_mount(resource: Resource) -> Iterator[Violation]:
    # Only "Default" (or absent) passes; UNKNOWN says nothing.
    for c in _containers(resource):
        node = c.get("securityContext", "procMount")
        text = node.text() if node is not None else None
        if node is not None and text is not None and text != "Default":
            yield Violation(_where(node, c), f"{_label(c)} sets procMount: {text}")


def _sysctl_name(name: str) -> str:
    """The dotted form: Kubernetes also accepts ``/`` as the separator, and then a dot
    inside a segment (an interface name such as ``eth0.100``) is written as ``/``."""
    first = min((i for i in (name.find("."), name.find("/")) if i >= 0), default=-1)
    if first >= 0 and name[first] == "/":
        return name.translate(str.maketrans("./", "/."))
    return name


def _sysctls(resource: Resource) -> Iterator[Violation]:
    # Each known name outside the safe set is a finding; UNKNOWN names say nothing.
    spec = _pod_spec(resource)
    sysctls = spec.get("securityContext", "sysctls") if spec is not None else None
    for entry in sysctls.elements() if sysctls is not None else ():
        name = entry.get("name")
        text = name.text() if name is not None else None
        if text is not None and _sysctl_name(text) not in SAFE_SYSCTLS:
            yield Violation(_where(name, entry), f"pod sets sysctl {text}, outside the safe set")


def _pod_annotations(resource: Resource) -> Node | None:
    """The annotations of the pod (or of the pod template) of a workload."""
    path = resource.context.get("pod_spec_path")
    if not isinstance(path, tuple):
        return None
    return resource.body.get(*path[:-1], "metadata", "annotations")


def _apparmor(resource: Resource) -> Iterator[Violation]:
    # appArmorProfile.type (container, else pod) other than RuntimeDefault or Localhost,
    # and the older per-container annotation other than runtime/default or localhost/*.
    # Absent means the runtime default; UNKNOWN says nothing.
    spec = _pod_spec(resource)
    for c in _containers(resource):
        profile = _effective(c, spec, "appArmorProfile")
        kind = profile.get("type") if profile is not None else None
        text = kind.text() if kind is not None else None
        if text is not None and text not in APPARMOR_TYPES:
            yield Violation(_where(kind, c), f"{_label(c)} AppArmor profile is {text}")
    annotations = _pod_annotations(resource)
    for key, value in annotations.items() if annotations is not None else ():
        if not key.startswith(APPARMOR_ANNOTATION):
            continue
        text = value.text()
        if text is not None and text != "runtime/default" and not text.startswith("localhost/"):
            container = key.removeprefix(APPARMOR_ANNOTATION)
            yield Violation(value.line, f"container {container} AppArmor profile is {text}")


def _selinux_options(options: Node | None, who: str, fallback: Node) -> Iterator[Violation]:
    for key, node in options.items() if options is not None else ():
        text = node.text()
        if key not in ("type", "user", "role") or not text:
            continue  # level is free; empty and UNKNOWN values say nothing
        if key == "type" and text in SELINUX_TYPES:
            continue
        yield Violation(_where(node, fallback), f"{who} sets seLinuxOptions.{key}: {text}")


def _selinux(resource: Resource) -> Iterator[Violation]:
    # Pod-level and container-level seLinuxOptions are each judged: user and role must be
    # unset, type unset or one of the container types.
    spec = _pod_spec(resource)
    if spec is None:
        return
    yield from _selinux_options(spec.get("securityContext", "seLinuxOptions"), "pod", spec)
    for c in _containers(resource):
        options = c.get("securityContext", "seLinuxOptions")
        yield from _selinux_options(options, _label(c), c)


def _host_process(resource: Resource) -> Iterator[Violation]:
    # A literal `true` at pod or container level; UNKNOWN and absent say nothing.
    spec = _pod_spec(resource)
    if spec is None:
        return
    node = spec.get("securityContext", "windowsOptions", "hostProcess")
    if _is(node, True):
        yield Violation(_where(node, spec), "pod runs as a Windows HostProcess")
    for c in _containers(resource):
        node = c.get("securityContext", "windowsOptions", "hostProcess")
        if _is(node, True):
            yield Violation(_where(node, c), f"{_label(c)} runs as a Windows HostProcess")


# --- exposure: services and ingresses -------------------------------------------------


def _service_type(resource: Resource, wanted: str) -> Node | None:
    node = resource.body.get("spec", "type")
    return node if node is not None and node.text() == wanted else None


def _internal(annotations: Node | None) -> bool | None:
    """True when an annotation makes the load balancer internal, None when one that could
    is UNKNOWN, else False."""
    for key, internal in INTERNAL_LOAD_BALANCER.items():
        node = annotations.get(key) if annotations is not None else None
        if node is None:
            continue
        if node.value is UNKNOWN:
            return None
        if (node.text() or "").lower() in internal:
            return True
    return False


def _load_balancer_open(resource: Resource) -> Iterator[Violation]:
    # A known LoadBalancer type, not made internal by a cloud annotation, with
    # no source ranges (field or annotation), an empty list, or one that allows any
    # address. UNKNOWN ranges or annotations say nothing.
    kind = _service_type(resource, "LoadBalancer")
    if kind is None:
        return
    annotations = resource.body.get("metadata", "annotations")
    if _internal(annotations) is not False:
        return
    ranges = resource.body.get("spec", "loadBalancerSourceRanges")
    if ranges is None:
        note = annotations.get(SOURCE_RANGES_ANNOTATION) if annotations is not None else None
        if note is None:
            yield Violation(kind.line, "no loadBalancerSourceRanges: open to any address")
            return
        if note.value is UNKNOWN:
            return
        cidrs = [part.strip() for part in (note.text() or "").split(",") if part.strip()]
        if not cidrs or OPEN_RANGES.intersection(cidrs):
            yield Violation(note.line, f"{SOURCE_RANGES_ANNOTATION} allows any address")
        return
    if ranges.value is UNKNOWN:
        return
    elements = list(ranges.elements())
    if not elements:
        yield Violation(_where(ranges, resource.body), "empty loadBalancerSourceRanges")
    for element in elements:
        if element.text() in OPEN_RANGES:
            yield Violation(element.line, f"loadBalancerSourceRanges allows {element.text()}")


def _node_port(resource: Resource) -> Iterator[Violation]:
    # Only a known `type: NodePort`; LoadBalancer services are judged by their own check.
    kind = _service_type(resource, "NodePort")
    if kind is not None:
        yield Violation(kind.line, "type NodePort opens the port on every node")


def _tls_covers(host: str, names: list[str]) -> bool:
    for name in names:
        if name == host:
            return True
        if name.startswith("*.") and host.partition(".")[2] == name[2:]:
            return True
    return False


def _ingress_tls(resource: Resource) -> Iterator[Violation]:
    # No spec.tls (or an empty one) is a finding on the Ingress; with tls, each rule host
    # no tls[].hosts entry covers is a finding on that host. A tls entry without hosts
    # covers every host; anything UNKNOWN, or a cloud annotation that terminates TLS at
    # the load balancer, says nothing.
    spec = resource.body.get("spec")
    if spec is None or not isinstance(spec.value, dict):
        return
    annotations = resource.body.get("metadata", "annotations")
    if annotations is not None and any(
        annotations.get(key) is not None for key in CLOUD_TLS_ANNOTATIONS
    ):
        return
    tls = spec.get("tls")
    if tls is not None and tls.value is UNKNOWN:
        return
    entries = list(tls.elements()) if tls is not None else []
    if not entries:
        yield Violation(_where(tls, resource.body), "no spec.tls: served over plain HTTP")
        return
    names: list[str] = []
    for entry in entries:
        hosts = entry.get("hosts")
        known, unknown = _strings(hosts)
        if not isinstance(entry.value, dict) or hosts is None or unknown or not known:
            return
        names.extend(known)
    rules = spec.get("rules")
    for rule in rules.elements() if rules is not None else ():
        host = rule.get("host")
        text = host.text() if host is not None else None
        if host is not None and text and not _tls_covers(text, names):
            yield Violation(host.line, f"host {text} is not listed in spec.tls[].hosts")


# --- RBAC: bindings -------------------------------------------------------------------


def _cluster_admin_binding(resource: Resource) -> Iterator[Violation]:
    # roleRef naming the ClusterRole cluster-admin; UNKNOWN kind or name says nothing.
    ref = resource.body.get("roleRef")
    name = ref.get("name") if ref is not None else None
    kind = ref.get("kind") if ref is not None else None
    if name is None or kind is None or name.text() != "cluster-admin":
        return
    if kind.text() == "ClusterRole":
        yield Violation(_where(name, resource.body), "binds the cluster-admin ClusterRole")


def _public_subjects(resource: Resource) -> Iterator[Violation]:
    # Subjects every caller (or every signed-in caller) belongs to; UNKNOWN says nothing.
    subjects = resource.body.get("subjects")
    for subject in subjects.elements() if subjects is not None else ():
        kind, name = subject.get("kind"), subject.get("name")
        if kind is None or name is None:
            continue
        who = PUBLIC_SUBJECTS.get((kind.text() or "", name.text() or ""))
        if who is not None:
            yield Violation(_where(name, subject), f"grants the role to {who} ({name.text()})")


# --- RBAC: roles ----------------------------------------------------------------------


def _core_group(rule: Node) -> bool:
    groups, _ = _strings(rule.get("apiGroups"))
    return rule.get("apiGroups") is None or "" in groups or "*" in groups


def _escalation_verbs(resource: Resource) -> Iterator[Violation]:
    # The literal verbs escalate, bind and impersonate ('*' is k8s-rbac-wildcard's).
    for rule in _rules(resource):
        verbs = rule.get("verbs")
        for element in verbs.elements() if verbs is not None else ():
            verb = element.text()
            if verb in ESCALATION_VERBS:
                yield Violation(
                    _where(element, rule), f"rule grants {verb}: {ESCALATION_VERBS[verb]}"
                )


def _subresource_access(
    resource: Resource, subresources: frozenset[str], verbs_granting: frozenset[str] | None
) -> Iterator[tuple[Node, str, list[str]]]:
    """(resource element, its name, the verbs granting it) for rules of the core group
    naming one of ``subresources``; ``verbs_granting`` None means any verb."""
    for rule in _rules(resource):
        if not _core_group(rule):
            continue
        verbs, _ = _strings(rule.get("verbs"))
        granted = sorted(
            set(verbs) if verbs_granting is None else verbs_granting.intersection(verbs)
        )
        if not granted:
            continue
        resources = rule.get("resources")
        for element in resources.elements() if resources is not None else ():
            name = element.text()
            if name in subresources:
                yield element, name, granted


def _pod_exec(resource: Resource) -> Iterator[Violation]:
    # create on pods/exec, pods/attach or pods/* (and get, which older API servers accept
    # for exec over WebSocket); '*' resources are k8s-rbac-wildcard's.
    for element, name, verbs in _subresource_access(resource, EXEC_SUBRESOURCES, EXEC_VERBS):
        yield Violation(element.line, f"rule grants {', '.join(verbs)} on {name}")


def _nodes_proxy(resource: Resource) -> Iterator[Violation]:
    # Any known verb on nodes/proxy or nodes/*: the kubelet API behind it runs commands
    # in every pod of the node, outside the API server's audit log.
    for element, name, verbs in _subresource_access(resource, NODE_PROXY, None):
        yield Violation(element.line, f"rule grants {', '.join(verbs)} on {name}")


# --- the catalogue --------------------------------------------------------------------


def _check(
    id: str,
    title: str,
    severity: Severity,
    evaluate: Evaluate,
    fix: str,
    references: tuple[str, ...],
    kinds: frozenset[str] = WORKLOAD_KINDS,
    *,
    cwe: str,
    iso27001: tuple[str, ...],
    cis: tuple[str, ...] = (),
    failing: tuple[Example, ...],
    passing: tuple[Example, ...],
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
        cwe=cwe,
        iso27001=iso27001,
        cis=cis,
        failing=failing,
        passing=passing,
    )


def _cis(*sections: str) -> tuple[str, ...]:
    return tuple(f"CIS Kubernetes Benchmark v1.9.0 {section}" for section in sections)


def _manifest(path: str, text: str) -> Example:
    return Example(f"k8s/{path}", text)


# A Deployment hardened to the restricted profile: it passes every workload check.
HARDENED_DEPLOYMENT = _manifest(
    "checkout.yaml",
    """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: checkout
          image: registry.example.com/shop/checkout:2.8.1
          ports:
            - containerPort: 8080
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
""",
)

# The pod most manifests start as: every field the API defaults to an unsafe value is
# left out.
PLAIN_POD = _manifest(
    "web.yaml",
    """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27.0
      ports:
        - containerPort: 80
""",
)

# A node debugging pod: it shares every namespace of the node it runs on.
NODE_DEBUG_POD = _manifest(
    "node-debugger.yaml",
    """\
apiVersion: v1
kind: Pod
metadata:
  name: node-debugger
  namespace: kube-system
spec:
  nodeName: worker-3
  hostNetwork: true
  hostPID: true
  hostIPC: true
  containers:
    - name: debugger
      image: registry.example.com/tools/netshoot:0.13
      command: ["sleep", "infinity"]
""",
)

# A namespaced role that reads what an application needs, and one named secret.
READER_ROLE = _manifest(
    "rbac.yaml",
    """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-reader
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log", "configmaps", "services"]
    verbs: ["get", "list", "watch"]
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["checkout-tls"]
    verbs: ["get"]
""",
)

# A team bound to a namespaced role.
TEAM_BINDING = _manifest(
    "rbac.yaml",
    """\
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
""",
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
        cwe="CWE-250",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.2.2"),
        failing=(
            _manifest(
                "node-agent.yaml",
                """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      containers:
        - name: agent
          image: registry.example.com/monitoring/node-agent:3.2.0
          securityContext:
            privileged: true
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-allow-privilege-escalation",
        "Container allows privilege escalation",
        Severity.HIGH,
        _privilege_escalation,
        f"Set {SC}.allowPrivilegeEscalation: false.",
        (RESTRICTED,),
        cwe="CWE-269",
        iso27001=("A.8.2",),
        cis=_cis("5.2.6"),
        failing=(
            PLAIN_POD,
            _manifest(
                "builder.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: builder
spec:
  containers:
    - name: builder
      image: registry.example.com/ci/builder:5.1.0
      securityContext:
        allowPrivilegeEscalation: true
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-run-as-non-root",
        "Container may run as root",
        Severity.MEDIUM,
        _run_as_non_root,
        f"Set spec.securityContext.runAsNonRoot: true (or {SC}.runAsNonRoot: true).",
        (RESTRICTED,),
        cwe="CWE-250",
        iso27001=("A.8.2",),
        cis=_cis("5.2.7"),
        failing=(PLAIN_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-run-as-user-root",
        "Container runs as user 0",
        Severity.MEDIUM,
        _run_as_user_root,
        f"Set {SC}.runAsUser (and spec.securityContext.runAsUser) to a non-zero UID.",
        (RESTRICTED,),
        cwe="CWE-250",
        iso27001=("A.8.2",),
        cis=_cis("5.2.7"),
        failing=(
            _manifest(
                "legacy-app.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: legacy-app
spec:
  securityContext:
    runAsUser: 0
  containers:
    - name: app
      image: registry.example.com/legacy-app:1.0.3
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-added-capabilities",
        "Container adds capabilities beyond the baseline set",
        Severity.HIGH,
        _added_capabilities,
        f"Remove the capability from {SC}.capabilities.add (NET_BIND_SERVICE at most).",
        (BASELINE,),
        cwe="CWE-250",
        iso27001=("A.8.2",),
        cis=_cis("5.2.9"),
        failing=(
            _manifest(
                "vpn.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: vpn
spec:
  containers:
    - name: vpn
      image: registry.example.com/net/vpn:2.4.1
      securityContext:
        capabilities:
          add: ["NET_ADMIN", "SYS_MODULE"]
""",
            ),
        ),
        passing=(
            _manifest(
                "edge-proxy.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: edge-proxy
spec:
  containers:
    - name: proxy
      image: registry.example.com/net/edge-proxy:1.9.0
      securityContext:
        capabilities:
          drop: ["ALL"]
          add: ["NET_BIND_SERVICE"]
""",
            ),
        ),
    ),
    _check(
        "k8s-capabilities-not-dropped",
        "Container does not drop all capabilities",
        Severity.MEDIUM,
        _drop_all,
        f'Set {SC}.capabilities.drop: ["ALL"].',
        (RESTRICTED,),
        cwe="CWE-250",
        iso27001=("A.8.2",),
        cis=_cis("5.2.8", "5.2.10"),
        failing=(PLAIN_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-writable-root-filesystem",
        "Container root filesystem is writable",
        Severity.LOW,
        _read_only_root,
        f"Set {SC}.readOnlyRootFilesystem: true (mount emptyDir volumes where it writes).",
        ("CIS Kubernetes Benchmark 5.7 (general policies)",),
        cwe="CWE-732",
        iso27001=("A.8.9",),
        failing=(PLAIN_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-image-not-pinned",
        "Container image has no tag or uses latest",
        Severity.MEDIUM,
        _image_tag,
        "Set containers[].image to a fixed version tag or, better, an @sha256: digest.",
        ("Kubernetes configuration best practices: container images",),
        cwe="CWE-829",
        iso27001=("A.8.19", "A.8.32"),
        failing=(
            _manifest(
                "cache.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: cache
spec:
  containers:
    - name: redis
      image: redis:latest
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-no-resource-limits",
        "Container has no CPU or memory limit",
        Severity.LOW,
        _resource_limits,
        "Set containers[].resources.limits.cpu and containers[].resources.limits.memory.",
        ("Kubernetes: resource management for pods and containers",),
        cwe="CWE-770",
        iso27001=("A.8.6",),
        failing=(PLAIN_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-seccomp-not-restricted",
        "Container seccomp profile is not RuntimeDefault or Localhost",
        Severity.MEDIUM,
        _seccomp,
        "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
        (BASELINE, RESTRICTED),
        cwe="CWE-693",
        iso27001=("A.8.9",),
        cis=_cis("5.7.2"),
        failing=(
            PLAIN_POD,
            _manifest(
                "profiler.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: profiler
spec:
  securityContext:
    seccompProfile:
      type: Unconfined
  containers:
    - name: profiler
      image: registry.example.com/tools/profiler:0.9.2
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-host-network",
        "Pod uses the node's network namespace",
        Severity.HIGH,
        _pod_flag("hostNetwork", "shares the node's network namespace (hostNetwork)"),
        "Set spec.hostNetwork: false (or remove it).",
        (BASELINE,),
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("5.2.5"),
        failing=(NODE_DEBUG_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-host-pid",
        "Pod uses the node's process namespace",
        Severity.HIGH,
        _pod_flag("hostPID", "shares the node's process namespace (hostPID)"),
        "Set spec.hostPID: false (or remove it).",
        (BASELINE,),
        cwe="CWE-668",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.2.3"),
        failing=(NODE_DEBUG_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-host-ipc",
        "Pod uses the node's IPC namespace",
        Severity.HIGH,
        _pod_flag("hostIPC", "shares the node's IPC namespace (hostIPC)"),
        "Set spec.hostIPC: false (or remove it).",
        (BASELINE,),
        cwe="CWE-668",
        iso27001=("A.8.9",),
        cis=_cis("5.2.4"),
        failing=(NODE_DEBUG_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-host-path-volume",
        "Pod mounts a hostPath volume",
        Severity.HIGH,
        _host_path,
        "Replace spec.volumes[].hostPath with an emptyDir, configMap or PersistentVolumeClaim.",
        (BASELINE,),
        cwe="CWE-668",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.2.12"),
        failing=(
            _manifest(
                "log-shipper.yaml",
                """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-shipper
  namespace: logging
spec:
  selector:
    matchLabels: {app: log-shipper}
  template:
    metadata:
      labels: {app: log-shipper}
    spec:
      containers:
        - name: shipper
          image: registry.example.com/logging/shipper:2.2.0
          volumeMounts:
            - name: varlog
              mountPath: /var/log
              readOnly: true
      volumes:
        - name: varlog
          hostPath:
            path: /var/log
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-service-account-token-automount",
        "Pod mounts a service-account token",
        Severity.LOW,
        _automount,
        "Set spec.automountServiceAccountToken: false unless the pod calls the API.",
        ("Kubernetes: configure service accounts for pods",),
        cwe="CWE-522",
        iso27001=("A.5.17", "A.8.2"),
        cis=_cis("5.1.6"),
        failing=(PLAIN_POD,),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-rbac-wildcard",
        "Role grants wildcard verbs or resources",
        Severity.HIGH,
        _rbac_wildcard,
        "List the exact rules[].verbs and rules[].resources instead of '*'.",
        (RBAC_PRACTICES,),
        RBAC_ROLE_KINDS,
        cwe="CWE-269",
        iso27001=("A.5.15", "A.8.2"),
        cis=_cis("5.1.3"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: deployer
rules:
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["*"]
""",
            ),
        ),
        passing=(READER_ROLE,),
    ),
    _check(
        "k8s-rbac-secrets-access",
        "Role grants read access to secrets",
        Severity.MEDIUM,
        _rbac_secrets,
        "Remove secrets from rules[].resources, or grant only get with rules[].resourceNames.",
        (RBAC_PRACTICES,),
        RBAC_ROLE_KINDS,
        cwe="CWE-522",
        iso27001=("A.5.15", "A.5.17"),
        cis=_cis("5.1.2"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: config-sync
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["get", "list", "watch"]
""",
            ),
        ),
        passing=(READER_ROLE,),
    ),
    _check(
        "k8s-host-port",
        "Container binds a port of the node (hostPort)",
        Severity.MEDIUM,
        _host_port,
        "Remove containers[].ports[].hostPort and expose the port through a Service.",
        (BASELINE,),
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.22"),
        cis=_cis("5.2.13"),
        failing=(
            _manifest(
                "metrics-agent.yaml",
                """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: metrics-agent
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: metrics-agent}
  template:
    metadata:
      labels: {app: metrics-agent}
    spec:
      containers:
        - name: agent
          image: registry.example.com/monitoring/agent:7.1.0
          ports:
            - containerPort: 8125
              hostPort: 8125
              protocol: UDP
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-proc-mount-unmasked",
        "Container /proc is not masked (procMount)",
        Severity.HIGH,
        _proc_mount,
        f"Remove {SC}.procMount (or set it to Default) so /proc stays masked.",
        (BASELINE,),
        cwe="CWE-668",
        iso27001=("A.8.9",),
        failing=(
            _manifest(
                "buildkit.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: buildkit
spec:
  hostUsers: false
  containers:
    - name: buildkitd
      image: moby/buildkit:v0.15.1-rootless
      securityContext:
        procMount: Unmasked
""",
            ),
        ),
        passing=(HARDENED_DEPLOYMENT,),
    ),
    _check(
        "k8s-unsafe-sysctl",
        "Pod sets a sysctl outside the safe set",
        Severity.MEDIUM,
        _sysctls,
        "Remove the name from spec.securityContext.sysctls; tune node-wide sysctls on the "
        "node itself.",
        (BASELINE, "Kubernetes: using sysctls in a Kubernetes cluster"),
        cwe="CWE-668",
        iso27001=("A.8.9",),
        failing=(
            _manifest(
                "search.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: search
spec:
  securityContext:
    sysctls:
      - name: vm.max_map_count
        value: "262144"
  containers:
    - name: search
      image: registry.example.com/search/engine:8.14.3
""",
            ),
        ),
        passing=(
            _manifest(
                "proxy.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: proxy
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_unprivileged_port_start
        value: "80"
      - name: net.ipv4.tcp_keepalive_time
        value: "300"
  containers:
    - name: proxy
      image: registry.example.com/net/proxy:2.9.0
""",
            ),
        ),
    ),
    _check(
        "k8s-apparmor-unconfined",
        "Container runs without an AppArmor profile",
        Severity.MEDIUM,
        _apparmor,
        "Set spec.securityContext.appArmorProfile.type: RuntimeDefault (or Localhost), and "
        "drop container.apparmor.security.beta.kubernetes.io annotations set to unconfined.",
        (BASELINE,),
        cwe="CWE-693",
        iso27001=("A.8.9",),
        failing=(
            _manifest(
                "tracer.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: tracer
spec:
  securityContext:
    appArmorProfile:
      type: Unconfined
  containers:
    - name: tracer
      image: registry.example.com/tools/tracer:0.4.0
""",
            ),
            _manifest(
                "legacy.yaml",
                """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
spec:
  selector:
    matchLabels: {app: legacy}
  template:
    metadata:
      labels: {app: legacy}
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      containers:
        - name: app
          image: registry.example.com/legacy:4.2.0
""",
            ),
        ),
        passing=(
            _manifest(
                "tracer.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: tracer
  annotations:
    container.apparmor.security.beta.kubernetes.io/sidecar: localhost/deny-write
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
  containers:
    - name: tracer
      image: registry.example.com/tools/tracer:0.4.0
    - name: sidecar
      image: registry.example.com/tools/sidecar:1.0.1
""",
            ),
        ),
    ),
    _check(
        "k8s-selinux-custom-options",
        "Pod or container sets a custom SELinux type, user or role",
        Severity.MEDIUM,
        _selinux,
        "Remove seLinuxOptions.user and .role, and leave .type unset or container_t "
        "(spec.securityContext and containers[].securityContext).",
        (BASELINE,),
        cwe="CWE-693",
        iso27001=("A.8.2", "A.8.9"),
        failing=(
            _manifest(
                "backup.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: backup
spec:
  securityContext:
    seLinuxOptions:
      type: spc_t
  containers:
    - name: backup
      image: registry.example.com/ops/backup:1.3.0
""",
            ),
        ),
        passing=(
            _manifest(
                "backup.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: backup
spec:
  securityContext:
    seLinuxOptions:
      level: "s0:c123,c456"
  containers:
    - name: backup
      image: registry.example.com/ops/backup:1.3.0
""",
            ),
        ),
    ),
    _check(
        "k8s-windows-host-process",
        "Windows container runs as a HostProcess",
        Severity.CRITICAL,
        _host_process,
        "Remove securityContext.windowsOptions.hostProcess (pod and containers) or set it "
        "to false.",
        (BASELINE,),
        cwe="CWE-250",
        iso27001=("A.8.2", "A.8.9"),
        cis=_cis("5.2.11"),
        failing=(
            _manifest(
                "windows-exporter.yaml",
                """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: windows-exporter
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: windows-exporter}
  template:
    metadata:
      labels: {app: windows-exporter}
    spec:
      nodeSelector:
        kubernetes.io/os: windows
      hostNetwork: true
      securityContext:
        windowsOptions:
          hostProcess: true
          runAsUserName: 'NT AUTHORITY\\SYSTEM'
      containers:
        - name: exporter
          image: registry.example.com/monitoring/windows-exporter:0.25.1
""",
            ),
        ),
        passing=(
            _manifest(
                "iis.yaml",
                """\
apiVersion: v1
kind: Pod
metadata:
  name: iis
spec:
  nodeSelector:
    kubernetes.io/os: windows
  securityContext:
    windowsOptions:
      runAsUserName: ContainerUser
  containers:
    - name: iis
      image: mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022
""",
            ),
        ),
    ),
    _check(
        "k8s-load-balancer-open",
        "LoadBalancer Service accepts traffic from any address",
        Severity.MEDIUM,
        _load_balancer_open,
        "Set spec.loadBalancerSourceRanges to the client CIDRs, or make the load balancer "
        "internal with your cloud's annotation.",
        ("Kubernetes: Service type LoadBalancer, loadBalancerSourceRanges",),
        frozenset({"Service"}),
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            _manifest(
                "service.yaml",
                """\
apiVersion: v1
kind: Service
metadata:
  name: admin-api
  namespace: ops
spec:
  type: LoadBalancer
  selector: {app: admin-api}
  ports:
    - port: 443
      targetPort: 8443
""",
            ),
        ),
        passing=(
            _manifest(
                "service.yaml",
                """\
apiVersion: v1
kind: Service
metadata:
  name: admin-api
  namespace: ops
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: ["203.0.113.0/24"]
  selector: {app: admin-api}
  ports:
    - port: 443
      targetPort: 8443
---
apiVersion: v1
kind: Service
metadata:
  name: reports
  namespace: ops
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internal
spec:
  type: LoadBalancer
  selector: {app: reports}
  ports:
    - port: 80
      targetPort: 8080
""",
            ),
        ),
    ),
    _check(
        "k8s-node-port-service",
        "Service opens a NodePort on every node",
        Severity.LOW,
        _node_port,
        "Use spec.type: ClusterIP behind an Ingress, or a LoadBalancer with "
        "loadBalancerSourceRanges, instead of NodePort.",
        ("Kubernetes: Service type NodePort",),
        frozenset({"Service"}),
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.22"),
        failing=(
            _manifest(
                "grafana.yaml",
                """\
apiVersion: v1
kind: Service
metadata:
  name: grafana
  namespace: monitoring
spec:
  type: NodePort
  selector: {app: grafana}
  ports:
    - port: 3000
      nodePort: 30300
""",
            ),
        ),
        passing=(
            _manifest(
                "grafana.yaml",
                """\
apiVersion: v1
kind: Service
metadata:
  name: grafana
  namespace: monitoring
spec:
  selector: {app: grafana}
  ports:
    - port: 3000
""",
            ),
        ),
    ),
    _check(
        "k8s-ingress-without-tls",
        "Ingress serves a host without TLS",
        Severity.MEDIUM,
        _ingress_tls,
        "Add spec.tls with the rule's host in tls[].hosts and a certificate in tls[].secretName.",
        ("Kubernetes: Ingress TLS",),
        frozenset({"Ingress"}),
        cwe="CWE-319",
        iso27001=("A.8.20", "A.8.24"),
        failing=(
            _manifest(
                "ingress.yaml",
                """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: storefront
  namespace: shop
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: storefront
                port: {number: 80}
""",
            ),
        ),
        passing=(
            _manifest(
                "ingress.yaml",
                """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: storefront
  namespace: shop
spec:
  ingressClassName: nginx
  tls:
    - hosts: ["shop.example.com"]
      secretName: storefront-tls
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: storefront
                port: {number: 80}
""",
            ),
        ),
    ),
    _check(
        "k8s-rbac-cluster-admin-binding",
        "Binding grants the cluster-admin role",
        Severity.HIGH,
        _cluster_admin_binding,
        "Bind a role with only the rules the subject needs instead of roleRef.name: cluster-admin.",
        (RBAC_PRACTICES,),
        RBAC_BINDING_KINDS,
        cwe="CWE-250",
        iso27001=("A.5.15", "A.8.2"),
        cis=_cis("5.1.1"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-deployer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: ci-deployer
    namespace: ci
""",
            ),
        ),
        passing=(TEAM_BINDING,),
    ),
    _check(
        "k8s-rbac-public-subject",
        "Binding grants a role to anonymous or all authenticated users",
        Severity.HIGH,
        _public_subjects,
        "Remove system:anonymous, system:unauthenticated and system:authenticated from "
        "subjects; bind named users, groups or service accounts.",
        (RBAC_PRACTICES,),
        RBAC_BINDING_KINDS,
        cwe="CWE-285",
        iso27001=("A.5.15", "A.5.18"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: dashboard-viewers
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:authenticated
""",
            ),
        ),
        passing=(TEAM_BINDING,),
    ),
    _check(
        "k8s-rbac-escalation-verbs",
        "Role grants escalate, bind or impersonate",
        Severity.HIGH,
        _escalation_verbs,
        "Remove escalate, bind and impersonate from rules[].verbs, or limit them with "
        "rules[].resourceNames.",
        (RBAC_PRACTICES,),
        RBAC_ROLE_KINDS,
        cwe="CWE-269",
        iso27001=("A.5.15", "A.8.2"),
        cis=_cis("5.1.8"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: access-manager
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["roles", "rolebindings"]
    verbs: ["get", "list", "create", "update", "bind", "escalate"]
  - apiGroups: [""]
    resources: ["serviceaccounts"]
    verbs: ["impersonate"]
""",
            ),
        ),
        passing=(READER_ROLE,),
    ),
    _check(
        "k8s-rbac-pod-exec",
        "Role grants exec or attach into pods",
        Severity.MEDIUM,
        _pod_exec,
        "Remove pods/exec and pods/attach from rules[].resources; use logs and ephemeral "
        "debugging under a separate, audited role.",
        (RBAC_PRACTICES,),
        RBAC_ROLE_KINDS,
        cwe="CWE-269",
        iso27001=("A.5.15", "A.8.2"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: support
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list"]
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["create"]
""",
            ),
        ),
        passing=(READER_ROLE,),
    ),
    _check(
        "k8s-rbac-nodes-proxy",
        "Role grants access to the nodes/proxy subresource",
        Severity.HIGH,
        _nodes_proxy,
        "Remove nodes/proxy from rules[].resources; grant nodes/metrics or nodes/stats for "
        "monitoring.",
        (RBAC_PRACTICES,),
        RBAC_ROLE_KINDS,
        cwe="CWE-269",
        iso27001=("A.5.15", "A.8.2"),
        cis=_cis("5.1.10"),
        failing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-scraper
rules:
  - apiGroups: [""]
    resources: ["nodes", "nodes/proxy", "nodes/metrics"]
    verbs: ["get", "list", "watch"]
""",
            ),
        ),
        passing=(
            _manifest(
                "rbac.yaml",
                """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-scraper
rules:
  - apiGroups: [""]
    resources: ["nodes", "nodes/metrics", "nodes/stats"]
    verbs: ["get", "list", "watch"]
""",
            ),
        ),
    ),
)
