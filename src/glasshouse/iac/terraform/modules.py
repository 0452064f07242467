"""A Terraform module instance into ``Resource`` objects.

A module is one directory's ``.tf`` and ``.tf.json`` files (``override.tf`` and
``*_override.tf`` merged into the blocks they override). An instance of it has input
variables (tfvars values for a root, the caller's arguments for a called module),
defaults, locals and outputs, all evaluated lazily, each once, with cycle protection:
a value that depends on itself is UNKNOWN.

Resources and data sources are expanded by ``count`` and ``for_each``: a known count of
0 or an empty ``for_each`` yields nothing; a known count or collection (up to
``MAX_INSTANCES``) yields one resource per instance (``aws_s3_bucket.b[0]``,
``aws_s3_bucket.b["key"]``) with ``count.index`` / ``each.key`` / ``each.value`` bound;
an unknown one yields one resource under the bare address with those values UNKNOWN.
``dynamic`` blocks are expanded the same way; an unknown ``for_each`` leaves one
UNKNOWN element in the block list ("there may be blocks here").

Local module calls (``source = "./..."`` or ``"../..."``) are loaded through the
engine's ``load`` (so never outside the scanned tree), with the arguments as the
module's variables; their resources are addressed ``module.NAME.TYPE.NAME``. Registry
and remote sources are not loaded. A call into a directory already on the call chain
(recursion) or deeper than ``MAX_MODULE_DEPTH`` loads nothing.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from glasshouse.iac.model import UNKNOWN, Node, Resource
from glasshouse.iac.terraform.config import Attribute, Block, Body, ConfigError, load
from glasshouse.iac.terraform.evaluate import Budget, Evaluator, Namespace
from glasshouse.iac.terraform.functions import EvalError, has_unknown, to_string
from glasshouse.iac.terraform.jsonlines import JSONLinesError, load_json
from glasshouse.iac.terraform.syntax import (
    SPLAT_ITEM,
    Call,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Ref,
    Splat,
    Template,
    TupleExpr,
    children,
)

FORMAT = "terraform"
MAX_INSTANCES = 64  # count / for_each instances expanded per block
MAX_DYNAMIC = 1_000  # blocks one dynamic block may generate
MAX_MODULE_DEPTH = 16
MAX_RESOURCES = 20_000  # per root evaluation, modules included
MAX_MODULE_INSTANCES = 1_000  # per root evaluation
MAX_NESTING = 64  # lazily evaluated values (locals, variables) inside one another
# Arguments of a resource that are not its configuration.
RESOURCE_META = frozenset({"count", "for_each", "depends_on", "provider"})
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
# Root names that never name a resource.
NOT_RESOURCES = frozenset({"var", "count", "each", "path", "terraform", "self", SPLAT_ITEM})
# Stands for an unknown interpolation while a template is read as a JSON document.
_HOLE = "\ue000"
_INSTANCE_KEY = re.compile(r'\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\]')


def is_config(path: str) -> bool:
    return path.endswith((".tf", ".tf.json"))


def is_override(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    stem = base.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def strip_keys(address: str) -> str:
    """The address without instance keys: ``module.a[0].x.y["k"]`` -> ``module.a.x.y``."""
    return _INSTANCE_KEY.sub("", address)


# --- configuration ----------------------------------------------------------------------


class FileCache:
    """Each file parsed once per scan, whichever directory reads it."""

    def __init__(self) -> None:
        self._bodies: dict[str, Body | str] = {}

    def body(self, path: str, data: bytes) -> Body | str:
        """The file's body, or the one-line reason it cannot be read."""
        if path not in self._bodies:
            try:
                self._bodies[path] = load(path, data)
            except ConfigError as exc:
                self._bodies[path] = str(exc)
        return self._bodies[path]


@dataclass(slots=True)
class ModuleConfig:
    directory: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)  # resource and data blocks
    calls: list[Block] = field(default_factory=list)  # module blocks
    files: list[str] = field(default_factory=list)  # files read
    errors: list[tuple[str, str]] = field(default_factory=list)


def read_module(directory: str, files: Mapping[str, bytes], cache: FileCache) -> ModuleConfig:
    config = ModuleConfig(directory)
    blocks: list[Block] = []
    overrides: list[Block] = []
    for path in sorted(p for p in files if is_config(p)):
        body = cache.body(path, files[path])
        if isinstance(body, str):
            config.errors.append((path, body))
            continue
        config.files.append(path)
        (overrides if is_override(path) else blocks).extend(body.blocks)
    for override in overrides:
        _apply_override(blocks, override)
    for block in blocks:
        if block.type in ("resource", "data") and len(block.labels) >= 2:
            config.resources.append(block)
        elif block.type == "module" and block.labels:
            config.calls.append(block)
        elif block.type == "variable" and block.labels:
            config.variables[block.labels[0]] = block
        elif block.type == "output" and block.labels:
            config.outputs[block.labels[0]] = block
        elif block.type == "locals":
            config.locals.update(block.body.attributes)
    return config


def _apply_override(blocks: list[Block], override: Block) -> None:
    if override.type == "locals":
        for block in blocks:
            if block.type == "locals":
                for name, attribute in override.body.attributes.items():
                    if name in block.body.attributes:
                        block.body.attributes[name] = attribute
        return
    for i, block in enumerate(blocks):
        if block.type == override.type and block.labels == override.labels:
            merged = Body(dict(block.body.attributes), list(block.body.blocks))
            merged.attributes.update(override.body.attributes)
            replaced = {b.type for b in override.body.blocks}
            merged.blocks = [b for b in merged.blocks if b.type not in replaced]
            merged.blocks.extend(override.body.blocks)
            blocks[i] = replace(block, body=merged)
            return


# --- values with lines ----------------------------------------------------------------


def to_node(expr: Expr | None, value: Any, line: int) -> Node:
    """``value`` as a Node; parts written as literal objects and tuples keep their lines."""
    if isinstance(value, dict):
        sources: dict[str, Expr] = {}
        if isinstance(expr, ObjectExpr):
            for key, item in expr.items:
                if isinstance(key, Literal) and key.value is not None:
                    sources[str(key.value)] = item
        return Node(
            {
                k: to_node(sources.get(k), v, _line_of(sources.get(k), line))
                for k, v in value.items()
            },
            line,
        )
    if isinstance(value, list):
        items: tuple[Expr | None, ...] = expr.items if isinstance(expr, TupleExpr) else ()
        if len(items) != len(value):
            items = (None,) * len(value)
        return Node(
            [to_node(item, v, _line_of(item, line)) for item, v in zip(items, value, strict=True)],
            line,
        )
    return Node(value, line)


def _line_of(expr: Expr | None, fallback: int) -> int:
    return expr.line if expr is not None else fallback


def _holes_unknown(node: Node) -> Node:
    """A JSON tree read from a template with holes: values with a hole are UNKNOWN."""
    if isinstance(node.value, dict):
        if any(_HOLE in k for k in node.value):
            return Node(UNKNOWN, node.line)
        return Node({k: _holes_unknown(v) for k, v in node.value.items()}, node.line)
    if isinstance(node.value, list):
        return Node([_holes_unknown(v) for v in node.value], node.line)
    if isinstance(node.value, str) and _HOLE in node.value:
        return Node(UNKNOWN, node.line)
    return node


# --- the module instance ----------------------------------------------------------------


class ModuleView:
    """What a check may see of the module instance a resource belongs to."""

    def __init__(self, address: str, directory: str, parent: ModuleView | None = None) -> None:
        self.address = address  # "" for the root module, else "module.x" or "module.x[0]"
        self.directory = directory  # relative to the scan root; "" for the root
        self.parent = parent  # the calling module instance; None for the root
        self.root: ModuleView = parent.root if parent is not None else self
        self.resources: list[Resource] = []
        self._views: list[ModuleView] = []  # on the root: every module instance
        self.root._views.append(self)

    def by_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def everywhere(self, kind: str) -> list[Resource]:
        """Resources of ``kind`` in every module instance of the same root evaluation."""
        return [r for view in self.root._views for r in view.by_kind(kind)]

    def find(self, address: str) -> list[Resource]:
        """The resources (every instance) at ``address`` (without instance keys)."""
        return [r for r in self.resources if r.context.get("address") == address]


@dataclass(slots=True)
class Run:
    """What every module instance of one root evaluation shares."""

    load: Callable[[str], Mapping[str, bytes]]
    files: FileCache
    budget: Budget = field(default_factory=Budget)
    resources_left: int = MAX_RESOURCES
    modules_left: int = MAX_MODULE_INSTANCES
    truncated: bool = False
    instantiated: set[str] = field(default_factory=set)  # directories given an instance


class Instance:
    def __init__(
        self,
        run: Run,
        config: ModuleConfig,
        inputs: Mapping[str, Callable[[], Any]],
        *,
        prefix: str = "",
        chain: tuple[str, ...] = (),
        root_directory: str | None = None,
        parent: ModuleView | None = None,
    ) -> None:
        self.run = run
        self.config = config
        self.prefix = prefix  # "" or "module.x." / "module.x[0].module.y."
        self.chain = (*chain, config.directory)
        self.root_directory = config.directory if root_directory is None else root_directory
        self.view = ModuleView(prefix.removesuffix("."), config.directory, parent)
        self.evaluator = Evaluator(self._root, run.budget)
        self._inputs = inputs
        self._values: dict[str, Any] = {}
        self._active: set[str] = set()
        self._children: dict[str, list[tuple[str, Instance]]] = {}
        run.instantiated.add(config.directory)

    # --- names --------------------------------------------------------------------------

    def _root(self, name: str) -> Any:
        if name == "var":
            return Namespace(self.variable)
        if name == "local":
            return Namespace(self.local)
        if name == "module":
            return Namespace(self._module)
        if name == "path":
            return {
                "module": self.config.directory or ".",
                "root": self.root_directory or ".",
                "cwd": UNKNOWN,
            }
        return UNKNOWN  # count/each outside an instance, self, terraform, data, resources

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._active or len(self._active) >= MAX_NESTING:
            return UNKNOWN  # a cycle (Terraform rejects it) or nesting beyond the limit
        self._active.add(key)
        try:
            value = compute()
        finally:
            self._active.discard(key)
        self._values[key] = value
        return value

    def variable(self, name: str) -> Any:
        def compute() -> Any:
            if name in self._inputs:
                return self._inputs[name]()
            block = self.config.variables.get(name)
            default = block.body.attributes.get("default") if block is not None else None
            if default is None:
                return UNKNOWN  # no value and no default: Terraform would ask for one
            return _CONSTANT.evaluate(default.expr)

        return self._once(f"var.{name}", compute)

    def local(self, name: str) -> Any:
        attribute = self.config.locals.get(name)
        if attribute is None:
            return UNKNOWN
        return self._once(f"local.{name}", lambda: self.evaluator.evaluate(attribute.expr))

    def output(self, name: str) -> Any:
        block = self.config.outputs.get(name)
        value = block.body.attributes.get("value") if block is not None else None
        if value is None:
            return UNKNOWN
        return self._once(f"output.{name}", lambda: self.evaluator.evaluate(value.expr))

    def _module(self, name: str) -> Any:
        call = next((c for c in self.config.calls if c.labels[0] == name), None)
        if call is None or "count" in call.body.attributes or "for_each" in call.body.attributes:
            return UNKNOWN
        instances = self.children(call)
        if len(instances) != 1:
            return UNKNOWN
        return Namespace(instances[0][1].output)

    # --- expansion ------------------------------------------------------------------------

    def instances(self, body: Body) -> list[tuple[str, dict[str, Any]]]:
        """(instance key, bindings) for each instance a block's count/for_each makes."""
        count = body.attributes.get("count")
        if count is not None:
            value = self.evaluator.evaluate(count.expr)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return [("", {"count": {"index": UNKNOWN}})]
            if value <= 0:
                return []
            if value > MAX_INSTANCES or not float(value).is_integer():
                return [("", {"count": {"index": UNKNOWN}})]
            return [(f"[{i}]", {"count": {"index": i}}) for i in range(int(value))]
        for_each = body.attributes.get("for_each")
        if for_each is None:
            return [("", {})]
        unknown = [("", {"each": {"key": UNKNOWN, "value": UNKNOWN}})]
        value = self.evaluator.evaluate(for_each.expr)
        pairs: list[tuple[str, Any]]
        if isinstance(value, dict):
            pairs = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            if any(has_unknown(v) for v in value):
                return unknown
            try:
                keys = sorted({to_string(v) for v in value})
            except EvalError:
                return unknown
            pairs = [(k, k) for k in keys]
        else:
            return unknown
        if len(pairs) > MAX_INSTANCES:
            return unknown
        return [(f"[{json.dumps(k)}]", {"each": {"key": k, "value": v}}) for k, v in pairs]

    def children(self, call: Block) -> list[tuple[str, Instance]]:
        """The instances of a local module call (none for other sources)."""
        name = call.labels[0]
        if name not in self._children:
            self._children[name] = []
            self._children[name] = self._load_children(call)
        return self._children[name]

    def _load_children(self, call: Block) -> list[tuple[str, Instance]]:
        target = local_source(self.config.directory, call)
        if target is None or target in self.chain or len(self.chain) >= MAX_MODULE_DEPTH:
            return []
        files = self.run.load(target)
        if not any(is_config(p) for p in files):
            return []
        config = read_module(target, files, self.run.files)
        out: list[tuple[str, Instance]] = []
        for key, bindings in self.instances(call.body):
            if self.run.modules_left <= 0:
                self.run.truncated = True
                break
            self.run.modules_left -= 1
            inputs = {
                arg: functools.partial(self.evaluator.evaluate, attribute.expr, bindings)
                for arg, attribute in call.body.attributes.items()
                if arg not in MODULE_META
            }
            child = Instance(
                self.run,
                config,
                inputs,
                prefix=f"{self.prefix}module.{call.labels[0]}{key}.",
                chain=self.chain,
                root_directory=self.root_directory,
                parent=self.view,
            )
            out.append((key, child))
        return out

    # --- resources --------------------------------------------------------------------------

    def resources(self) -> Iterator[Resource]:
        """This instance's resources and data sources, then those of its module calls."""
        for block in self.config.resources:
            made: list[Resource] = []
            for key, bindings in self.instances(block.body):
                if self.run.resources_left <= 0:
                    self.run.truncated = True
                    return
                self.run.resources_left -= 1
                made.append(self._resource(block, key, bindings))
            self.view.resources.extend(made)
            yield from made
        for call in self.config.calls:
            for _, child in self.children(call):
                yield from child.resources()

    def _resource(self, block: Block, key: str, bindings: dict[str, Any]) -> Resource:
        type_, name = block.labels[0], block.labels[1]
        kind = type_ if block.type == "resource" else f"data.{type_}"
        address = f"{self.prefix}{kind}.{name}"
        attributes = {n: a for n, a in block.body.attributes.items() if n not in RESOURCE_META}
        body = self._body(block.body, bindings, block.line, 0, RESOURCE_META)
        references = {n: self.references(a.expr) for n, a in attributes.items()}
        for nested in block.body.blocks:
            name = nested.labels[0] if nested.type == "dynamic" and nested.labels else nested.type
            found = set(references.get(name, ())) | set(self._block_references(nested.body, 0))
            references[name] = tuple(sorted(found))
        decoded: dict[str, Node] = {}
        for n, a in attributes.items():
            document = self._decoded(a, bindings)
            if document is not None:
                decoded[n] = document
        context: dict[str, Any] = {
            "module": self.view,
            "address": address,
            "references": references,
            "decoded": decoded,
            "instance_key": key or None,
        }
        return Resource(FORMAT, kind, address + key, block.path, block.line, body, context)

    def _body(
        self,
        body: Body,
        bindings: dict[str, Any],
        line: int,
        depth: int,
        skip: frozenset[str] = frozenset(),
    ) -> Node:
        values: dict[str, Node] = {}
        for name, attribute in body.attributes.items():
            if name not in skip:
                value = self.evaluator.evaluate(attribute.expr, bindings)
                values[name] = to_node(attribute.expr, value, attribute.line)
        blocks: dict[str, list[Node]] = {}
        for block in body.blocks:
            if depth > 32:
                blocks.setdefault(block.type, []).append(Node(UNKNOWN, block.line))
            elif block.type == "dynamic" and block.labels:
                nodes = self._dynamic(block, bindings, depth)
                blocks.setdefault(block.labels[0], []).extend(nodes)
            else:
                node = self._body(block.body, bindings, block.line, depth + 1)
                blocks.setdefault(block.type, []).append(node)
        for name, nodes in blocks.items():
            values[name] = Node(nodes, nodes[0].line if nodes else line)
        return Node(values, line)

    def _dynamic(self, block: Block, bindings: dict[str, Any], depth: int) -> list[Node]:
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None:
            return []
        iterator = block.labels[0]
        named = block.body.attributes.get("iterator")
        if named is not None and isinstance(named.expr, Ref):
            iterator = named.expr.name
        for_each = block.body.attributes.get("for_each")
        value = UNKNOWN if for_each is None else self.evaluator.evaluate(for_each.expr, bindings)
        pairs: list[tuple[Any, Any]]
        if isinstance(value, dict):
            pairs = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            pairs = list(enumerate(value))
        else:
            return [Node(UNKNOWN, block.line)]
        if len(pairs) > MAX_DYNAMIC:
            return [Node(UNKNOWN, block.line)]
        nodes: list[Node] = []
        for key, item in pairs:
            inner = dict(bindings)
            inner[iterator] = {"key": key, "value": item}
            nodes.append(self._body(content.body, inner, block.line, depth + 1))
        return nodes

    # --- what an attribute refers to ------------------------------------------------------

    def references(self, expr: Expr) -> tuple[str, ...]:
        """The addresses (resources, data sources, module calls) ``expr`` refers to,
        directly or through locals; absolute (with this instance's module prefix)."""
        found: set[str] = set()
        seen: set[str] = set()
        stack: list[tuple[Expr, frozenset[str]]] = [(expr, frozenset())]
        steps = 0
        while stack and steps < 20_000:
            steps += 1
            node, bound = stack.pop()
            if isinstance(node, ForExpr):
                names = {node.value_var} | ({node.key_var} if node.key_var else set())
                bound = bound | names
            address = _address(node, bound)
            if address is not None and address.startswith("local."):
                name = address.removeprefix("local.")
                local = self.config.locals.get(name)
                if local is not None and name not in seen:
                    seen.add(name)
                    stack.append((local.expr, frozenset()))
            elif address is not None:
                found.add(self.prefix + address)
            stack.extend((child, bound) for child in children(node))
        return tuple(sorted(found))

    def _block_references(self, body: Body, depth: int) -> Iterator[str]:
        """Every address the arguments of a nested block (and its own blocks) refer to."""
        for attribute in body.attributes.values():
            yield from self.references(attribute.expr)
        if depth < 32:
            for nested in body.blocks:
                yield from self._block_references(nested.body, depth + 1)

    def _decoded(self, attribute: Attribute, bindings: dict[str, Any]) -> Node | None:
        """The JSON document an attribute holds, with lines, when written in place:
        ``jsonencode({...})``, or a heredoc/string of JSON (unknown interpolations are
        UNKNOWN values inside it)."""
        expr = attribute.expr
        if isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
            if expr.expand:
                return None
            value = self.evaluator.evaluate(expr.args[0], bindings)
            return to_node(expr.args[0], value, attribute.line)
        if isinstance(expr, Literal) and isinstance(expr.value, str):
            return _json_document(expr.value, expr.line)
        if isinstance(expr, Template) and not expr.directive and len(expr.parts) > 1:
            pieces: list[str] = []
            for part in expr.parts:
                if isinstance(part, str):
                    pieces.append(part)
                    continue
                value = self.evaluator.evaluate(part, bindings)
                try:
                    pieces.append(_HOLE if has_unknown(value) else to_string(value))
                except EvalError:
                    return None
            return _json_document("".join(pieces), expr.line)
        return None


_CONSTANT = Evaluator(lambda name: UNKNOWN)


def _json_document(text: str, line: int) -> Node | None:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return _holes_unknown(load_json(text, line))
    except JSONLinesError:
        return None


def _address(expr: Expr, bound: frozenset[str]) -> str | None:
    if not isinstance(expr, GetAttr):
        return None
    names: list[str] = []
    node: Expr = expr
    while isinstance(node, GetAttr | Index | Splat):
        if isinstance(node, GetAttr):
            names.append(node.name)
            node = node.obj
        elif isinstance(node, Index):
            node = node.obj
        else:
            node = node.source
    if not isinstance(node, Ref) or node.name in NOT_RESOURCES or node.name in bound:
        return None
    names.reverse()
    root = node.name
    if root == "data":
        return f"data.{names[0]}.{names[1]}" if len(names) >= 2 else None
    return f"{root}.{names[0]}" if names else None


def local_source(directory: str, call: Block) -> str | None:
    """The directory a module call loads, when its source is a local path."""
    source = call.body.attributes.get("source")
    if source is None or not isinstance(source.expr, Literal):
        return None
    path = source.expr.value
    if not isinstance(path, str) or not path.startswith(("./", "../")):
        return None  # registry, git, http, s3...: not loaded
    target = posixpath.normpath(posixpath.join(directory, path))
    if target == "." or target == "":
        return ""
    if target == ".." or target.startswith("../") or target.startswith("/"):
        return None
    return target


def fold(resources: list[Resource]) -> list[Resource]:
    """Resources written once and evaluated alike (instances of count, for_each, or a
    module called several times) become one, under the address without instance keys
    when they share it: one finding per problem in the code, not one per copy."""
    groups: dict[tuple[str, str, int | None, str], list[Resource]] = {}
    for resource in resources:
        groups.setdefault(identity(resource), []).append(resource)
    out: list[Resource] = []
    for group in groups.values():
        first = group[0]
        names = {strip_keys(r.name) for r in group}
        if len(group) > 1 and len(names) == 1:
            context = {**first.context, "instance_key": None}
            first = replace(first, name=names.pop(), context=context)
        out.append(first)
    return out


def identity(resource: Resource) -> tuple[str, str, int | None, str]:
    """What makes two resources the same problem to report: where, what, and how."""
    references = resource.context.get("references", {})
    view = resource.context.get("module")
    prefix = f"{view.address}." if isinstance(view, ModuleView) and view.address else ""
    stripped = {
        k: tuple(strip_keys(a.removeprefix(prefix)) for a in v)
        for k, v in sorted(references.items())
    }
    return (resource.kind, resource.path, resource.line, repr((resource.body, stripped)))
