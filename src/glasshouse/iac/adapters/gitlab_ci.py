"""GitLab CI/CD configuration files into one ``pipeline`` resource and job resources.

Which files: ``.gitlab-ci.yml`` at any depth, ``NAME.gitlab-ci.yml`` (or ``.yaml``), and
every YAML file under a ``.gitlab/ci/`` directory (where projects keep the files they
``include``). A file may start with a ``spec:`` header document (CI/CD inputs); the
configuration is then the second document, and values holding ``$[[ inputs.x ]]`` are
UNKNOWN, since the including pipeline chooses them.

Resources:

* ``pipeline`` (one per file, named after the file): the whole configuration. Global
  settings are judged here: ``include``, ``variables``, ``default`` and the deprecated
  top-level ``image``, ``services``, ``before_script`` and ``after_script``.
* ``job`` for every top-level key that is not a global keyword (``default``,
  ``include``, ``stages``, ``types``, ``variables``, ``workflow``, ``image``,
  ``services``, ``cache``, ``before_script``, ``after_script``, ``spec``) and does not
  start with ``.``. Its body is the job merged with the templates it ``extends`` (as
  GitLab merges them: mappings deeply, the job's own keys winning, lists replaced), so
  a setting written once in a template is judged in every job that uses it, on the
  template's line.
* ``template`` for a hidden job (a key starting with ``.``) that nothing in the file
  uses, through ``extends`` or ``!reference``: it is there for other files to include,
  and is judged on its own. A hidden job used in the file is judged through its users
  only, so one mistake is not reported twice.

``!reference [job, key, ...]`` tags are resolved within the file (references to
references too, ten levels deep, as GitLab does); a reference to something defined in
another file is UNKNOWN, and an ``extends`` of a template from another file is listed
in ``context["unresolved_extends"]``: what it would add is not known.

Jobs also carry ``context["default"]`` and ``context["variables"]``: the ``default``
section and the global ``variables`` they inherit (None when there are none or the job
opts out with ``inherit:``), which checks need to judge a job on its own.

A file of this name that is not a mapping is an ``AdapterError``: GitLab rejects it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.model import UNKNOWN, AdapterError, Node, Resource
from glasshouse.iac.yaml_nodes import load_documents

FORMAT = "gitlab-ci"
REFERENCE = "!reference"
GLOBAL_KEYWORDS = frozenset(
    {
        "default",
        "include",
        "stages",
        "types",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    }
)
# How deep GitLab follows ``extends`` chains and nested ``!reference`` tags.
MAX_DEPTH = 11
_SUFFIXES = (".yml", ".yaml")


def matches(base: str, relative: str) -> bool:
    if base.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return True
    if not base.endswith(_SUFFIXES):
        return False
    parts = relative.split("/")[:-1]
    return any(a == ".gitlab" and b == "ci" for a, b in pairwise(parts))


def parse(relative: str, data: bytes) -> list[Resource]:
    documents = [d for d in load_documents(data, frozenset({REFERENCE})) if d.value is not None]
    if not documents:
        return []  # an empty file defines nothing
    config = documents[-1]
    if len(documents) > 2 or (len(documents) == 2 and not _is_header(documents[0])):
        raise AdapterError(
            f"a GitLab CI file is one YAML document (after an optional `spec:` header), "
            f"found {len(documents)}"
        )
    if not isinstance(config.value, dict):
        raise AdapterError("not a GitLab CI configuration: the document is not a mapping")
    if b"$[[" in data:
        config = _unknown_inputs(config)
    resolved = _resolve(config, config, 0)
    name = relative.rsplit("/", 1)[-1]
    used = _used_templates(config)
    resources = [
        Resource(
            format=FORMAT,
            kind="pipeline",
            name=name,
            path=relative,
            line=config.line,
            body=resolved,
            context={"pipeline": name},
        )
    ]
    for key, job in resolved.items():
        if key in GLOBAL_KEYWORDS or not isinstance(job.value, dict):
            continue
        hidden = key.startswith(".")
        if hidden and key in used:
            continue
        unresolved: list[str] = []
        body = _extended(key, resolved, (), unresolved)
        resources.append(
            Resource(
                format=FORMAT,
                kind="template" if hidden else "job",
                name=key,
                path=relative,
                line=job.line,
                body=body,
                context={
                    "pipeline": name,
                    "default": _inherited(body, "default", resolved.get("default")),
                    "variables": _inherited(body, "variables", resolved.get("variables")),
                    "unresolved_extends": tuple(unresolved),
                },
            )
        )
    return resources


def _is_header(document: Node) -> bool:
    return isinstance(document.value, dict) and set(document.value) <= {"spec"}


def _unknown_inputs(node: Node) -> Node:
    """The tree with every string holding an ``$[[ inputs... ]]`` interpolation UNKNOWN."""
    if isinstance(node.value, dict):
        return Node({k: _unknown_inputs(v) for k, v in node.value.items()}, node.line)
    if isinstance(node.value, list):
        return Node([_unknown_inputs(v) for v in node.value], node.line)
    if isinstance(node.value, str) and "$[[" in node.value:
        return Node(UNKNOWN, node.line)
    return node


def _reference_path(node: Node) -> list[str] | None:
    """The path of a ``!reference`` tag, or None when ``node`` is not one."""
    if not isinstance(node.value, dict) or set(node.value) != {REFERENCE}:
        return None
    args = node.value[REFERENCE]
    texts = [a.text() for a in args.elements()] if isinstance(args.value, list) else []
    return [t for t in texts if t] if texts and all(texts) else []


def _resolve(node: Node, config: Node, depth: int) -> Node:
    """``node`` with every ``!reference`` replaced by what it points at in ``config``."""
    path = _reference_path(node)
    if path is not None:
        target = config.get(*path) if path else None
        if target is None or depth >= MAX_DEPTH:
            return Node(UNKNOWN, node.line)
        return _resolve(target, config, depth + 1)
    if isinstance(node.value, dict):
        return Node({k: _resolve(v, config, depth) for k, v in node.value.items()}, node.line)
    if isinstance(node.value, list):
        return Node([_resolve(v, config, depth) for v in node.value], node.line)
    return node


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node.value, dict):
        for child in node.value.values():
            yield from _walk(child)
    elif isinstance(node.value, list):
        for child in node.value:
            yield from _walk(child)


def _extends(job: Node) -> list[str | None]:
    """Template names of ``extends`` (None for one that is not a known string)."""
    node = job.get("extends")
    if node is None:
        return []
    items = list(node.elements()) if isinstance(node.value, list) else [node]
    return [item.text() or None for item in items]


def _used_templates(config: Node) -> set[str]:
    """Hidden jobs that another entry of the file extends or references."""
    used: set[str] = set()
    for key, entry in config.items():
        for name in _extends(entry):
            if name is not None and name != key:
                used.add(name)
        for node in _walk(entry):
            path = _reference_path(node)
            if path:
                used.add(path[0])
    return {name for name in used if name.startswith(".")}


def _extended(key: str, config: Node, seen: tuple[str, ...], unresolved: list[str]) -> Node:
    """The job ``key`` merged with its ``extends`` chain, as GitLab merges it."""
    job = config.value[key]
    merged: Node | None = None
    for name in _extends(job):
        parent = config.get(name) if name is not None else None
        if (
            name is None
            or parent is None
            or not isinstance(parent.value, dict)
            or name in seen
            or len(seen) >= MAX_DEPTH
        ):
            unresolved.append(name if name is not None else "?")
            continue
        base = _extended(name, config, (*seen, key), unresolved)
        merged = base if merged is None else _deep_merge(merged, base)
    return job if merged is None else _deep_merge(merged, job, line=job.line)


def _deep_merge(base: Node, override: Node, line: int | None = None) -> Node:
    """Mappings merged key by key, ``override`` winning; anything else replaced."""
    if not isinstance(base.value, dict) or not isinstance(override.value, dict):
        return override
    merged = dict(base.value)
    for key, value in override.value.items():
        merged[key] = _deep_merge(merged[key], value) if key in merged else value
    return Node(merged, override.line if line is None else line)


def _inherited(job: Node, keyword: str, section: Node | None) -> Node | None:
    """The global ``default`` or ``variables`` as ``inherit:`` lets the job see it."""
    if section is None:
        return None
    setting = job.get("inherit", keyword)
    if setting is None:
        return section
    if setting.value is False:
        return None
    if isinstance(setting.value, list) and isinstance(section.value, dict):
        names = {n.text() for n in setting.elements()}
        return Node({k: v for k, v in section.value.items() if k in names}, section.line)
    return section  # `true`, or a value GitLab would reject


ADAPTER = Adapter(format=FORMAT, matches=matches, parse=parse)
