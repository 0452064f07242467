"""GitHub Actions workflows (``.github/workflows/*.yml``) into workflow and job resources.

One workflow file becomes one ``workflow`` resource (the whole document) and one ``job``
resource per job. Both carry ``context["triggers"]``, the set of event names of ``on``
(a string, a list or a mapping; YAML 1.1 reads a bare ``on:`` key as the boolean True,
so the key ``"True"`` is read as ``on`` too). Jobs also carry
``context["workflow_permissions"]`` and ``context["workflow_env"]`` (Nodes or None),
which checks need to judge a job on its own.

A file under ``.github/workflows`` that is not a workflow (not a mapping, or without a
``jobs`` mapping) is an ``AdapterError``: GitHub rejects it too, so it is a mistake
worth reporting rather than a file to skip silently.
"""

from __future__ import annotations

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.model import AdapterError, Node, Resource
from glasshouse.iac.yaml_nodes import load_documents

FORMAT = "github-actions"
_SUFFIXES = (".yml", ".yaml")


def matches(base: str, relative: str) -> bool:
    """``.github/workflows/NAME.yml`` or ``.yaml`` (at any depth of the scan root)."""
    if not base.endswith(_SUFFIXES):
        return False
    parts = relative.split("/")
    return len(parts) >= 3 and parts[-2] == "workflows" and parts[-3] == ".github"


def on_node(workflow: Node) -> Node | None:
    """The ``on`` node of a workflow, whether YAML read its key as "on" or as True."""
    node = workflow.get("on")
    return node if node is not None else workflow.get("True")


def triggers(on: Node | None) -> frozenset[str]:
    """Event names of ``on``: a string, a list of strings or a mapping of events."""
    if on is None:
        return frozenset()
    if isinstance(on.value, dict):
        return frozenset(on.value)
    if isinstance(on.value, list):
        return frozenset(t for t in (e.text() for e in on.elements()) if t)
    text = on.text()
    return frozenset({text}) if text else frozenset()


def parse(relative: str, data: bytes) -> list[Resource]:
    documents = load_documents(data)
    if not documents:
        raise AdapterError("empty workflow: no `on` and no `jobs`")
    if len(documents) > 1:
        raise AdapterError(f"a workflow is one YAML document, found {len(documents)}")
    workflow = documents[0]
    if not isinstance(workflow.value, dict):
        raise AdapterError("not a workflow: the document is not a mapping")
    jobs = workflow.get("jobs")
    if jobs is None or not isinstance(jobs.value, dict):
        raise AdapterError("not a workflow: no `jobs` mapping")
    events = triggers(on_node(workflow))
    permissions = workflow.get("permissions")
    env = workflow.get("env")
    name = relative.rsplit("/", 1)[-1]
    resources = [
        Resource(
            format=FORMAT,
            kind="workflow",
            name=name,
            path=relative,
            line=workflow.line,
            body=workflow,
            context={"triggers": events},
        )
    ]
    for job_id, job in jobs.items():
        resources.append(
            Resource(
                format=FORMAT,
                kind="job",
                name=job_id,
                path=relative,
                line=job.line,
                body=job,
                context={
                    "triggers": events,
                    "workflow_permissions": permissions,
                    "workflow_env": env,
                    "workflow": name,
                },
            )
        )
    return resources


ADAPTER = Adapter(format=FORMAT, matches=matches, parse=parse)
