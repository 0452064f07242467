"""YAML into ``Node`` trees that keep every value's line, loaded safely.

Composition uses PyYAML's safe C loader when present. Tags beyond YAML's own types are
refused (no object construction, ever), except those an adapter asks to keep, such as
CloudFormation's ``!Ref``; those come back as ``{"!Ref": value}``. Anchors and aliases
are followed with a budget, so an alias bomb is an error, not a hang.
"""

from __future__ import annotations

from typing import Any

import yaml

from glasshouse.iac.model import AdapterError, Node

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD = "tag:yaml.org,2002:"
MAX_NODES = 2_000_000
_ALLOWED = frozenset(
    {"str", "int", "float", "bool", "null", "timestamp", "binary", "merge", "map", "seq"}
)


def load_documents(data: bytes, keep_tags: frozenset[str] = frozenset()) -> list[Node]:
    """Every document of ``data`` as a Node tree; AdapterError for unreadable YAML."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdapterError(f"not UTF-8 text (byte {exc.start})") from None
    loader = _LOADER(text)
    documents: list[Node] = []
    budget = [MAX_NODES]
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                documents.append(_convert(node, loader, keep_tags, budget))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AdapterError(f"invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise AdapterError("invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    return documents


def _merge_sources(value_node: Any, line: int) -> list[Any]:
    if isinstance(value_node, yaml.MappingNode):
        return [value_node]
    if isinstance(value_node, yaml.SequenceNode) and all(
        isinstance(item, yaml.MappingNode) for item in value_node.value
    ):
        return list(value_node.value)
    raise AdapterError(f"line {line}: `<<` must merge a mapping or a list of mappings")


def _convert(node: Any, loader: Any, keep: frozenset[str], budget: list[int]) -> Node:
    budget[0] -= 1
    if budget[0] < 0:
        raise AdapterError(f"more than {MAX_NODES} YAML values (an alias bomb?)")
    line = node.start_mark.line + 1
    tag: str = node.tag or ""
    custom = tag.startswith("!") and tag in keep
    if not custom and (tag.startswith("!") or tag.removeprefix(_STANDARD) not in _ALLOWED):
        raise AdapterError(f"line {line}: YAML tag {tag} is not allowed")
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Node] = {}
        merged: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STANDARD + "merge":
                # `<<: *defaults` (GitLab CI, Compose): keys written here win, and
                # of several merged mappings the first one to name a key wins.
                for source in _merge_sources(value_node, line):
                    for name, item in _convert(source, loader, keep, budget).items():
                        merged.setdefault(name, item)
                continue
            key = _convert(key_node, loader, keep, budget)
            mapping[str(key.value)] = _convert(value_node, loader, keep, budget)
        value: Any = {**merged, **mapping} if merged else mapping
    elif isinstance(node, yaml.SequenceNode):
        value = [_convert(item, loader, keep, budget) for item in node.value]
    else:
        if (
            not custom
            and tag.startswith(_STANDARD)
            and not tag.endswith(
                ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge")
            )
        ):
            raise AdapterError(f"line {line}: YAML tag {tag} is not allowed")
        value = node.value if custom else loader.construct_object(node, deep=True)
        if not isinstance(value, str | int | float | bool) and value is not None:
            value = str(value)  # dates, binary: checks compare them as text
    if custom:
        return Node({tag: Node(value, line)}, line)
    return Node(value, line)
