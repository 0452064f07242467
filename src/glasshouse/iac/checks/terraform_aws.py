"""Terraform checks for AWS: network exposure, public data stores, IAM.

Every check reads the evaluated model of the Terraform adapter (see its docstring).
UNKNOWN (a variable without a value, another resource's attribute) never produces a
finding and never counts as safe: where the deciding value is UNKNOWN the check says
nothing. Provider defaults matter: an argument whose absence means the unsafe value
(``storage_encrypted``, the four public access block flags, ``http_tokens``, an EKS
endpoint's ``public_access_cidrs``) is reported when absent, on the resource's line; an
argument whose absence is safe (``publicly_accessible``) only when written.

Network rules: ingress is judged for the security group's inline ``ingress`` blocks,
``aws_security_group_rule`` (``type = "ingress"``) and
``aws_vpc_security_group_ingress_rule``, from a CIDR that covers every address
(``0.0.0.0/0``, ``::/0``). Protocol ``-1``/``all`` opens every port; ``tcp``/``udp``
(or 6/17) open ``from_port``..``to_port``. An all-ports rule is reported as such and, as
it exposes them, as SSH and RDP too; the database check leaves it to the all-ports check.

Policies: ``policy_statements`` of the adapter reads JSON strings, ``jsonencode``,
heredocs and ``data.aws_iam_policy_document``. Identity-policy checks judge statements
without a principal where they are written (a ``data.aws_iam_policy_document`` itself,
not again in each policy that refers to it); bucket and trust policies follow the
reference to the document. A statement is judged only when its ``Effect`` is a known
``Allow``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from glasshouse.iac import ports
from glasshouse.iac.adapters.terraform import (
    FORMAT,
    POLICY_DOCUMENT,
    Statement,
    blocks,
    policy_statements,
    references,
    related,
    statements_from,
    wildcard_match,
)
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.model import Severity

Evaluate = Callable[[Resource], Iterable[Violation]]

CIS = "CIS AWS Foundations Benchmark v3.0.0"
ADMIN_PORTS = ports.names(ports.ADMIN_PORTS)
DATABASE_PORTS = ports.names(ports.DATABASE_PORTS)
SECURITY_GROUPS = frozenset({"aws_security_group", "aws_default_security_group"})
INGRESS_KINDS = frozenset(
    {*SECURITY_GROUPS, "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"}
)
ACL_KINDS = frozenset({"aws_network_acl", "aws_default_network_acl"})
PUBLIC_ACLS = {
    "public-read": "anyone can list and read objects",
    "public-read-write": "anyone can read and write objects",
    "authenticated-read": "any AWS account can read objects",
}
PUBLIC_GRANTEES = ("acs.amazonaws.com/groups/global/AllUsers", "groups/global/AuthenticatedUsers")
ACCESS_BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
# Identity policies: (kind, attribute holding the document).
POLICY_KINDS = {
    "aws_iam_policy": "policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_user_policy": "policy",
    "aws_iam_group_policy": "policy",
    "aws_ssoadmin_permission_set_inline_policy": "inline_policy",
    POLICY_DOCUMENT: "",
}
IDENTITY_KINDS = frozenset({*POLICY_KINDS, "aws_iam_role", "aws_iam_user", "aws_iam_group"})
ATTACHMENT_KINDS = frozenset(
    {
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
    }
)
ADMIN_POLICY_SUFFIX = ":iam::aws:policy/AdministratorAccess"


# --- reading the model ----------------------------------------------------------------


def _text(node: Node | None) -> str | None:
    return None if node is None else node.text()


def _unknown(node: Node | None) -> bool:
    return node is not None and node.value is UNKNOWN


def _where(node: Node | None, fallback: Resource | Node) -> int | None:
    return node.line if node is not None and node.line is not None else fallback.line


def _integer(node: Node | None) -> Any:
    """A known whole number, UNKNOWN, or None when absent or not a number."""
    if node is None:
        return None
    if node.value is UNKNOWN:
        return UNKNOWN
    value = node.value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _world_sources(*nodes: Node | None) -> list[Node]:
    """The known CIDRs among ``nodes`` (strings or lists of them) that cover every address."""
    found: list[Node] = []
    for node in nodes:
        if node is None:
            continue
        items = list(node.elements()) if isinstance(node.value, list) else [node]
        found.extend(item for item in items if (t := item.text()) is not None and ports.is_world(t))
    return found


def _port_range(protocol: Node | None, low: Node | None, high: Node | None) -> Any:
    """(first, last) port a rule opens, None when its protocol has no ports (ICMP...),
    UNKNOWN when that cannot be known."""
    if protocol is None or protocol.value is UNKNOWN:
        return UNKNOWN
    name = (_text(protocol) or "").lower()
    if name in ("-1", "all"):
        return (0, 65535)
    if name not in ("tcp", "6", "udp", "17"):
        return None
    first, last = _integer(low), _integer(high)
    if not isinstance(first, int) or not isinstance(last, int):
        return UNKNOWN
    return (first, last)


def _all_ports(ports: Any) -> bool:
    return isinstance(ports, tuple) and ports[0] <= 1 and ports[1] >= 65535


def _covers(ports: Any, port: int) -> bool:
    return isinstance(ports, tuple) and ports[0] <= port <= ports[1]


@dataclass(frozen=True, slots=True)
class _Ingress:
    ports: Any  # see _port_range
    sources: tuple[Node, ...]  # world CIDRs it admits, each with its line


def _ingress(resource: Resource) -> Iterator[_Ingress]:
    body = resource.body
    if resource.kind in SECURITY_GROUPS:
        for rule in blocks(body, "ingress"):
            if isinstance(rule.value, dict):
                ports = _port_range(
                    rule.get("protocol"), rule.get("from_port"), rule.get("to_port")
                )
                sources = _world_sources(rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks"))
                yield _Ingress(ports, tuple(sources))
    elif resource.kind == "aws_security_group_rule":
        if _text(body.get("type")) == "ingress":
            ports = _port_range(body.get("protocol"), body.get("from_port"), body.get("to_port"))
            sources = _world_sources(body.get("cidr_blocks"), body.get("ipv6_cidr_blocks"))
            yield _Ingress(ports, tuple(sources))
    elif resource.kind == "aws_vpc_security_group_ingress_rule":
        ports = _port_range(body.get("ip_protocol"), body.get("from_port"), body.get("to_port"))
        yield _Ingress(ports, tuple(_world_sources(body.get("cidr_ipv4"), body.get("cidr_ipv6"))))


def _open_port(port: int, service: str) -> Evaluate:
    def evaluate(resource: Resource) -> Iterator[Violation]:
        for rule in _ingress(resource):
            if _covers(rule.ports, port):
                for source in rule.sources:
                    yield Violation(
                        source.line, f"ingress from {source.text()} to port {port} ({service})"
                    )

    return evaluate


def _database_ports(resource: Resource) -> Iterator[Violation]:
    for rule in _ingress(resource):
        if _all_ports(rule.ports) or not isinstance(rule.ports, tuple):
            continue
        exposed = [f"{p} ({name})" for p, name in DATABASE_PORTS.items() if _covers(rule.ports, p)]
        if exposed:
            for source in rule.sources:
                yield Violation(
                    source.line, f"ingress from {source.text()} to {', '.join(exposed[:4])}"
                )


def _every_port(resource: Resource) -> Iterator[Violation]:
    for rule in _ingress(resource):
        if _all_ports(rule.ports):
            for source in rule.sources:
                yield Violation(source.line, f"ingress from {source.text()} to every port")


def _default_group_rules(resource: Resource) -> Iterator[Violation]:
    # aws_default_security_group removes every rule it does not list: any rule listed
    # is traffic the default group allows. UNKNOWN (dynamic) blocks say nothing.
    for direction in ("ingress", "egress"):
        for rule in blocks(resource.body, direction):
            if isinstance(rule.value, dict):
                yield Violation(rule.line, f"the default security group allows {direction}")


# --- network ACLs -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AclEntry:
    origin: Resource
    line: int | None
    number: Any  # int, or UNKNOWN
    allow: Any  # bool, or UNKNOWN
    ports: Any
    world: Any  # True, False, or UNKNOWN
    source: str


def _acl_entry(origin: Resource, node: Node, number: str, action: str) -> _AclEntry:
    cidrs = [node.get("cidr_block"), node.get("ipv6_cidr_block")]
    present = [c for c in cidrs if c is not None and c.value not in (None, "")]
    world = _world_sources(*present)
    is_world: Any = bool(world)
    if not world and any(c.value is UNKNOWN for c in present):
        is_world = UNKNOWN
    action_node = node.get(action)
    allow: Any = UNKNOWN
    if action_node is not None and action_node.value is not UNKNOWN:
        allow = (_text(action_node) or "").lower() == "allow"
    rule_number = _integer(node.get(number))
    return _AclEntry(
        origin=origin,
        line=_where(world[0] if world else None, node),
        number=rule_number if isinstance(rule_number, int) else UNKNOWN,
        allow=allow,
        ports=_port_range(node.get("protocol"), node.get("from_port"), node.get("to_port")),
        world=is_world,
        source=(world[0].text() or "") if world else "",
    )


def _standalone_entry(rule: Resource) -> _AclEntry | None:
    egress = rule.body.get("egress")
    if _unknown(egress) or (egress is not None and egress.value is True):
        return None
    return _acl_entry(rule, rule.body, "rule_number", "rule_action")


def _acl_entries(acl: Resource) -> list[_AclEntry]:
    entries = [
        _acl_entry(acl, node, "rule_no", "action")
        for node in blocks(acl.body, "ingress")
        if isinstance(node.value, dict)
    ]
    for rule in related(acl, "aws_network_acl_rule", "network_acl_id"):
        entry = _standalone_entry(rule)
        if entry is not None:
            entries.append(entry)
    return entries


def _deciding(entries: list[_AclEntry], port: int) -> _AclEntry | None:
    """The entry that decides traffic from the internet to ``port``, when it allows it
    and no entry that cannot be read might come first."""
    matching = [
        e
        for e in entries
        if e.world is True and _covers(e.ports, port) and isinstance(e.number, int)
    ]
    if not matching:
        return None
    first = min(matching, key=lambda e: e.number)
    if first.allow is not True:
        return None
    for entry in entries:
        unreadable = (
            entry.number is UNKNOWN
            or entry.allow is UNKNOWN
            or entry.ports is UNKNOWN
            or entry.world is UNKNOWN
        )
        if unreadable and (entry.number is UNKNOWN or entry.number < first.number):
            return None
    return first


def _nacl_admin_ports(resource: Resource) -> Iterator[Violation]:
    if resource.kind in ACL_KINDS:
        entries = _acl_entries(resource)
    else:
        own = _standalone_entry(resource)
        if own is None:
            return
        view = resource.context.get("module")
        acls = [
            acl
            for address in references(resource, "network_acl_id")
            for acl in (view.find(address) if view is not None else [])
            if acl.kind in ACL_KINDS
        ]
        entries = _acl_entries(acls[0]) if len(acls) == 1 else [own]
    for port, service in ADMIN_PORTS.items():
        entry = _deciding(entries, port)
        if entry is not None and entry.origin is resource:
            message = f"allows {entry.source} to port {port} ({service})"
            yield Violation(entry.line, message)


# --- databases ----------------------------------------------------------------------------


def _publicly_accessible(resource: Resource) -> Iterator[Violation]:
    node = resource.body.get("publicly_accessible")
    if node is not None and node.value is True:
        yield Violation(node.line, "publicly_accessible = true")


def _storage_unencrypted(resource: Resource) -> Iterator[Violation]:
    body = resource.body
    # A replica, a restore or a global secondary takes its encryption from its source.
    inherited = (
        "replicate_source_db",
        "snapshot_identifier",
        "replication_source_identifier",
        "global_cluster_identifier",
        "restore_to_point_in_time",
        "s3_import",
    )
    for name in inherited:
        node = body.get(name)
        if node is not None and node.value is not None:
            return
    mode = body.get("engine_mode")
    if _unknown(mode) or _text(mode) == "serverless":
        return  # Aurora Serverless v1 is always encrypted
    node = body.get("storage_encrypted")
    if _unknown(node) or (node is not None and node.value is True):
        return
    if node is None:
        yield Violation(resource.line, "storage_encrypted is not set (defaults to false)")
    else:
        yield Violation(node.line, f"storage_encrypted = {node.text()}")


# --- S3 -----------------------------------------------------------------------------------


def _public_grants(node: Node | None) -> Iterator[Violation]:
    for grant in blocks(node, "grant"):
        for grantee in [grant, *blocks(grant, "grantee")]:
            uri = _text(grantee.get("uri"))
            if uri is not None and any(uri.endswith(g) for g in PUBLIC_GRANTEES):
                yield Violation(_where(grantee.get("uri"), grant), f"grant to {uri}")


def _public_acl(resource: Resource) -> Iterator[Violation]:
    acl = resource.body.get("acl")
    name = _text(acl)
    if name in PUBLIC_ACLS:
        yield Violation(_where(acl, resource), f"acl = {name}: {PUBLIC_ACLS[name]}")
    yield from _public_grants(resource.body)
    for policy in blocks(resource.body, "access_control_policy"):
        yield from _public_grants(policy)


def _access_block_disabled(resource: Resource) -> Iterator[Violation]:
    off: list[str] = []
    line: int | None = None
    for flag in ACCESS_BLOCK_FLAGS:
        node = resource.body.get(flag)
        if _unknown(node) or (node is not None and node.value is True):
            continue
        off.append(flag if node is None else f"{flag} = {node.text()}")
        if node is not None and line is None:
            line = node.line
    if off:
        yield Violation(line or resource.line, "not blocked: " + ", ".join(off))


def _bucket_links(bucket: Resource, kind: str) -> tuple[list[Resource], bool]:
    """The resources of ``kind`` that name ``bucket`` (by reference or by its literal
    name), and whether another one might (its ``bucket`` cannot be known here)."""
    view = bucket.context.get("module")
    address = bucket.context.get("address")
    name = _text(bucket.body.get("bucket"))
    if view is None:
        return [], True
    linked: list[Resource] = []
    maybe = False
    for other in view.everywhere(kind):
        target = other.body.get("bucket")
        refs = references(other, "bucket")
        other_name = _text(target)
        if address in refs or (name is not None and other_name == name):
            linked.append(other)
        elif other_name is not None:
            maybe = maybe or name is None  # a literal name; this bucket's is unknown
        elif _unknown(target) and not any(_names_bucket(r) for r in refs):
            maybe = True  # a variable, a module output...: it could be this bucket
    return linked, maybe


def _names_bucket(address: str) -> bool:
    parts = address.split(".")
    return len(parts) >= 2 and parts[-2] == "aws_s3_bucket"


def _no_access_block(resource: Resource) -> Iterator[Violation]:
    view = resource.context.get("module")
    if view is None or view.everywhere("aws_s3_account_public_access_block"):
        return
    linked, maybe = _bucket_links(resource, "aws_s3_bucket_public_access_block")
    if not linked and not maybe:
        yield Violation(
            resource.line, "no aws_s3_bucket_public_access_block for this bucket in the module"
        )


def _is_public_principal(principals: Any) -> bool:
    if principals == "*":
        return True
    if isinstance(principals, dict):
        aws = principals.get("AWS")
        return isinstance(aws, tuple) and "*" in aws
    return False


def _public_policy(resource: Resource) -> Iterator[Violation]:
    for statement in policy_statements(resource, "policy"):
        public = _is_public_principal(statement.principals)
        if statement.allows and statement.unconditional and public:
            actions = statement.actions if isinstance(statement.actions, tuple) else ()
            what = ", ".join(str(a) for a in actions[:3]) or "actions"
            yield Violation(statement.line, f"allows anyone {what}{_via(statement)}")


def _via(statement: Statement) -> str:
    return f" (in {statement.via})" if statement.via else ""


# --- IAM ------------------------------------------------------------------------------------


def _identity_statements(resource: Resource) -> Iterator[Statement]:
    """The allowing statements without a principal of every policy the resource holds."""
    found: list[Statement] = []
    if resource.kind in POLICY_KINDS:
        found.extend(policy_statements(resource, POLICY_KINDS[resource.kind] or "policy"))
    else:  # roles, users and groups with inline_policy blocks
        for inline in blocks(resource.body, "inline_policy"):
            policy = inline.get("policy")
            if policy is not None:
                found.extend(statements_from(policy, policy.line))
    for statement in found:
        # A statement read through a reference is judged in its data source already.
        if statement.allows and statement.principals is None and not statement.via:
            yield statement


def _strings(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, tuple) else []


def _full_admin(resource: Resource) -> Iterator[Violation]:
    for statement in _identity_statements(resource):
        actions = _strings(statement.actions)
        if any(a in ("*", "*:*") for a in actions) and "*" in _strings(statement.resources):
            yield Violation(statement.line, f'Action "*" on Resource "*"{_via(statement)}')


def _service_wildcard(resource: Resource) -> Iterator[Violation]:
    for statement in _identity_statements(resource):
        if "*" not in _strings(statement.resources):
            continue
        actions = _strings(statement.actions)
        if any(a in ("*", "*:*") for a in actions):
            continue  # reported as full administrator access
        wild = [a for a in actions if a.endswith(":*") and a != "*:*"]
        if wild:
            yield Violation(
                statement.line, f'{", ".join(wild[:4])} on Resource "*"{_via(statement)}'
            )


def _pass_role(resource: Resource) -> Iterator[Violation]:
    for statement in _identity_statements(resource):
        if "*" not in _strings(statement.resources):
            continue
        actions = _strings(statement.actions)
        if any(a.lower() in ("*", "*:*", "iam:*") for a in actions):
            continue  # reported as administrator or service-wide access
        granting = [a for a in actions if wildcard_match(a, "iam:PassRole")]
        if granting:
            yield Violation(statement.line, f'{granting[0]} on Resource "*"{_via(statement)}')


def _open_trust(resource: Resource) -> Iterator[Violation]:
    for statement in policy_statements(resource, "assume_role_policy"):
        public = _is_public_principal(statement.principals)
        if statement.allows and statement.unconditional and public:
            yield Violation(
                statement.line, f"any AWS principal may assume this role{_via(statement)}"
            )


def _admin_attached(resource: Resource) -> Iterator[Violation]:
    names = ("policy_arn",) if resource.kind in ATTACHMENT_KINDS else ("managed_policy_arns",)
    for name in names:
        node = resource.body.get(name)
        items = list(node.elements()) if node is not None and isinstance(node.value, list) else []
        for item in [node] if node is not None and not items else items:
            arn = _text(item)
            if arn is not None and arn.endswith(ADMIN_POLICY_SUFFIX):
                yield Violation(_where(item, resource), "attaches AdministratorAccess")


def _user_policies(resource: Resource) -> Iterator[Violation]:
    if resource.kind == "aws_iam_policy_attachment":
        users = resource.body.get("users")
        if users is not None and any(e.value is not UNKNOWN for e in users.elements()):
            yield Violation(users.line, "attaches a policy to users directly")
        return
    yield Violation(resource.line, "gives a user permissions directly, not through a group")


def _weak_password_policy(resource: Resource) -> Iterator[Violation]:
    length = resource.body.get("minimum_password_length")
    value = _integer(length)
    if value is None or (isinstance(value, int) and value < 14):
        shown = "not set (defaults to 6)" if length is None else f"{length.text()}"
        yield Violation(_where(length, resource), f"minimum_password_length is {shown}")
    reuse = resource.body.get("password_reuse_prevention")
    value = _integer(reuse)
    if value is None or (isinstance(value, int) and value < 24):
        shown = "not set" if reuse is None else f"{reuse.text()}"
        yield Violation(_where(reuse, resource), f"password_reuse_prevention is {shown}")


# --- EKS and EC2 ----------------------------------------------------------------------------


def _eks_public(resource: Resource) -> Iterator[Violation]:
    for config in blocks(resource.body, "vpc_config"):
        if not isinstance(config.value, dict):
            continue
        public = config.get("endpoint_public_access")
        if _unknown(public) or (public is not None and public.value is False):
            continue
        cidrs = config.get("public_access_cidrs")
        if cidrs is None:
            yield Violation(
                _where(public, config), "public endpoint open to 0.0.0.0/0 (the default)"
            )
            continue
        for source in _world_sources(cidrs):
            yield Violation(source.line, f"public endpoint open to {source.text()}")


def _imds_v1(resource: Resource) -> Iterator[Violation]:
    options = blocks(resource.body, "metadata_options")
    if not options:
        yield Violation(resource.line, "no metadata_options: http_tokens defaults to optional")
        return
    for option in options:
        if not isinstance(option.value, dict):
            continue
        endpoint = option.get("http_endpoint")
        if _unknown(endpoint) or _text(endpoint) == "disabled":
            continue
        tokens = option.get("http_tokens")
        if _unknown(tokens) or _text(tokens) == "required":
            continue
        shown = "not set (optional)" if tokens is None else tokens.text()
        yield Violation(_where(tokens, option), f"http_tokens is {shown}")


# --- the catalogue --------------------------------------------------------------------------


def _check(
    id: str,
    title: str,
    severity: Severity,
    kinds: Iterable[str],
    evaluate: Evaluate,
    fix: str,
    *,
    cwe: str,
    iso27001: tuple[str, ...],
    failing: tuple[Example, ...],
    passing: tuple[Example, ...],
    cis: tuple[str, ...] = (),
) -> Check:
    return Check(
        id=id,
        title=title,
        severity=severity,
        format=FORMAT,
        kinds=frozenset(kinds),
        fix=fix,
        evaluate=evaluate,
        references=cis,
        cwe=cwe,
        iso27001=iso27001,
        cis=cis,
        failing=failing,
        passing=passing,
    )


def _cis(*sections: str) -> tuple[str, ...]:
    return tuple(f"{CIS} {section}" for section in sections)


def _tf(text: str) -> Example:
    return Example("main.tf", text)


def _sg(port: int, cidr: str = "0.0.0.0/0") -> Example:
    return _tf(
        f"""\
resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = var.vpc_id

  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
"""
    )


SSH_RULE_RESOURCE = _tf(
    """\
variable "admin_cidrs" {
  default = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = var.admin_cidrs
  security_group_id = aws_security_group.bastion.id
}
"""
)

RDP_IPV6 = _tf(
    """\
resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.windows.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv6         = "::/0"
}
"""
)

ALL_OPEN = _tf(
    """\
resource "aws_security_group" "open" {
  name = "open"

  ingress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    ipv6_cidr_blocks = ["::/0"]
  }
}
"""
)

UNKNOWN_SOURCE = _tf(
    """\
variable "allowed" {}

resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.allowed
  }
}
"""
)

NACL_OPEN = _tf(
    """\
resource "aws_network_acl" "public" {
  vpc_id = aws_vpc.main.id

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 0
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }
}
"""
)

NACL_DENIED_FIRST = _tf(
    """\
resource "aws_network_acl" "public" {
  vpc_id = aws_vpc.main.id

  ingress {
    rule_no    = 90
    action     = "deny"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "0.0.0.0/0"
  }
  ingress {
    rule_no    = 91
    action     = "deny"
    protocol   = "tcp"
    from_port  = 3389
    to_port    = 3389
    cidr_block = "0.0.0.0/0"
  }
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 0
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }
}
"""
)

NACL_RULE = _tf(
    """\
resource "aws_network_acl" "public" {
  vpc_id = aws_vpc.main.id
}

resource "aws_network_acl_rule" "rdp" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}
"""
)

PUBLIC_RDS = _tf(
    """\
resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  storage_encrypted   = true
  publicly_accessible = true
}
"""
)

PRIVATE_RDS = _tf(
    """\
resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  storage_encrypted   = true
  publicly_accessible = false
}
"""
)

UNENCRYPTED_RDS = _tf(
    """\
resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "mysql"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
}
"""
)

UNENCRYPTED_CLUSTER = _tf(
    """\
locals {
  encrypt = false
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier = "ledger"
  engine             = "aurora-postgresql"
  storage_encrypted  = local.encrypt
}
"""
)

PUBLIC_BUCKET = _tf(
    """\
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = "public-read"
}
"""
)

PRIVATE_BUCKET = _tf(
    """\
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "private"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""
)

WEAK_ACCESS_BLOCK = _tf(
    """\
resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket              = aws_s3_bucket.data.id
  block_public_acls   = true
  block_public_policy = false
}
"""
)

ACCOUNT_BLOCK = _tf(
    """\
resource "aws_s3_account_public_access_block" "account" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}
"""
)

PUBLIC_POLICY = _tf(
    """\
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
    }]
  })
}
"""
)

RESTRICTED_POLICY = _tf(
    """\
data "aws_iam_policy_document" "cdn" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.site.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.site.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = data.aws_iam_policy_document.cdn.json
}
"""
)

ADMIN_POLICY = _tf(
    """\
resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      }
    ]
  })
}
"""
)

ADMIN_DOCUMENT = _tf(
    """\
data "aws_iam_policy_document" "ops" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
"""
)

SCOPED_POLICY = _tf(
    """\
resource "aws_iam_role_policy" "reader" {
  name = "reader"
  role = aws_iam_role.app.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["s3:GetObject", "s3:ListBucket"],
          "Resource": ["${aws_s3_bucket.data.arn}", "${aws_s3_bucket.data.arn}/*"]
        }
      ]
    }
  EOT
}
"""
)

SERVICE_WILDCARD = _tf(
    """\
resource "aws_iam_role_policy" "worker" {
  name = "worker"
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:*", "sqs:SendMessage"]
      Resource = "*"
    }]
  })
}
"""
)

PASS_ROLE = _tf(
    """\
data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "PassAnyRole"
    actions   = ["iam:PassRole", "ecs:RunTask"]
    resources = ["*"]
  }
}
"""
)

PASS_ONE_ROLE = _tf(
    """\
data "aws_iam_policy_document" "deployer" {
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task.arn]
  }
}
"""
)

OPEN_TRUST = _tf(
    """\
resource "aws_iam_role" "shared" {
  name = "shared"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
    }]
  })
}
"""
)

OPEN_TRUST_DOCUMENT = _tf(
    """\
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "shared" {
  name               = "shared"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
)

SERVICE_TRUST = _tf(
    """\
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "function"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
)

CONDITIONED_TRUST = _tf(
    """\
resource "aws_iam_role" "partner" {
  name = "partner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abc123" } }
    }]
  })
}
"""
)

ADMIN_ATTACHMENT = _tf(
    """\
resource "aws_iam_role_policy_attachment" "ci" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
)

READONLY_ATTACHMENT = _tf(
    """\
resource "aws_iam_role_policy_attachment" "ci" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""
)

USER_POLICY = _tf(
    """\
resource "aws_iam_user_policy_attachment" "alice" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.reports.arn
}
"""
)

GROUP_POLICY = _tf(
    """\
resource "aws_iam_group_policy_attachment" "analysts" {
  group      = aws_iam_group.analysts.name
  policy_arn = aws_iam_policy.reports.arn
}

resource "aws_iam_user_group_membership" "alice" {
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.analysts.name]
}
"""
)

WEAK_PASSWORDS = _tf(
    """\
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length = 8
  require_symbols         = true
}
"""
)

STRONG_PASSWORDS = _tf(
    """\
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length   = 14
  password_reuse_prevention = 24
  require_symbols           = true
  require_numbers           = true
}
"""
)

EKS_OPEN = _tf(
    """\
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = var.subnet_ids
  }
}
"""
)

EKS_PRIVATE = _tf(
    """\
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
"""
)

EKS_RESTRICTED = _tf(
    """\
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids          = var.subnet_ids
    public_access_cidrs = ["203.0.113.0/24"]
  }
}
"""
)

IMDS_OPTIONAL = _tf(
    """\
resource "aws_instance" "web" {
  ami           = data.aws_ami.base.id
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = "optional"
  }
}
"""
)

IMDS_DEFAULT = _tf(
    """\
resource "aws_launch_template" "web" {
  name_prefix   = "web-"
  image_id      = data.aws_ami.base.id
  instance_type = "t3.micro"
}
"""
)

IMDS_REQUIRED = _tf(
    """\
resource "aws_instance" "web" {
  ami           = data.aws_ami.base.id
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
}
"""
)

NETWORK = ("A.8.20", "A.8.22")
PRIVILEGES = ("A.5.15", "A.8.2")

CHECKS: tuple[Check, ...] = (
    _check(
        "tf-aws-sg-ssh-open",
        "SSH open to the internet",
        Severity.CRITICAL,
        INGRESS_KINDS,
        _open_port(22, "SSH"),
        "Limit the ingress rule's `cidr_blocks` / `ipv6_cidr_blocks` (or `cidr_ipv4` / "
        "`cidr_ipv6`) for port 22 to known addresses, or remove it and reach hosts through "
        "AWS Systems Manager Session Manager.",
        cwe="CWE-284",
        iso27001=NETWORK,
        cis=_cis("5.2", "5.3"),
        failing=(_sg(22), SSH_RULE_RESOURCE, ALL_OPEN),
        passing=(_sg(22, "10.20.0.0/16"), _sg(443), UNKNOWN_SOURCE),
    ),
    _check(
        "tf-aws-sg-rdp-open",
        "RDP open to the internet",
        Severity.CRITICAL,
        INGRESS_KINDS,
        _open_port(3389, "RDP"),
        "Limit the ingress rule's `cidr_blocks` / `ipv6_cidr_blocks` (or `cidr_ipv4` / "
        "`cidr_ipv6`) for port 3389 to known addresses, or remove it and use Session "
        "Manager or a VPN.",
        cwe="CWE-284",
        iso27001=NETWORK,
        cis=_cis("5.2", "5.3"),
        failing=(_sg(3389), RDP_IPV6),
        passing=(_sg(3389, "192.0.2.10/32"), _sg(22, "10.0.0.0/8")),
    ),
    _check(
        "tf-aws-sg-database-port-open",
        "Database or cache port open to the internet",
        Severity.HIGH,
        INGRESS_KINDS,
        _database_ports,
        "Remove `0.0.0.0/0` / `::/0` from the ingress rule's `cidr_blocks` / "
        "`ipv6_cidr_blocks` (or `cidr_ipv4` / `cidr_ipv6`) for the database port; allow the "
        "application's security group (`source_security_group_id` / "
        "`referenced_security_group_id`) instead.",
        cwe="CWE-284",
        iso27001=NETWORK,
        failing=(_sg(5432), _sg(6379, "::/0")),
        passing=(_sg(5432, "10.0.0.0/16"), _sg(443), ALL_OPEN),
    ),
    _check(
        "tf-aws-sg-all-ports-open",
        "Every port open to the internet",
        Severity.HIGH,
        INGRESS_KINDS,
        _every_port,
        'Replace the rule that opens every port (`protocol = "-1"` or ports 0-65535) to '
        "`0.0.0.0/0` / `::/0` with rules for the ports the service needs, from the "
        "addresses that need them.",
        cwe="CWE-284",
        iso27001=NETWORK,
        cis=_cis("5.2", "5.3"),
        failing=(ALL_OPEN,),
        passing=(_sg(443), _sg(22, "10.0.0.0/8")),
    ),
    _check(
        "tf-aws-default-sg-allows-traffic",
        "Default security group allows traffic",
        Severity.MEDIUM,
        ("aws_default_security_group",),
        _default_group_rules,
        "Remove every `ingress` and `egress` block from `aws_default_security_group` so the "
        "default group denies all traffic, and give resources their own security groups.",
        cwe="CWE-284",
        iso27001=("A.8.20", "A.8.9"),
        cis=_cis("5.4"),
        failing=(
            _tf(
                """\
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id

  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }
}
"""
            ),
        ),
        passing=(
            _tf(
                """\
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
"""
            ),
        ),
    ),
    _check(
        "tf-aws-nacl-admin-port-open",
        "Network ACL admits the internet to SSH or RDP",
        Severity.HIGH,
        (*ACL_KINDS, "aws_network_acl_rule"),
        _nacl_admin_ports,
        "Narrow the allowing ingress entry's `cidr_block` / `ipv6_cidr_block` or ports so "
        "it no longer covers 22 and 3389, or add a lower-numbered `deny` entry for "
        "those ports from `0.0.0.0/0` and `::/0`.",
        cwe="CWE-284",
        iso27001=NETWORK,
        cis=_cis("5.1"),
        failing=(NACL_OPEN, NACL_RULE),
        passing=(NACL_DENIED_FIRST,),
    ),
    _check(
        "tf-aws-db-publicly-accessible",
        "Database reachable from the internet",
        Severity.HIGH,
        (
            "aws_db_instance",
            "aws_rds_cluster_instance",
            "aws_redshift_cluster",
            "aws_dms_replication_instance",
        ),
        _publicly_accessible,
        "Set `publicly_accessible = false` (or remove it) and reach the database from "
        "inside the VPC.",
        cwe="CWE-668",
        iso27001=("A.8.20", "A.8.3"),
        cis=_cis("2.3.3"),
        failing=(PUBLIC_RDS,),
        passing=(PRIVATE_RDS, UNENCRYPTED_RDS),
    ),
    _check(
        "tf-aws-rds-unencrypted",
        "Database storage not encrypted",
        Severity.HIGH,
        ("aws_db_instance", "aws_rds_cluster"),
        _storage_unencrypted,
        "Set `storage_encrypted = true` (and `kms_key_id` for a customer managed key); an "
        "existing instance must be re-created from an encrypted snapshot copy.",
        cwe="CWE-311",
        iso27001=("A.8.24",),
        cis=_cis("2.3.1"),
        failing=(UNENCRYPTED_RDS, UNENCRYPTED_CLUSTER),
        passing=(PRIVATE_RDS,),
    ),
    _check(
        "tf-aws-s3-public-acl",
        "S3 bucket ACL grants public access",
        Severity.HIGH,
        ("aws_s3_bucket", "aws_s3_bucket_acl"),
        _public_acl,
        'Set `acl = "private"` (or drop the ACL and set `object_ownership = '
        '"BucketOwnerEnforced"` in `aws_s3_bucket_ownership_controls`), and remove '
        "grants to the AllUsers and AuthenticatedUsers groups.",
        cwe="CWE-732",
        iso27001=("A.5.15", "A.8.3"),
        failing=(
            PUBLIC_BUCKET,
            _tf('resource "aws_s3_bucket" "legacy" {\n  acl = "public-read-write"\n}\n'),
        ),
        passing=(PRIVATE_BUCKET,),
    ),
    _check(
        "tf-aws-s3-public-access-block-disabled",
        "S3 public access block is not fully on",
        Severity.HIGH,
        ("aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"),
        _access_block_disabled,
        "Set `block_public_acls`, `block_public_policy`, `ignore_public_acls` and "
        "`restrict_public_buckets` to true (each defaults to false).",
        cwe="CWE-668",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("2.1.4"),
        failing=(WEAK_ACCESS_BLOCK,),
        passing=(PRIVATE_BUCKET, ACCOUNT_BLOCK),
    ),
    _check(
        "tf-aws-s3-no-public-access-block",
        "S3 bucket has no public access block",
        Severity.MEDIUM,
        ("aws_s3_bucket",),
        _no_access_block,
        "Add an `aws_s3_bucket_public_access_block` whose `bucket` is this bucket, with all "
        "four flags true (or an `aws_s3_account_public_access_block` for the account).",
        cwe="CWE-668",
        iso27001=("A.5.15", "A.8.3"),
        cis=_cis("2.1.4"),
        failing=(PUBLIC_BUCKET,),
        passing=(PRIVATE_BUCKET, ACCOUNT_BLOCK),
    ),
    _check(
        "tf-aws-s3-policy-public",
        "S3 bucket policy allows anyone",
        Severity.HIGH,
        ("aws_s3_bucket_policy", "aws_s3_bucket"),
        _public_policy,
        'In the bucket `policy`, replace `Principal = "*"` with the accounts, roles or '
        "services that need access, or add a `Condition` (such as `aws:SourceArn` for a "
        "CloudFront distribution).",
        cwe="CWE-732",
        iso27001=("A.5.15", "A.8.3"),
        failing=(PUBLIC_POLICY,),
        passing=(RESTRICTED_POLICY,),
    ),
    _check(
        "tf-aws-iam-full-admin",
        "IAM policy grants full administrator access (*:*)",
        Severity.CRITICAL,
        IDENTITY_KINDS,
        _full_admin,
        'Replace `Action = "*"` on `Resource = "*"` with the actions and resources the '
        "role or user needs; keep administrator access to a break-glass role.",
        cwe="CWE-269",
        iso27001=(*PRIVILEGES, "A.5.18"),
        cis=_cis("1.16"),
        failing=(ADMIN_POLICY, ADMIN_DOCUMENT),
        passing=(SCOPED_POLICY, SERVICE_WILDCARD),
    ),
    _check(
        "tf-aws-iam-service-wildcard",
        "IAM policy grants every action of a service on every resource",
        Severity.MEDIUM,
        IDENTITY_KINDS,
        _service_wildcard,
        'Replace service-wide actions such as `s3:*` on `Resource = "*"` with the '
        "specific actions, and name the resources' ARNs in `Resource`.",
        cwe="CWE-269",
        iso27001=PRIVILEGES,
        failing=(SERVICE_WILDCARD,),
        passing=(SCOPED_POLICY, ADMIN_POLICY),
    ),
    _check(
        "tf-aws-iam-passrole-wildcard",
        "IAM policy lets a principal pass any role",
        Severity.HIGH,
        IDENTITY_KINDS,
        _pass_role,
        "Set the `Resource` of the `iam:PassRole` statement to the ARNs of the roles that "
        "may be passed, and add an `iam:PassedToService` condition.",
        cwe="CWE-269",
        iso27001=PRIVILEGES,
        failing=(PASS_ROLE,),
        passing=(PASS_ONE_ROLE, SCOPED_POLICY),
    ),
    _check(
        "tf-aws-iam-trust-any-principal",
        "IAM role can be assumed by anyone",
        Severity.CRITICAL,
        ("aws_iam_role",),
        _open_trust,
        'In `assume_role_policy`, replace `Principal = "*"` / `AWS = "*"` with the '
        "accounts, roles or services that may assume the role, or add a `Condition` such "
        "as `aws:PrincipalOrgID` or `sts:ExternalId`.",
        cwe="CWE-284",
        iso27001=(*PRIVILEGES, "A.8.3"),
        failing=(OPEN_TRUST, OPEN_TRUST_DOCUMENT),
        passing=(SERVICE_TRUST, CONDITIONED_TRUST),
    ),
    _check(
        "tf-aws-iam-admin-policy-attached",
        "AdministratorAccess attached",
        Severity.HIGH,
        (*ATTACHMENT_KINDS, "aws_iam_role"),
        _admin_attached,
        "Attach a policy scoped to the task instead of "
        "`arn:aws:iam::aws:policy/AdministratorAccess` in `policy_arn` / "
        "`managed_policy_arns`.",
        cwe="CWE-269",
        iso27001=(*PRIVILEGES, "A.5.18"),
        cis=_cis("1.16"),
        failing=(ADMIN_ATTACHMENT,),
        passing=(READONLY_ATTACHMENT,),
    ),
    _check(
        "tf-aws-iam-user-direct-policy",
        "IAM user given permissions directly",
        Severity.LOW,
        ("aws_iam_user_policy", "aws_iam_user_policy_attachment", "aws_iam_policy_attachment"),
        _user_policies,
        "Attach the policy to an IAM group (`aws_iam_group_policy_attachment`) and add the "
        "user to the group (`aws_iam_user_group_membership`) instead of "
        "`aws_iam_user_policy` / `aws_iam_user_policy_attachment` / `users`.",
        cwe="CWE-269",
        iso27001=("A.5.15", "A.5.18"),
        cis=_cis("1.15"),
        failing=(USER_POLICY,),
        passing=(GROUP_POLICY,),
    ),
    _check(
        "tf-aws-iam-weak-password-policy",
        "Account password policy is weak",
        Severity.MEDIUM,
        ("aws_iam_account_password_policy",),
        _weak_password_policy,
        "Set `minimum_password_length = 14` (or more) and `password_reuse_prevention = 24` "
        "in `aws_iam_account_password_policy`.",
        cwe="CWE-521",
        iso27001=("A.5.17", "A.8.5"),
        cis=_cis("1.8", "1.9"),
        failing=(WEAK_PASSWORDS,),
        passing=(STRONG_PASSWORDS,),
    ),
    _check(
        "tf-aws-eks-public-endpoint",
        "EKS API endpoint open to the internet",
        Severity.MEDIUM,
        ("aws_eks_cluster",),
        _eks_public,
        "In `vpc_config`, set `endpoint_public_access = false` with "
        "`endpoint_private_access = true`, or list the admin networks in "
        "`public_access_cidrs` (it defaults to 0.0.0.0/0).",
        cwe="CWE-668",
        iso27001=NETWORK,
        failing=(EKS_OPEN,),
        passing=(EKS_PRIVATE, EKS_RESTRICTED),
    ),
    _check(
        "tf-aws-ec2-imdsv1",
        "Instance metadata service v1 allowed",
        Severity.MEDIUM,
        ("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        _imds_v1,
        'Add `metadata_options { http_tokens = "required" }` so only IMDSv2 (session '
        "tokens) can read instance credentials.",
        cwe="CWE-918",
        iso27001=("A.8.9", "A.8.20"),
        cis=_cis("5.6"),
        failing=(IMDS_OPTIONAL, IMDS_DEFAULT),
        passing=(IMDS_REQUIRED,),
    ),
)
