"""Terraform: every ``.tf``, ``.tf.json``, ``.tfvars`` and ``.tfvars.json`` file of a
directory, read together as one module and evaluated without Terraform.

The contract checks rely on
---------------------------
Each resource and data source (after ``count``/``for_each``) is one ``Resource``:

- ``format`` ``"terraform"``; ``kind`` the type (``"aws_s3_bucket"``), data sources as
  ``"data.aws_iam_policy_document"``.
- ``name`` the address: ``aws_s3_bucket.logs``, ``module.net.aws_security_group.web``,
  with ``[0]`` / ``["key"]`` per instance. Instances (of count, for_each, or a module
  called more than once) that evaluate alike are folded into one resource under the
  address without keys: one finding per problem in the code, not one per copy.
- ``path`` the file of the block (a module's own file for module resources), ``line``
  the block's first line.
- ``body`` a ``Node`` mapping of the evaluated arguments (meta-arguments ``count``,
  ``for_each``, ``depends_on``, ``provider`` left out), each with its line; values
  written as literal objects and tuples keep their own lines. Nested blocks
  (``ingress {}``, ``rule {}``) are ALWAYS a list of mapping Nodes under the block
  name, even when written once; ``dynamic`` blocks are expanded when their
  ``for_each`` is known, else the list holds one ``Node(UNKNOWN)`` ("there may be
  blocks here"). Use ``blocks(node, name)``.
- UNKNOWN for whatever needs a plan or apply: variables without default or value,
  other resources' and data sources' attributes, functions not evaluated here
  (``file``, ``templatefile``, ``timestamp``...), syntax the evaluator cannot read. A
  list may hold UNKNOWN elements beside known ones. Checks report only what is known
  and never treat UNKNOWN as safe.
- ``context``:
  - ``"module"``: a ``ModuleView`` of the module instance (``.resources``,
    ``.by_kind(kind)``, ``.find(address)``, ``.address``, ``.directory``);
  - ``"address"``: the address without instance key, as references name it;
  - ``"references"``: for each top-level argument, the sorted tuple of addresses its
    expression refers to, directly or through locals
    (``{"bucket": ("aws_s3_bucket.logs",)}``, ``"data.aws_iam_policy_document.p"``,
    ``"module.x"``), absolute like ``name``; for each nested block name, what all its
    blocks' arguments refer to;
  - ``"decoded"``: for arguments written as ``jsonencode({...})`` or as a JSON heredoc
    or string, the JSON document as a Node tree with lines (unknown interpolations are
    UNKNOWN inside it);
  - ``"instance_key"``: ``"[0]"``, ``'["a"]'`` or None.

Helpers: ``related(resource, kind, attribute)`` (resources of ``kind`` in the same
module instance whose ``attribute`` refers to ``resource``), ``blocks``,
``references``, and ``policy_statements(resource, attribute)`` with ``Statement`` (IAM
policies from JSON strings, ``jsonencode``, heredocs or
``data.aws_iam_policy_document``).

Evaluation
----------
Variables take their default, overridden in a root module by the values Terraform
loads by itself (``terraform.tfvars``, ``terraform.tfvars.json``, then
``*.auto.tfvars`` and ``*.auto.tfvars.json`` in name order); other ``.tfvars`` files
are read for errors but not applied. Locals, outputs and module arguments are evaluated
lazily, with cycle protection. Local modules (``source = "./..."``) are loaded through
the engine, never outside the scanned tree; see ``glasshouse.iac.terraform.modules``.

Which directories are roots
---------------------------
Every directory holding ``.tf`` files is a root module and evaluated as one, except a
directory that a root of the scan instantiates as a local module (directly or through
other modules): its resources are reported through that root, with the values the
caller gives, and not a second time on their own with unknown variables. Its files are
still read and their errors reported. A module no root instantiates (every call has
``count = 0``, a limit was reached, or no root calls it) is evaluated on its own.
Roots are the directories no other scanned directory calls; they are found among the
directories of the scan holding Terraform files (``DirectoryInput.directories``, from
the engine's one walk), the directory's ancestors, and the directories already read in
the same scan. Each root is evaluated once per scan. Within one scan, a resource
identical to one already reported (same kind, file, line, body and references) is not
reported again, whichever root reached it (a module called by ``envs/dev`` and
``envs/prod`` with the same effect is one finding).

Errors: a file that is not HCL or JSON, not UTF-8, binary or too large is one error
naming it, with a one-line message; the other files of the directory are still
evaluated. Limits bound expansion (instances, module depth, resources) and evaluation
work, so no input hangs or crashes the scan.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from glasshouse.iac.adapter import DirectoryAdapter, DirectoryInput, DirectoryResult
from glasshouse.iac.model import UNKNOWN, Node, Resource
from glasshouse.iac.terraform.config import ConfigError, load_values
from glasshouse.iac.terraform.evaluate import Evaluator
from glasshouse.iac.terraform.modules import (
    FORMAT,
    MAX_MODULE_INSTANCES,
    MAX_RESOURCES,
    FileCache,
    Instance,
    ModuleView,
    Run,
    fold,
    identity,
    is_config,
    local_source,
    read_module,
)
from glasshouse.iac.terraform.policy import (
    POLICY_DOCUMENT,
    Statement,
    document_statements,
    policy_statements,
    statements_from,
    wildcard_match,
)

__all__ = [
    "ADAPTER",
    "FORMAT",
    "POLICY_DOCUMENT",
    "UNKNOWN",
    "ModuleView",
    "Statement",
    "blocks",
    "document_statements",
    "matches",
    "parse_directory",
    "policy_statements",
    "references",
    "related",
    "statements_from",
    "wildcard_match",
]

MAX_TREE_DIRECTORIES = 20_000  # directories followed through module calls to find callers
_CONSTANT = Evaluator(lambda name: UNKNOWN)


def matches(base: str, relative: str) -> bool:
    return base.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))


# --- helpers for checks -----------------------------------------------------------------


def blocks(node: Node | None, name: str) -> list[Node]:
    """The nested blocks ``name`` of a body (a mapping written once counts as one)."""
    found = node.get(name) if node is not None else None
    if found is None or found.value is None:
        return []
    if isinstance(found.value, list):
        return list(found.elements())
    return [found]


def references(resource: Resource, attribute: str) -> tuple[str, ...]:
    found = resource.context.get("references", {}).get(attribute, ())
    return tuple(found)


def related(resource: Resource, kind: str, attribute: str) -> list[Resource]:
    """Resources of ``kind`` in ``resource``'s module instance whose ``attribute``
    refers to ``resource`` (``related(bucket, "aws_s3_bucket_acl", "bucket")``)."""
    view = resource.context.get("module")
    address = resource.context.get("address")
    if not isinstance(view, ModuleView) or not isinstance(address, str):
        return []
    return [r for r in view.by_kind(kind) if address in references(r, attribute)]


# --- the adapter ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Evaluation:
    """One directory evaluated as a root module."""

    resources: list[Resource]
    truncated: bool
    instantiated: frozenset[str]  # the directories it gave a module instance


@dataclass(slots=True)
class _Graph:
    reached: frozenset[str]  # directories some root calls, directly or not
    roots: dict[str, frozenset[str]]  # for each reached directory, the roots reaching it


@dataclass(slots=True)
class _Scan:
    """What the directories of one scan share (keyed by the engine's ``load``)."""

    files: FileCache = field(default_factory=FileCache)
    seen: set[str] = field(default_factory=set)
    emitted: set[tuple[str, str, int | None, str]] = field(default_factory=set)
    calls: dict[str, frozenset[str]] = field(default_factory=dict)
    graphs: dict[frozenset[str], _Graph] = field(default_factory=dict)
    evaluations: dict[str, _Evaluation] = field(default_factory=dict)


_SCANS: weakref.WeakKeyDictionary[Callable[..., Any], _Scan] = weakref.WeakKeyDictionary()

Load = Callable[[str], dict[str, bytes]]


def _scan_for(load: Load) -> _Scan:
    try:
        scan = _SCANS.get(load)
        if scan is None:
            scan = _SCANS[load] = _Scan()
        return scan
    except TypeError:  # a loader that cannot be weakly referenced: nothing shared
        return _Scan()


def parse_directory(given: DirectoryInput) -> DirectoryResult:
    scan = _scan_for(given.load)
    result = DirectoryResult()
    config = read_module(given.directory, given.files, scan.files)
    result.errors.extend(config.errors)
    result.scanned.extend(config.files)
    _, errors, read = _root_values(given.files)
    result.errors.extend(errors)
    result.scanned.extend(read)
    if config.files:
        scan.seen.add(given.directory)
    if not config.files or _instantiated_elsewhere(given, scan):
        return result
    evaluation = _evaluate(given.directory, given.files, given.load, scan)
    if evaluation.truncated:
        result.errors.append(
            (
                config.files[0],
                f"more than {MAX_RESOURCES} resources or {MAX_MODULE_INSTANCES} module "
                "instances after expanding count, for_each and modules; the rest is not judged",
            )
        )
    for resource in evaluation.resources:
        key = identity(resource)
        if key not in scan.emitted:
            scan.emitted.add(key)
            result.resources.append(resource)
    return result


def _evaluate(directory: str, files: Mapping[str, bytes], load: Load, scan: _Scan) -> _Evaluation:
    """``directory`` evaluated as a root module, once per scan."""
    if directory not in scan.evaluations:
        config = read_module(directory, files, scan.files)
        values, _, _ = _root_values(files)
        run = Run(load, scan.files)
        inputs = {name: (lambda v=value: v) for name, value in values.items()}
        resources = fold(list(Instance(run, config, inputs).resources()))
        instantiated = frozenset(run.instantiated - {directory})
        scan.evaluations[directory] = _Evaluation(resources, run.truncated, instantiated)
    return scan.evaluations[directory]


def _root_values(
    files: Mapping[str, bytes],
) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
    """The variable values Terraform loads by itself, the errors of every .tfvars file,
    and the .tfvars files read."""
    loaded: dict[str, dict[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    for path in sorted(p for p in files if not is_config(p)):
        try:
            attributes = load_values(path, files[path])
        except ConfigError as exc:
            errors.append((path, str(exc)))
            continue
        loaded[path] = {n: _CONSTANT.evaluate(a.expr) for n, a in attributes.items()}

    def order(path: str) -> tuple[int, str]:
        base = path.rsplit("/", 1)[-1]
        return (0 if base.startswith("terraform.tfvars") else 1, base)

    values: dict[str, Any] = {}
    for path in sorted(loaded, key=order):
        base = path.rsplit("/", 1)[-1]
        if base in ("terraform.tfvars", "terraform.tfvars.json") or base.endswith(
            (".auto.tfvars", ".auto.tfvars.json")
        ):
            values.update(loaded[path])
    return values, errors, sorted(loaded)


# --- which directories are roots --------------------------------------------------------


def _instantiated_elsewhere(given: DirectoryInput, scan: _Scan) -> bool:
    """Whether a root that calls this directory (directly or through other modules)
    gives it a module instance; its resources are then reported through that root."""
    directory = given.directory
    graph = _graph(given, scan)
    for root in sorted(graph.roots.get(directory, frozenset())):
        evaluation = _evaluate(root, given.load(root), given.load, scan)
        if directory in evaluation.instantiated:
            return True
    return False


def _graph(given: DirectoryInput, scan: _Scan) -> _Graph:
    candidates = set(scan.seen)
    parts = given.directory.split("/") if given.directory else []
    ancestors = ("/".join(parts[:i]) for i in range(len(parts)))
    candidates.update(a for a in ancestors if _has_config(a, given.load))
    candidates.update(given.directories)
    key = frozenset(candidates)
    if key not in scan.graphs:
        scan.graphs[key] = _call_graph(candidates, given.load, scan)
    return scan.graphs[key]


def _call_graph(candidates: set[str], load: Load, scan: _Scan) -> _Graph:
    """Local module calls among the candidates (and the directories they call); roots
    are the directories no other one calls."""
    edges: dict[str, frozenset[str]] = {}
    frontier = sorted(candidates)
    while frontier and len(edges) < MAX_TREE_DIRECTORIES:
        directory = frontier.pop()
        if directory not in edges:
            edges[directory] = _calls(directory, load, scan)
            frontier.extend(edges[directory] - edges.keys())
    called = {t for targets in edges.values() for t in targets}
    roots = sorted(d for d in edges if d not in called and _has_config(d, load))
    reaching: dict[str, set[str]] = {}
    for root in roots:
        seen: set[str] = set()
        stack = list(edges[root])
        while stack:
            directory = stack.pop()
            if directory not in seen:
                seen.add(directory)
                reaching.setdefault(directory, set()).add(root)
                stack.extend(edges.get(directory, frozenset()))
    return _Graph(frozenset(reaching), {d: frozenset(r) for d, r in reaching.items()})


def _has_config(directory: str, load: Load) -> bool:
    return any(is_config(p) for p in load(directory))


def _calls(directory: str, load: Load, scan: _Scan) -> frozenset[str]:
    """The local module directories ``directory`` calls."""
    if directory not in scan.calls:
        targets: set[str] = set()
        files = load(directory)
        for path in sorted(p for p in files if is_config(p)):
            body = scan.files.body(path, files[path])
            if isinstance(body, str):
                continue
            for call in body.blocks_of("module"):
                target = local_source(directory, call) if call.labels else None
                if target is not None and target != directory and _has_config(target, load):
                    targets.add(target)
        scan.calls[directory] = frozenset(targets)
    return scan.calls[directory]


ADAPTER = DirectoryAdapter(format=FORMAT, matches=matches, parse_directory=parse_directory)
