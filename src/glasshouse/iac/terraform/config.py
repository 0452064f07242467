"""One Terraform file into blocks and attributes, each with its line.

HCL (``.tf``, ``.tfvars``) is read by ``hcl``: the structure by hand, each attribute's
expression by ``syntax`` (so nested values keep their own lines). What ``hcl`` declines
(syntax it does not read, or python-hcl2 reads its own way) is parsed by python-hcl2,
which validates the syntax and gives the structure and positions, each expression
again read from the source text by ``syntax``; its errors are the ones reported.

JSON (``.tf.json``, ``.tfvars.json``) follows Terraform's JSON syntax: strings are
templates, and an object (or a list of objects) under a resource is taken as nested
blocks, except under the names in ``JSON_MAP_ATTRIBUTES`` (``tags``...), which are maps.

Anything unreadable raises ``ConfigError`` with one line, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from glasshouse.iac.model import Node
from glasshouse.iac.terraform.jsonlines import JSONLinesError, load_json
from glasshouse.iac.terraform.syntax import (
    Expr,
    Invalid,
    Literal,
    ObjectExpr,
    TupleExpr,
    parse_expression,
    parse_template,
)

MAX_FILE_BYTES = 2_000_000
# Block types of Terraform's JSON syntax, and how many labels each has.
JSON_LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
# Block types whose JSON body holds only attributes (maps stay maps).
JSON_ATTRIBUTE_BODIES = frozenset({"variable", "output", "module", "locals"})
# Nested names that are maps, not blocks, in JSON resource bodies.
JSON_MAP_ATTRIBUTES = frozenset(
    {"tags", "tags_all", "labels", "variables", "environment_variables", "parameters", "triggers"}
)
# Nested JSON blocks that carry labels (provisioner "local-exec" {...}).
JSON_NESTED_LABELS = {"provisioner": 1, "dynamic": 1}


class ConfigError(Exception):
    """A file that cannot be read as Terraform; the message is one line."""


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.type == kind]


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int
    path: str  # the file it was written in


def decode(path: str, data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"too large to read ({len(data)} bytes; the limit is {MAX_FILE_BYTES})")
    if b"\x00" in data:
        raise ConfigError("binary file, not Terraform text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})") from None


def load(path: str, data: bytes) -> Body:
    """The top-level body of the file at ``path`` (HCL or JSON by its name)."""
    text = decode(path, data)
    if path.endswith(".json"):
        return _json_file(path, text)
    return _hcl_file(path, text)


def load_values(path: str, data: bytes) -> dict[str, Attribute]:
    """The variable values of a ``.tfvars`` or ``.tfvars.json`` file."""
    text = decode(path, data)
    if not path.endswith(".json"):
        body = _hcl_file(path, text)
        return dict(body.attributes)
    root = _json_root(text)
    return {
        name: Attribute(name, _json_literal(value), value.line or 1) for name, value in root.items()
    }


# --- HCL ------------------------------------------------------------------------------


def _hcl_file(path: str, text: str) -> Body:
    # hcl builds config's classes: imported here, not at the top.
    from glasshouse.iac.terraform import hcl

    try:
        return hcl.parse(text, path)
    except Exception:  # noqa: S110
        # hcl.NotRead: declined. Anything else would be a bug of hcl's (its tests call
        # it directly): it must not cost the file, which python-hcl2 reads as before.
        pass
    return _python_hcl2_file(path, text)


def _python_hcl2_file(path: str, text: str) -> Body:
    """The file as python-hcl2 reads it (the reference ``hcl`` is tested against)."""
    import hcl2  # imported on first use: building the parser takes a moment

    # The raw parse tree (rules "body", "attribute", "block" of python-hcl2's grammar)
    # has every position needed; python-hcl2's own transformation is not.
    try:
        tree: Any = hcl2.parses_to_tree(text)
    except RecursionError:
        raise ConfigError("nested too deeply to read") from None
    except Exception as exc:  # lark raises many kinds; all mean "not HCL"
        raise ConfigError(_hcl_message(exc)) from None
    body = next((c for c in tree.children if _rule(c) == "body"), None)
    return Body() if body is None else _hcl_body(body, text, path, 0)


def _hcl_message(exc: Exception) -> str:
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    where = f"line {line}, column {column}: " if isinstance(line, int) and line > 0 else ""
    token = getattr(exc, "token", None)
    char = getattr(exc, "char", None)
    if token is not None:
        kind = getattr(token, "type", "")
        found = "end of file" if kind == "$END" else repr(str(token).strip()[:30] or str(token))
        return f"invalid HCL: {where}unexpected {found}"
    if isinstance(char, str):
        return f"invalid HCL: {where}unexpected character {char!r}"
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    return f"invalid HCL: {where}{detail}"


def _rule(node: Any) -> str | None:
    data = getattr(node, "data", None)
    return str(data) if data is not None else None


def _hcl_body(body: Any, text: str, path: str, depth: int) -> Body:
    if depth > 32:
        raise ConfigError("blocks nested too deeply to read")
    out = Body()
    for child in body.children:
        kind = _rule(child)
        if kind == "attribute":
            parts = [c for c in child.children if _rule(c) is not None]
            if len(parts) < 2:
                continue
            name = _name(parts[0], text)
            out.attributes[name] = Attribute(name, _hcl_expression(parts[-1], text), _line(child))
        elif kind == "block":
            parts = [c for c in child.children if _rule(c) in ("identifier", "string", "body")]
            if len(parts) < 2 or _rule(parts[-1]) != "body":
                continue
            names = [_name(part, text) for part in parts[:-1]]
            block_body = _hcl_body(parts[-1], text, path, depth + 1)
            out.blocks.append(Block(names[0], tuple(names[1:]), block_body, _line(child), path))
    return out


def _line(node: Any) -> int:
    line = getattr(getattr(node, "meta", None), "line", None)
    return line if isinstance(line, int) else 1


def _source(node: Any, text: str) -> str | None:
    meta = getattr(node, "meta", None)
    start, end = getattr(meta, "start_pos", None), getattr(meta, "end_pos", None)
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return text[start:end]


def _hcl_expression(node: Any, text: str) -> Expr:
    source = _source(node, text)
    if source is None:
        return Invalid("no position", _line(node))
    return parse_expression(source, _line(node))


def _name(node: Any, text: str) -> str:
    """An identifier, or a quoted label's value."""
    raw = (_source(node, text) or "").strip()
    if raw.startswith('"'):
        parsed = parse_expression(raw)
        if isinstance(parsed, Literal) and isinstance(parsed.value, str):
            return parsed.value
    return raw


# --- JSON -----------------------------------------------------------------------------


def _json_root(text: str) -> dict[str, Node]:
    try:
        root = load_json(text)
    except JSONLinesError as exc:
        raise ConfigError(f"invalid JSON: {exc}") from None
    if not isinstance(root.value, dict):
        raise ConfigError("invalid Terraform JSON: the document is not an object")
    return root.value


def _json_file(path: str, text: str) -> Body:
    out = Body()
    for kind, node in _json_root(text).items():
        labels = JSON_LABELS.get(kind)
        if labels is None:
            continue  # "//" comments and block types not read here
        out.blocks.extend(_json_blocks(kind, node, labels, (), path, kind, 0))
    return out


def _json_blocks(
    kind: str, node: Node, labels: int, names: tuple[str, ...], path: str, top: str, depth: int
) -> list[Block]:
    if depth > 32:
        raise ConfigError("blocks nested too deeply to read")
    if isinstance(node.value, list):
        return [
            block
            for item in node.value
            for block in _json_blocks(kind, item, labels, names, path, top, depth + 1)
        ]
    if not isinstance(node.value, dict):
        raise ConfigError(f"invalid Terraform JSON: line {node.line}: {kind} is not an object")
    if labels > 0:
        return [
            block
            for name, child in node.value.items()
            if name != "//"
            for block in _json_blocks(kind, child, labels - 1, (*names, name), path, top, depth + 1)
        ]
    body = _json_body(node, path, top, depth + 1)
    return [Block(kind, names, body, node.line or 1, path)]


def _json_body(node: Node, path: str, top: str, depth: int) -> Body:
    out = Body()
    for name, value in node.items():
        if name == "//":
            continue
        line = value.line or node.line or 1
        nested = JSON_NESTED_LABELS.get(name)
        is_block = top not in JSON_ATTRIBUTE_BODIES and (
            nested is not None
            or (isinstance(value.value, dict) and name not in JSON_MAP_ATTRIBUTES)
            or (
                isinstance(value.value, list)
                and bool(value.value)
                and all(isinstance(item.value, dict) for item in value.value)
                and name not in JSON_MAP_ATTRIBUTES
            )
        )
        if is_block:
            out.blocks.extend(_json_blocks(name, value, nested or 0, (), path, top, depth))
        else:
            out.attributes[name] = Attribute(name, _json_expression(value), line)
    return out


def _json_expression(node: Node) -> Expr:
    """A JSON value as Terraform reads it: strings are templates."""
    line = node.line or 1
    value = node.value
    if isinstance(value, str):
        return parse_template(value, line)
    if isinstance(value, list):
        return TupleExpr(tuple(_json_expression(item) for item in value), line)
    if isinstance(value, dict):
        items = tuple((_json_key(key, line), _json_expression(item)) for key, item in value.items())
        return ObjectExpr(items, line)
    return Literal(_scalar(value), line)


def _scalar(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _json_key(key: str, line: int) -> Expr:
    return parse_template(key, line) if "${" in key else Literal(key, line)


def _json_literal(node: Node) -> Expr:
    """A JSON value taken literally (``.tfvars.json``: no templates)."""
    line = node.line or 1
    value = node.value
    if isinstance(value, list):
        return TupleExpr(tuple(_json_literal(item) for item in value), line)
    if isinstance(value, dict):
        return ObjectExpr(
            tuple((Literal(k, line), _json_literal(v)) for k, v in value.items()), line
        )
    return Literal(_scalar(value), line)
