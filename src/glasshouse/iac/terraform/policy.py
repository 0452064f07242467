"""IAM policy documents into statements, whatever way the configuration writes them.

A policy attribute (``policy``, ``assume_role_policy``...) may hold a JSON string (a
heredoc, ``jsonencode({...})``, ``file()``), or refer to a
``data.aws_iam_policy_document``. ``policy_statements`` turns each into a list of
``Statement`` with IAM's JSON meaning: ``Action``/``Resource`` as tuples of strings,
``Principal`` as ``"*"`` or a mapping of principal type to identifiers.

UNKNOWN is kept at the finest level known: a whole statement (or document) that cannot
be known is a ``Statement`` whose fields are all UNKNOWN; a list with one unknown
element holds UNKNOWN at that place. Checks report only what is known.

Lines: a statement written in the resource's own file (a heredoc, ``jsonencode``, the
document data source itself) carries its own line; a statement reached through a
reference to a data source elsewhere carries the line of the resource's attribute, and
``via`` names the data source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from glasshouse.iac.model import UNKNOWN, Node, Resource
from glasshouse.iac.terraform.jsonlines import JSONLinesError, load_json

POLICY_DOCUMENT = "data.aws_iam_policy_document"
_EXTRA_DOCUMENTS = (
    "source_policy_documents",
    "override_policy_documents",
    "source_json",
    "override_json",
)


@dataclass(frozen=True, slots=True)
class Statement:
    effect: Any  # "Allow", "Deny" or UNKNOWN
    actions: Any  # tuple[str | UNKNOWN, ...], UNKNOWN, or None when absent
    not_actions: Any
    resources: Any
    not_resources: Any
    principals: Any  # None (absent), "*", dict[str, tuple[str | UNKNOWN, ...]], or UNKNOWN
    not_principals: Any
    condition: Any  # None (absent or empty), True (present), or UNKNOWN
    line: int | None
    via: str = ""  # the data source the statement was read from, when not in place

    @property
    def allows(self) -> bool:
        return isinstance(self.effect, str) and self.effect.lower() == "allow"

    @property
    def unconditional(self) -> bool:
        """Known to have no condition."""
        return self.condition is None


def unknown_statement(line: int | None, via: str = "") -> Statement:
    return Statement(
        UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, line, via
    )


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM matching: case-insensitive, ``*`` any run of characters, ``?`` one."""
    regex = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value.lower()) is not None


def policy_statements(resource: Resource, attribute: str = "policy") -> list[Statement]:
    """The statements of the policy in ``resource``'s ``attribute``; for a
    ``data.aws_iam_policy_document``, the statements of the document itself."""
    if resource.kind == POLICY_DOCUMENT:
        return document_statements(resource.body)
    node = resource.body.get(attribute)
    if node is None or node.value is None:
        return []
    decoded = resource.context.get("decoded", {}).get(attribute)
    if isinstance(decoded, Node):
        return statements_from(decoded)
    if node.value is UNKNOWN:
        return _through_reference(resource, attribute, node.line)
    return statements_from(node, node.line)


def statements_from(node: Node, line: int | None = None) -> list[Statement]:
    """The statements of a policy value: a JSON string or an already decoded tree.
    With ``line``, every statement is placed there (the value's text has no lines of
    its own in the file, such as a string built by an expression)."""
    if node.value is UNKNOWN:
        return [unknown_statement(line if line is not None else node.line)]
    document: Node = node
    if isinstance(node.value, str):
        try:
            document = load_json(node.value)
        except JSONLinesError:
            return []
        document = _placed(document, line if line is not None else node.line)
    elif line is not None:
        document = _placed(node, line)
    if not isinstance(document.value, dict):
        return []
    found = document.get("Statement")
    if found is None:
        return []
    if found.value is UNKNOWN:
        return [unknown_statement(found.line)]
    items = found.value if isinstance(found.value, list) else [found]
    return [_from_json(item) for item in items if item.value is UNKNOWN or item.items()]


def document_statements(body: Node, line: int | None = None, via: str = "") -> list[Statement]:
    """The statements of an ``aws_iam_policy_document`` data source's body."""
    out: list[Statement] = []
    statements = body.get("statement")
    for block in statements.elements() if statements is not None else ():
        where = line if line is not None else block.line
        if block.value is UNKNOWN:
            out.append(unknown_statement(where, via))
            continue
        effect = block.get("effect")
        out.append(
            Statement(
                effect="Allow" if effect is None else _scalar(effect),
                actions=_strings(block.get("actions")),
                not_actions=_strings(block.get("not_actions")),
                resources=_strings(block.get("resources")),
                not_resources=_strings(block.get("not_resources")),
                principals=_principal_blocks(block.get("principals")),
                not_principals=_principal_blocks(block.get("not_principals")),
                condition=_condition_blocks(block.get("condition")),
                line=where,
                via=via,
            )
        )
    if statements is not None and statements.value is UNKNOWN:
        out.append(unknown_statement(line if line is not None else statements.line, via))
    for name in _EXTRA_DOCUMENTS:
        extra = body.get(name)
        if extra is not None and extra.value not in (None, "", []):
            # Statements merged in from elsewhere: there may be more than these.
            out.append(unknown_statement(line if line is not None else extra.line, via))
    return out


def _through_reference(resource: Resource, attribute: str, line: int | None) -> list[Statement]:
    references = resource.context.get("references", {}).get(attribute, ())
    view = resource.context.get("module")
    prefix = f"{view.address}." if view is not None and view.address else ""
    if len(references) != 1 or view is None:
        return [unknown_statement(line)]
    address = references[0]
    if not address.removeprefix(prefix).startswith(POLICY_DOCUMENT + "."):
        return [unknown_statement(line)]
    documents = view.find(address)
    bodies = {repr(d.body) for d in documents}
    if len(bodies) != 1:
        return [unknown_statement(line)]  # several instances that differ, or none
    return document_statements(documents[0].body, line, address)


def _placed(node: Node, line: int | None) -> Node:
    if isinstance(node.value, dict):
        return Node({k: _placed(v, line) for k, v in node.value.items()}, line)
    if isinstance(node.value, list):
        return Node([_placed(v, line) for v in node.value], line)
    return Node(node.value, line)


def _scalar(node: Node | None) -> Any:
    if node is None:
        return None
    return node.value if node.value is UNKNOWN or isinstance(node.value, str) else node.text()


def _strings(node: Node | None) -> Any:
    """A string or a list of strings as a tuple (UNKNOWN kept); None when absent."""
    if node is None or node.value is None:
        return None
    if node.value is UNKNOWN:
        return UNKNOWN
    if isinstance(node.value, list):
        return tuple(e.value if e.value is UNKNOWN else e.text() or "" for e in node.elements())
    text = node.text()
    return (text,) if text is not None else UNKNOWN


def _from_json(item: Node) -> Statement:
    if item.value is UNKNOWN or not isinstance(item.value, dict):
        return unknown_statement(item.line)
    condition = item.get("Condition")
    return Statement(
        effect=_scalar(item.get("Effect")),
        actions=_strings(item.get("Action")),
        not_actions=_strings(item.get("NotAction")),
        resources=_strings(item.get("Resource")),
        not_resources=_strings(item.get("NotResource")),
        principals=_json_principal(item.get("Principal")),
        not_principals=_json_principal(item.get("NotPrincipal")),
        condition=_json_condition(condition),
        line=item.line,
    )


def _json_principal(node: Node | None) -> Any:
    if node is None or node.value is None:
        return None
    if node.value is UNKNOWN:
        return UNKNOWN
    if isinstance(node.value, str):
        return "*" if node.value == "*" else {"AWS": (node.value,)}
    if isinstance(node.value, dict):
        return {k: _strings(v) for k, v in node.value.items()}
    return UNKNOWN


def _json_condition(node: Node | None) -> Any:
    if node is None or node.value is None:
        return None
    if node.value is UNKNOWN:
        return UNKNOWN
    return True if node.value else None


def _principal_blocks(node: Node | None) -> Any:
    if node is None:
        return None
    if node.value is UNKNOWN:
        return UNKNOWN
    out: dict[str, tuple[Any, ...]] = {}
    for block in node.elements():
        if block.value is UNKNOWN:
            return UNKNOWN
        kind = _scalar(block.get("type"))
        identifiers = _strings(block.get("identifiers"))
        if kind is UNKNOWN or identifiers is UNKNOWN:
            return UNKNOWN
        if not isinstance(kind, str):
            continue
        if kind == "*":
            return "*"
        out[kind] = (*out.get(kind, ()), *(identifiers or ()))
    return out or None


def _condition_blocks(node: Node | None) -> Any:
    if node is None:
        return None
    if node.value is UNKNOWN:
        return UNKNOWN
    elements = list(node.elements())
    if any(isinstance(e.value, dict) for e in elements):
        return True  # at least one known condition
    return UNKNOWN if elements else None
