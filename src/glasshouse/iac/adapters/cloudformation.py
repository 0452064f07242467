"""AWS CloudFormation and SAM templates, YAML or JSON, into one resource per template resource.

A file is a template when its top-level mapping has ``Resources`` and either a template
key (``AWSTemplateFormatVersion``, ``Transform``) or resources whose ``Type`` names a
provider (``AWS::S3::Bucket``). Anything else, most YAML and JSON files, is ``[]``; files
without ``AWS::`` (or ``AWSTemplateFormatVersion``) and a ``Resources`` key are not even
parsed. A file that looks like a template and cannot be read (invalid YAML or JSON, a
``Resources`` that is not a mapping, a resource without a ``Type``) is an ``AdapterError``.

Intrinsic functions are written in two forms, short YAML tags (``!Ref Name``) and long
mappings (``{"Ref": "Name"}``, ``Fn::Sub:``); both are normalised to the long form, which
``context["raw"]`` keeps for each resource. ``Properties`` are then evaluated as far as
the template alone decides them:

* ``Ref`` to a parameter with a ``Default`` is that default. A deployment can override
  it, but the default is what the template says, so checks judge it (a parameter of an
  ``AWS::SSM::Parameter::Value<...>`` type is UNKNOWN: its default names an SSM
  parameter, not the value). ``Ref`` to a parameter without a default, to a resource or
  to a pseudo parameter (``AWS::Region``...) is UNKNOWN; ``Ref: AWS::NoValue`` removes the
  property (or list element) that holds it.
* ``Fn::Sub`` with only known pieces is the string; ``Fn::Join``, ``Fn::Select``,
  ``Fn::Split``, ``Fn::Base64``, ``Fn::Length`` and ``Fn::FindInMap`` (over ``Mappings``)
  compute when their arguments are known.
* ``Fn::If`` picks its branch when the condition can be decided (``Fn::Equals`` of known
  values, ``Fn::And``/``Or``/``Not``, other conditions); else UNKNOWN, unless both
  branches are the same value.
* ``Fn::GetAtt``, ``Fn::ImportValue``, ``Fn::GetAZs``, ``Fn::Cidr``, ``Fn::Transform``
  and anything else is UNKNOWN.

A value taken from ``Parameters`` or ``Mappings`` carries the line of the intrinsic that
used it, so a finding points into the resource. A resource whose ``Condition`` is
decided false is not created and not judged; one whose condition is undecided is.
SAM ``Globals`` are merged into the properties of ``AWS::Serverless::*`` resources
(mappings merged, lists appended, the resource's own scalars win). ``Fn::ForEach`` loops
of the language extensions are not expanded (their resources are not judged).

Each resource has ``kind`` = its ``Type``, ``name`` = its logical id, ``line`` = the
logical id's line, and in ``context``: ``"template"`` (every created resource of the
file by logical id, shared), ``"raw"`` (the resource as written, long-form intrinsics,
not evaluated: checks follow ``Ref``/``Fn::GetAtt`` between resources with
:func:`referenced`) and ``"suppressions"``: ``Metadata: {glasshouse: {allow: [{id:
CHECK-ID, reason: ...}]}}`` as ``{check_id: reason}`` (JSON has no comments; in YAML a
``# glasshouse:allow CHECK-ID reason`` comment works too). An entry without a reason
suppresses nothing.

JSON is read by a small iterative reader of our own that records every value's line
(``json.loads`` cannot); it is linear in the input and refuses nesting deeper than
``MAX_DEPTH``, like the evaluation itself.
"""

from __future__ import annotations

import base64
import json.decoder
import re
from collections.abc import Callable
from json.decoder import JSONDecodeError
from typing import Any, NoReturn

from glasshouse.iac.adapter import Adapter
from glasshouse.iac.adapters import gitlab_ci
from glasshouse.iac.model import UNKNOWN, AdapterError, Node, Resource
from glasshouse.iac.yaml_nodes import load_documents

FORMAT = "cloudformation"
MAX_DEPTH = 200
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_RESOURCES_KEY = re.compile(rb"""["']?Resources["']?\s*:""")
NESTED = "nested too deeply"

# Short YAML forms and the long form each stands for.
SHORT_FORMS: dict[str, str] = {"!Ref": "Ref", "!Condition": "Condition"} | {
    f"!{name}": f"Fn::{name}"
    for name in (
        "And",
        "Base64",
        "Cidr",
        "Contains",
        "EachMemberEquals",
        "EachMemberIn",
        "Equals",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "If",
        "ImportValue",
        "Join",
        "Length",
        "Not",
        "Or",
        "RefAll",
        "Select",
        "Split",
        "Sub",
        "ToJsonString",
        "Transform",
        "ValueOf",
        "ValueOfAll",
    )
}
TAGS = frozenset(SHORT_FORMS)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LIST_TYPES = ("CommaDelimitedList", "List<")


def matches(base: str, relative: str) -> bool:
    # GitLab CI files have tags of their own (`!reference`) and are never templates.
    return base.lower().endswith(_SUFFIXES) and not gitlab_ci.matches(base, relative)


def parse(path: str, data: bytes) -> list[Resource]:
    # Most YAML and JSON is no template: without these bytes it cannot be one.
    if b"AWS::" not in data and b"AWSTemplateFormatVersion" not in data:
        return []
    if _RESOURCES_KEY.search(data) is None:
        return []
    try:
        return _parse(path, data)
    except RecursionError:
        raise AdapterError(f"invalid template: {NESTED}") from None


def _parse(path: str, data: bytes) -> list[Resource]:
    text = _decode(data)
    lines = text.split("\n")
    yaml_lines: list[str] | None = None
    if _is_json(path, text):
        root = JsonReader(text).document()
    else:
        documents = load_documents(data, keep_tags=TAGS)
        if len(documents) != 1:
            return []  # CloudFormation reads exactly one document
        root = documents[0]
        yaml_lines = lines
    if not isinstance(root.value, dict) or "Resources" not in root.value:
        return []
    root = normalise(root, yaml_lines)
    declared = root.get("Resources")
    if declared is None or not isinstance(declared.value, dict):
        if _declares_template(root):
            raise AdapterError("Resources is not a mapping")
        return []  # some other document with a Resources key
    if not _declares_template(root) and not _typed(declared):
        return []
    resolver = Resolver(root)
    globals_ = root.get("Globals")
    template: dict[str, Resource] = {}
    for logical_id, raw in declared.items():
        if logical_id.startswith("Fn::ForEach::"):
            continue  # a language-extensions loop: its resources are not expanded
        if not isinstance(raw.value, dict):
            raise AdapterError(f"resource {logical_id} is not a mapping")
        kind_node = raw.get("Type")
        kind = kind_node.value if kind_node is not None else None
        if not isinstance(kind, str) or not kind:
            raise AdapterError(f"resource {logical_id} has no Type")
        condition = raw.get("Condition")
        if condition is not None and resolver.condition(condition.text(), 0) is False:
            continue  # never created
        raw = _with_globals(raw, kind, globals_)
        template[logical_id] = _resource(path, logical_id, kind, raw, resolver, lines, template)
    return list(template.values())


def _resource(
    path: str,
    logical_id: str,
    kind: str,
    raw: Node,
    resolver: Resolver,
    lines: list[str],
    template: dict[str, Resource],
) -> Resource:
    body = dict(raw.value)
    properties = raw.get("Properties")
    if properties is not None:
        resolved = resolver.resolve(properties, 0)
        if resolved is None:
            del body["Properties"]
        else:
            body["Properties"] = resolved
    return Resource(
        format=FORMAT,
        kind=kind,
        name=logical_id,
        path=path,
        line=_key_line(lines, logical_id, raw.line),
        body=Node(body, raw.line),
        context={"template": template, "raw": raw, "suppressions": _suppressions(raw)},
    )


def referenced(resource: Resource, *path: str | int) -> str | None:
    """The logical id of the template resource that the value at ``path`` of
    ``resource`` (as written: ``"Properties", "Bucket"``) names with ``Ref`` or
    ``Fn::GetAtt``; None when it names none of the file's resources."""
    raw = resource.context.get("raw")
    template = resource.context.get("template")
    if not isinstance(raw, Node) or not isinstance(template, dict):
        return None
    node = raw.get(*path)
    if node is None or not isinstance(node.value, dict) or len(node.value) != 1:
        return None
    ((function, argument),) = node.value.items()
    target: Any = None
    if function == "Ref":
        target = argument.value
    elif function == "Fn::GetAtt":
        first = argument.get(0)
        target = first.value if first is not None else None
    return target if isinstance(target, str) and target in template else None


# --- reading the file -------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdapterError(f"not UTF-8 text (byte {exc.start})") from None


def _is_json(path: str, text: str) -> bool:
    lower = path.lower()
    if lower.endswith(".json"):
        return True
    return lower.endswith(".template") and text.lstrip().startswith("{")


def _declares_template(root: Node) -> bool:
    return root.get("AWSTemplateFormatVersion") is not None or root.get("Transform") is not None


def _typed(resources: Node) -> bool:
    """Some resource has a provider ``Type`` such as ``AWS::S3::Bucket``."""
    for _, resource in resources.items():
        kind = resource.get("Type")
        if kind is not None and isinstance(kind.value, str) and "::" in kind.value:
            return True
    return False


def _key_line(lines: list[str], key: str, line: int | None) -> int | None:
    """The line of ``key:`` at or just above ``line`` (where its value starts): a YAML
    block mapping starts on the line after its key."""
    if line is None:
        return None
    for number in range(min(line, len(lines)), max(0, line - 20), -1):
        if _declares(lines[number - 1], key):
            return number
    return line


def _declares(line: str, key: str) -> bool:
    """Whether the text line starts with ``key:`` (indented, quoted or after ``- ``)."""
    rest = line.lstrip(" \t")
    while rest.startswith("-") and rest[1:2] in (" ", "\t"):
        rest = rest[1:].lstrip(" \t")
    quote = rest[:1] if rest[:1] in ("'", '"') else ""
    written = f"{quote}{key}{quote}"
    return rest.startswith(written) and rest[len(written) :].lstrip(" \t").startswith(":")


def _suppressions(raw: Node) -> dict[str, str]:
    allow = raw.get("Metadata", "glasshouse", "allow")
    found: dict[str, str] = {}
    for entry in allow.elements() if allow is not None else ():
        check = entry.get("id")
        reason = entry.get("reason")
        check_id = check.text() if check is not None else None
        because = reason.text() if reason is not None else None
        if check_id and because and because.strip():
            found[check_id.strip()] = because.strip()
    return found


def _with_globals(raw: Node, kind: str, globals_: Node | None) -> Node:
    """A SAM resource with its ``Globals`` section merged into its properties."""
    if globals_ is None or not kind.startswith("AWS::Serverless::"):
        return raw
    section = globals_.get(kind.removeprefix("AWS::Serverless::"))
    if section is None or not isinstance(section.value, dict):
        return raw
    own = raw.get("Properties")
    merged = _merge(section, own) if own is not None else section
    return Node({**raw.value, "Properties": merged}, raw.line)


def _merge(base: Node, own: Node) -> Node:
    if isinstance(base.value, dict) and isinstance(own.value, dict):
        merged = dict(base.value)
        for key, value in own.value.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return Node(merged, own.line)
    if isinstance(base.value, list) and isinstance(own.value, list):
        return Node([*base.value, *own.value], own.line)
    return own


def normalise(node: Node, lines: list[str] | None = None, depth: int = 0) -> Node:
    """The tree with every short-form tag (``{"!Ref": x}``) in its long form
    (``{"Ref": x}``), and ``Fn::GetAtt: "A.B"`` as ``["A", "B"]``. With the YAML text's
    ``lines``, a block mapping or list gets the line of its key, as in JSON (YAML starts
    it on the line of its first entry)."""
    if depth > MAX_DEPTH:
        raise AdapterError(f"invalid template: {NESTED}")
    value = node.value
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, argument),) = value.items()
            long = SHORT_FORMS.get(key)
            if long is not None or key == "Fn::GetAtt":
                argument = normalise(argument, lines, depth + 1)
                name = long or key
                if name == "Fn::GetAtt" and isinstance(argument.value, str):
                    parts = argument.value.split(".", 1)
                    argument = Node([Node(p, argument.line) for p in parts], argument.line)
                return Node({name: argument}, node.line)
        entries: dict[str, Node] = {}
        for key, item in value.items():
            item = normalise(item, lines, depth + 1)
            if lines is not None and isinstance(item.value, dict | list):
                item = Node(item.value, _key_line(lines, key, item.line))
            entries[key] = item
        return Node(entries, node.line)
    if isinstance(value, list):
        return Node([normalise(v, lines, depth + 1) for v in value], node.line)
    return node


# --- evaluating intrinsic functions -----------------------------------------------------


def _scalar(node: Node | None) -> str | None:
    """A known scalar as CloudFormation would write it in a string, else None."""
    if node is None:
        return None
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _relined(node: Node, line: int | None, depth: int = 0) -> Node:
    if depth > MAX_DEPTH:
        raise AdapterError(f"invalid template: {NESTED}")
    value = node.value
    if isinstance(value, dict):
        value = {k: _relined(v, line, depth + 1) for k, v in value.items()}
    elif isinstance(value, list):
        value = [_relined(v, line, depth + 1) for v in value]
    return Node(value, line)


class Resolver:
    """Evaluates the intrinsic functions of one template (see the module notes)."""

    def __init__(self, root: Node) -> None:
        self._parameters = dict(_mapping_items(root.get("Parameters")))
        self._mappings = root.get("Mappings")
        self._conditions = dict(_mapping_items(root.get("Conditions")))
        self._decided: dict[str, Any] = {}
        self._deciding: set[str] = set()

    def resolve(self, node: Node, depth: int) -> Node | None:
        """The evaluated node; None when it is ``AWS::NoValue`` (removed)."""
        if depth > MAX_DEPTH:
            raise AdapterError(f"invalid template: {NESTED}")
        value = node.value
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                function = _FUNCTIONS.get(key)
                if function is not None:
                    return function(self, argument, node.line, depth + 1)
                if key.startswith("Fn::"):
                    return Node(UNKNOWN, node.line)
            resolved = {}
            for key, item in value.items():
                result = self.resolve(item, depth + 1)
                if result is not None:
                    resolved[key] = result
            return Node(resolved, node.line)
        if isinstance(value, list):
            items = (self.resolve(item, depth + 1) for item in value)
            return Node([item for item in items if item is not None], node.line)
        return node

    def _known(self, node: Node, depth: int) -> Node | None:
        """Resolved, or None when it is UNKNOWN or removed."""
        result = self.resolve(node, depth)
        return None if result is None or result.value is UNKNOWN else result

    # Each function takes (argument, line of the call, depth).

    def _ref(self, argument: Node, line: int | None, depth: int) -> Node | None:
        name = argument.value
        if name == "AWS::NoValue":
            return None
        if not isinstance(name, str) or name not in self._parameters:
            return Node(UNKNOWN, line)  # a resource, a pseudo parameter, or unknowable
        parameter = self._parameters[name]
        default = parameter.get("Default")
        kind = _scalar(parameter.get("Type")) or ""
        if default is None or kind.startswith("AWS::SSM::Parameter::Value"):
            return Node(UNKNOWN, line)
        if kind.startswith(_LIST_TYPES) and isinstance(default.value, str):
            items = [Node(part.strip(), line) for part in default.value.split(",")]
            return Node(items, line)
        return _relined(default, line)

    def _sub(self, argument: Node, line: int | None, depth: int) -> Node | None:
        variables: dict[str, Node | None] = {}
        pattern: Node | None = argument
        if isinstance(argument.value, list):
            pattern = argument.get(0)
            names = argument.get(1)
            for name, value in names.items() if names is not None else ():
                variables[name] = self.resolve(value, depth + 1)
        template = pattern.value if pattern is not None else None
        if not isinstance(template, str):
            return Node(UNKNOWN, line)
        unknown = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
            name = name.strip()
            if name in variables:
                value = variables[name]
            elif "." in name:
                value = None  # ${Resource.Attribute}: Fn::GetAtt
            else:
                value = self._ref(Node(name, line), line, depth + 1)
            text = _scalar(value)
            if text is None:
                unknown = True
                return ""
            return text

        result = _SUB_VARIABLE.sub(substitute, template)
        return Node(UNKNOWN if unknown else result, line)

    def _join(self, argument: Node, line: int | None, depth: int) -> Node | None:
        delimiter, values = argument.get(0), argument.get(1)
        if delimiter is None or values is None or not isinstance(delimiter.value, str):
            return Node(UNKNOWN, line)
        resolved = self._known(values, depth)
        if resolved is None or not isinstance(resolved.value, list):
            return Node(UNKNOWN, line)
        pieces = [_scalar(item) for item in resolved.value]
        if any(piece is None for piece in pieces):
            return Node(UNKNOWN, line)
        return Node(delimiter.value.join(p for p in pieces if p is not None), line)

    def _select(self, argument: Node, line: int | None, depth: int) -> Node | None:
        index_node, values = argument.get(0), argument.get(1)
        if index_node is None or values is None:
            return Node(UNKNOWN, line)
        index = self._known(index_node, depth)
        resolved = self._known(values, depth)
        text = _scalar(index)
        if text is None or not text.isdigit() or resolved is None:
            return Node(UNKNOWN, line)
        chosen = resolved.get(int(text))
        return chosen if chosen is not None else Node(UNKNOWN, line)

    def _split(self, argument: Node, line: int | None, depth: int) -> Node | None:
        delimiter, source = argument.get(0), argument.get(1)
        if delimiter is None or source is None or not isinstance(delimiter.value, str):
            return Node(UNKNOWN, line)
        resolved = self._known(source, depth)
        if resolved is None or not isinstance(resolved.value, str) or not delimiter.value:
            return Node(UNKNOWN, line)
        return Node([Node(part, line) for part in resolved.value.split(delimiter.value)], line)

    def _base64(self, argument: Node, line: int | None, depth: int) -> Node | None:
        resolved = self._known(argument, depth)
        if resolved is None or not isinstance(resolved.value, str):
            return Node(UNKNOWN, line)
        return Node(base64.b64encode(resolved.value.encode()).decode("ascii"), line)

    def _length(self, argument: Node, line: int | None, depth: int) -> Node | None:
        resolved = self._known(argument, depth)
        if resolved is None or not isinstance(resolved.value, list):
            return Node(UNKNOWN, line)
        return Node(len(resolved.value), line)

    def _find_in_map(self, argument: Node, line: int | None, depth: int) -> Node | None:
        keys = [argument.get(i) for i in range(3)]
        texts = [_scalar(self._known(k, depth)) if k is not None else None for k in keys]
        if self._mappings is not None and all(t is not None for t in texts):
            found = self._mappings.get(*(t for t in texts if t is not None))
            if found is not None:
                resolved = self.resolve(found, depth)
                return _relined(resolved, line) if resolved is not None else None
        fallback = argument.get(3, "DefaultValue")  # the language extensions' default
        if fallback is not None and all(t is not None for t in texts):
            return self.resolve(fallback, depth)
        return Node(UNKNOWN, line)

    def _if(self, argument: Node, line: int | None, depth: int) -> Node | None:
        name, then, otherwise = argument.get(0), argument.get(1), argument.get(2)
        if name is None or then is None or otherwise is None:
            return Node(UNKNOWN, line)
        decided = self.condition(name.text(), depth)
        if decided is True:
            return self.resolve(then, depth)
        if decided is False:
            return self.resolve(otherwise, depth)
        first, second = self.resolve(then, depth), self.resolve(otherwise, depth)
        same = first is not None and second is not None and first.known and second.known
        if same and first is not None and second is not None and first.plain() == second.plain():
            return first  # the same value whichever way the condition goes
        return Node(UNKNOWN, line)

    # --- conditions: True, False or UNKNOWN ---------------------------------------------

    def condition(self, name: str | None, depth: int) -> Any:
        if name is None or name not in self._conditions:
            return UNKNOWN
        if name in self._decided:
            return self._decided[name]
        if name in self._deciding:
            return UNKNOWN  # a cycle, which CloudFormation rejects
        self._deciding.add(name)
        try:
            result = self.decide(self._conditions[name], depth + 1)
        finally:
            self._deciding.discard(name)
        self._decided[name] = result
        return result

    def decide(self, node: Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise AdapterError(f"invalid template: {NESTED}")
        value = node.value
        if isinstance(value, bool):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            return UNKNOWN
        ((function, argument),) = value.items()
        operands = list(argument.elements())
        if function == "Condition":
            return self.condition(argument.text(), depth + 1)
        if function == "Fn::Equals" and len(operands) == 2:
            left, right = (_scalar(self._known(o, depth + 1)) for o in operands)
            return UNKNOWN if left is None or right is None else left == right
        if function == "Fn::Not" and len(operands) == 1:
            inner = self.decide(operands[0], depth + 1)
            return UNKNOWN if inner is UNKNOWN else not inner
        if function in ("Fn::And", "Fn::Or") and operands:
            results = [self.decide(o, depth + 1) for o in operands]
            decisive = function == "Fn::Or"  # the value that settles it
            if any(r is decisive for r in results):
                return decisive
            return UNKNOWN if any(r is UNKNOWN for r in results) else not decisive
        return UNKNOWN


def _mapping_items(node: Node | None) -> list[tuple[str, Node]]:
    return list(node.items()) if node is not None and isinstance(node.value, dict) else []


Function = Callable[[Resolver, Node, int | None, int], Node | None]


def _condition_function(function: str) -> Function:
    """Fn::Equals & co. outside ``Conditions`` (in ``Rules``): a boolean when decidable."""

    def evaluate(resolver: Resolver, argument: Node, line: int | None, depth: int) -> Node:
        return Node(resolver.decide(Node({function: argument}, line), depth), line)

    return evaluate


_FUNCTIONS: dict[str, Function] = {
    "Ref": Resolver._ref,
    "Fn::Sub": Resolver._sub,
    "Fn::Join": Resolver._join,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::Base64": Resolver._base64,
    "Fn::Length": Resolver._length,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::If": Resolver._if,
}
for _function in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
    _FUNCTIONS[_function] = _condition_function(_function)


# --- JSON with lines --------------------------------------------------------------------

# The standard library's string scanner (C-accelerated): (text, start, strict) -> (str, end).
_SCANSTRING: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS: tuple[tuple[str, bool | None], ...] = (("true", True), ("false", False), ("null", None))


class JsonReader:
    """One strict JSON document as a Node tree with lines, read without recursion."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1
        self._counted = 0

    def document(self) -> Node:
        # Open containers: [mapping or list, its line, the key awaiting its value].
        stack: list[list[Any]] = []
        self._skip()
        while True:
            node = self._value(stack)
            if node is None:
                continue  # a container opened: read its first value
            while True:
                if not stack:
                    self._skip()
                    if self._pos != len(self._text):
                        self._fail("extra data after the document")
                    return node
                frame = stack[-1]
                container = frame[0]
                if isinstance(container, dict):
                    container[frame[2]] = node
                else:
                    container.append(node)
                self._skip()
                char = self._text[self._pos : self._pos + 1]
                if char == ",":
                    self._pos += 1
                    self._skip()
                    if isinstance(container, dict):
                        frame[2] = self._key()
                    break
                closer = "}" if isinstance(container, dict) else "]"
                if char != closer:
                    self._fail(f"expected ',' or '{closer}'")
                self._pos += 1
                stack.pop()
                node = Node(container, frame[1])

    def _value(self, stack: list[list[Any]]) -> Node | None:
        text, pos = self._text, self._pos
        char = text[pos : pos + 1]
        line = self._line_at(pos)
        if char in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                self._fail(NESTED)
            self._pos += 1
            self._skip()
            closer = "}" if char == "{" else "]"
            if text[self._pos : self._pos + 1] == closer:
                self._pos += 1
                return Node({} if char == "{" else [], line)
            if char == "{":
                stack.append([{}, line, self._key()])
            else:
                stack.append([[], line, None])
            return None
        if char == '"':
            return Node(self._string(), line)
        number = _NUMBER.match(text, pos)
        if number is not None:
            self._pos = number.end()
            try:
                if number.group(1) or number.group(2):
                    return Node(float(number.group()), line)
                return Node(int(number.group()), line)
            except ValueError:
                self._fail("number out of range")
        for word, literal in _LITERALS:
            if text.startswith(word, pos):
                self._pos = pos + len(word)
                return Node(literal, line)
        return self._fail("expected a value" if char else "unexpected end of the document")

    def _string(self) -> str:
        try:
            value, self._pos = _SCANSTRING(self._text, self._pos + 1, True)
        except JSONDecodeError as exc:
            self._fail(exc.msg.splitlines()[0], exc.pos)
        return value

    def _key(self) -> str:
        if self._text[self._pos : self._pos + 1] != '"':
            self._fail("expected a property name in double quotes")
        key = self._string()
        self._skip()
        if self._text[self._pos : self._pos + 1] != ":":
            self._fail("expected ':'")
        self._pos += 1
        self._skip()
        return key

    def _skip(self) -> None:
        match = _WHITESPACE.match(self._text, self._pos)
        assert match is not None  # the pattern matches the empty string
        self._pos = match.end()

    def _line_at(self, pos: int) -> int:
        # Positions only grow, so counting from the last one keeps the reader linear.
        self._line += self._text.count("\n", self._counted, pos)
        self._counted = pos
        return self._line

    def _fail(self, message: str, pos: int | None = None) -> NoReturn:
        where = self._pos if pos is None else pos
        line = self._text.count("\n", 0, where) + 1
        raise AdapterError(f"invalid JSON at line {line}: {message}")


ADAPTER = Adapter(format=FORMAT, matches=matches, parse=parse)
