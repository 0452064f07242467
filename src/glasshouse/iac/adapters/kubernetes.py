"""Kubernetes manifests: multi-document YAML, ``List`` kinds, every workload kind.

Every object with ``apiVersion`` and ``kind`` becomes a ``Resource`` named
``namespace/name``. Workloads carry their pod spec in ``context["pod_spec"]`` (a Node)
and its path inside the object in ``context["pod_spec_path"]`` (a tuple of keys), so
checks read one shape whatever the controller.

A YAML file with a document that is not a Kubernetes object (no ``apiVersion`` and
``kind``) is not a manifest: ``[]``, never an error. A file that contains ``{{`` and is
not YAML is a Helm template: it is reported unscannable (the scan is incomplete), never
skipped. Scalars of a Helm template that does parse as YAML, such as
``image: "{{ .Values.image }}"``, are ``UNKNOWN``.

Files under a ``templates/`` directory are left to ``adapters/rendered.py``, which renders
them with their chart (or reads them as plain manifests when no chart holds them), and
GitLab CI files to ``adapters/gitlab_ci.py``. A workload whose pod template has no
``containers``, or a container without an ``image``, is not an object the API server
accepts but a fragment to merge into one (a kustomize strategic merge patch): it is not
judged alone; kustomize renders it into the object it patches.
"""

from __future__ import annotations

import re

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.adapters import gitlab_ci
from glasshouse.iac.model import UNKNOWN, AdapterError, Node, Resource
from glasshouse.iac.yaml_nodes import load_documents

FORMAT = "kubernetes"
HELM_MESSAGE = (
    "Helm template: not scanned without helm (render with `helm template` and scan the output)"
)

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
WORKLOAD_KINDS = frozenset(POD_SPEC_PATHS)
# A top-level key only CloudFormation templates have.
_CLOUDFORMATION_KEY = re.compile(rb"^(?:AWSTemplateFormatVersion|Resources)[ \t]*:", re.MULTILINE)
RBAC_ROLE_KINDS = frozenset({"Role", "ClusterRole"})


def matches(base: str, relative: str) -> bool:
    return (
        base.lower().endswith((".yaml", ".yml"))
        and not in_templates_directory(relative)
        and not gitlab_ci.matches(base, relative)
    )


def in_templates_directory(relative: str) -> bool:
    """Whether the file lies under a directory named ``templates`` (a Helm chart's)."""
    return "templates" in relative.split("/")[:-1]


def parse(path: str, data: bytes) -> list[Resource]:
    # Most YAML is not Kubernetes (CI files, compose, CloudFormation with its own tags):
    # without both keys it cannot be a manifest, and is not even parsed.
    if b"apiVersion" not in data or b"kind" not in data:
        return []
    if b"AWS::" in data and _CLOUDFORMATION_KEY.search(data):
        return []  # a CloudFormation template naming apiVersion in a string (EKS add-ons)
    try:
        documents = load_documents(data)
    except AdapterError:
        if b"{{" in data:
            raise AdapterError(HELM_MESSAGE) from None
        raise
    if b"{{" in data:
        documents = [_unknown_templates(document) for document in documents]
    objects: list[Node] = []
    for document in documents:
        if document.value is None:
            continue  # an empty document ("---" at the end of a file)
        if not _is_object(document):
            return []  # not a Kubernetes manifest
        if _text(document.get("kind")) == "List":
            objects.extend(item for item in _elements(document.get("items")) if _is_object(item))
        else:
            objects.append(document)
    return [resource_of(path, obj) for obj in objects if not is_patch(obj)]


def is_patch(obj: Node) -> bool:
    """A workload without containers, or with a container without an image: a patch."""
    spec_path = POD_SPEC_PATHS.get(_text(obj.get("kind")) or "")
    pod_spec = obj.get(*spec_path) if spec_path is not None else None
    if spec_path is None or (pod_spec is not None and not isinstance(pod_spec.value, dict)):
        return False  # not a workload, or an UNKNOWN pod spec
    containers = pod_spec.get("containers") if pod_spec is not None else None
    if containers is None:
        return True
    return any(isinstance(c.value, dict) and c.get("image") is None for c in containers.elements())


def _is_object(node: Node) -> bool:
    return (
        isinstance(node.value, dict)
        and node.get("apiVersion") is not None
        and node.get("kind") is not None
    )


def _text(node: Node | None) -> str | None:
    return None if node is None else node.text()


def _elements(node: Node | None) -> list[Node]:
    return [] if node is None else list(node.elements())


def resource_of(path: str, obj: Node) -> Resource:
    """The resource of one Kubernetes object found (or rendered) at ``path``."""
    kind_node = obj.get("kind")
    kind = _text(kind_node) or "?"
    namespace = _text(obj.get("metadata", "namespace")) or "default"
    name = (
        _text(obj.get("metadata", "name"))
        or _text(obj.get("metadata", "generateName"))
        or f"{kind.lower()}@{obj.line}"
    )
    context: dict[str, object] = {}
    spec_path = POD_SPEC_PATHS.get(kind)
    if spec_path is not None:
        pod_spec = obj.get(*spec_path)
        if pod_spec is not None and isinstance(pod_spec.value, dict):
            context["pod_spec"] = pod_spec
            context["pod_spec_path"] = spec_path
    return Resource(
        format=FORMAT,
        kind=kind,
        name=f"{namespace}/{name}",
        path=path,
        line=obj.line,
        body=obj,
        context=context,
    )


def _unknown_templates(node: Node) -> Node:
    """The tree with every string scalar holding a Helm expression made UNKNOWN."""
    if isinstance(node.value, dict):
        return Node({k: _unknown_templates(v) for k, v in node.value.items()}, node.line)
    if isinstance(node.value, list):
        return Node([_unknown_templates(v) for v in node.value], node.line)
    if isinstance(node.value, str) and "{{" in node.value:
        return Node(UNKNOWN, node.line)
    return node


ADAPTER = Adapter(format=FORMAT, matches=matches, parse=parse)
