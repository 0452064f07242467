"""Terraform AWS checks on data: encryption at rest, encryption in transit, audit logging,
and a few exposures of data and code (unauthenticated endpoints, mutable images).

Each check reads a resource's evaluated arguments (see the Terraform adapter: variables,
tfvars, locals, ``count``/``for_each`` and ``dynamic`` blocks are resolved where they
can be); nested blocks are lists of mappings and ``null`` counts as absent. Provider
defaults are read as the AWS provider and AWS apply them to a new resource today:

- absent means unencrypted, and is reported, for EBS volumes, EFS file systems,
  DocumentDB and Neptune clusters, ElastiCache Redis OSS replication groups (Valkey ones
  are encrypted at rest by default), Kinesis streams (``encryption_type`` defaults to
  ``NONE``), OpenSearch domains, KMS key rotation and CloudTrail's multi-region and log
  file validation flags;
- absent is safe, and only a written insecure value is reported, for SQS (SSE-SQS),
  Redshift (encrypted by default since 2025; provider versions differ), EBS encryption
  by default (``enabled`` defaults to true), the ``root_block_device`` and
  ``ebs_block_device`` of instances and launch templates (the AMI, snapshot or account
  decides), CloudTrail's ``enable_logging`` and RDS ``backup_retention_period``;
- nothing is assumed where the default has moved over time: a load balancer listener or
  an OpenSearch endpoint without a TLS policy, an API Gateway domain without
  ``security_policy``.

S3 bucket encryption is not checked (SSE-S3 applies to every bucket since 2023), nor
DynamoDB (always encrypted). Aurora (``aws_rds_cluster``) encryption belongs to
``tf-aws-rds-unencrypted`` in ``terraform_aws``.

A value the adapter cannot know is ``UNKNOWN``: it never produces a finding and never
counts as safe; where the deciding value is UNKNOWN the check says nothing. A written
value is reported on its own line; an unsafe default on the line of the closest written
block, else the resource's first line.

Some checks relate resources across the module instances of one root evaluation (the
root module and the local modules it calls: ``ModuleView.everywhere``), through the
addresses each argument refers to (``context["references"]``; a reference to a module
call, ``module.network.vpc_id``, covers the resources of that module):

- a VPC is reported when no ``aws_flow_log`` refers to it. A flow log whose ``vpc_id``
  cannot be resolved (a module input, a ``for_each`` value) may be this VPC's, and then
  nothing is said. Flow logs made by another stack, a remote module or an
  organization-wide setup are invisible: a reusable module scanned on its own is judged
  as if it were a root.
- an S3 bucket is asked to log access unless an ``aws_s3_bucket_logging`` (or the
  legacy ``logging`` block) covers it or has an unresolved ``bucket``, or it is itself a
  log destination (the target of another bucket's logging, a trail, a flow log, a Config
  delivery channel, Redshift logging, a ``log-delivery-write`` ACL), or its name or label
  says it holds logs (``shop-access-logs``, ``audit_trail``). Log destinations in nested
  blocks (``access_logs { bucket = ... }`` of a load balancer, CloudFront
  ``logging_config``) carry no references: when one is UNKNOWN it may be any bucket,
  and no bucket is reported.
- an EBS volume without ``encrypted`` is not reported when the configuration turns on
  EBS encryption by default, nor an ECR repository without scan on push when it has a
  registry scanning configuration; an API Gateway method without authorization is
  judged only when its REST API is in the configuration, is not private and has no
  resource policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from glasshouse.iac.adapters.terraform import FORMAT, ModuleView, related
from glasshouse.iac.check import Check, Example
from glasshouse.iac.model import UNKNOWN, Node, Resource, Violation
from glasshouse.iac.terraform.modules import strip_keys
from glasshouse.model import Severity

CIS = "CIS AWS Foundations Benchmark v3.0.0"
Evaluate = Callable[[Resource], Iterable[Violation]]


# --- reading resources --------------------------------------------------------------------


def attr(node: Node | None, *path: str) -> Node | None:
    """The attribute at ``path``; a step into a nested block reads its first element.

    An UNKNOWN on the way is the (UNKNOWN) answer, not absence."""
    current = node
    for step in path:
        if current is None or current.value is UNKNOWN:
            return current
        if isinstance(current.value, list):
            first = current.value[0] if current.value else None
            if first is None or first.value is UNKNOWN:
                return first
            current = first
        current = current.get(step)
    return current


def arg(node: Node | None, name: str) -> Node | None:
    """The argument ``name`` of a body or block; ``null`` counts as absent, as in
    Terraform."""
    found = node.get(name) if node is not None else None
    return None if found is None or found.value is None else found


def known_blocks(node: Node | None, name: str) -> tuple[list[Node], bool]:
    """The mappings of nested block ``name`` and whether any of them (or it) is UNKNOWN
    (a ``dynamic`` block whose ``for_each`` is unknown)."""
    found = node.get(name) if node is not None else None
    if found is None:
        return [], False
    if found.value is UNKNOWN:
        return [], True
    elements = [found] if isinstance(found.value, dict) else list(found.elements())
    known = [e for e in elements if isinstance(e.value, dict)]
    return known, any(e.value is UNKNOWN for e in elements)


def unknown(node: Node | None) -> bool:
    return node is not None and node.value is UNKNOWN


def flag(node: Node | None) -> bool | None:
    """A boolean written as ``true`` or ``"true"`` (Terraform converts); None otherwise."""
    if node is None:
        return None
    if isinstance(node.value, bool):
        return node.value
    if isinstance(node.value, str) and node.value.strip().lower() in ("true", "false"):
        return node.value.strip().lower() == "true"
    return None


def text(node: Node | None) -> str | None:
    return node.text() if node is not None else None


def number(node: Node | None) -> int | float | None:
    if node is None or isinstance(node.value, bool):
        return None
    if isinstance(node.value, int | float):
        return node.value
    if isinstance(node.value, str):
        try:
            return float(node.value.strip())
        except ValueError:
            return None
    return None


def line(node: Node | None, *fallbacks: Node | Resource | None) -> int | None:
    """The line of ``node``, else of the first fallback that has one."""
    for candidate in (node, *fallbacks):
        if candidate is not None and candidate.line is not None:
            return candidate.line
    return None


def strings(node: Node | None) -> tuple[list[str], bool]:
    """The known strings of a list (or one string), and whether any part is UNKNOWN."""
    if node is None:
        return [], False
    if node.value is UNKNOWN:
        return [], True
    elements = list(node.elements()) if isinstance(node.value, list) else [node]
    found = [e.value for e in elements if isinstance(e.value, str)]
    return found, any(e.value is UNKNOWN for e in elements)


# --- the module around a resource -------------------------------------------------------


def _view(resource: Resource) -> ModuleView | None:
    view = resource.context.get("module")
    return view if isinstance(view, ModuleView) else None


def _everywhere(resource: Resource, kind: str) -> list[Resource] | None:
    """Resources of ``kind`` in every module instance of the evaluation ``resource``
    belongs to (the root module and the local modules it calls); None if unknown."""
    view = _view(resource)
    return view.everywhere(kind) if view is not None else None


def _address(resource: Resource) -> str:
    """The resource's address without its own instance key (how others refer to it)."""
    address = resource.context.get("address")
    return address if isinstance(address, str) else re.sub(r"\[[^\]]*\]$", "", resource.name)


def _references(resource: Resource, *attributes: str) -> set[str]:
    """The addresses the named top-level attributes (all, if none named) refer to."""
    found: set[str] = set()
    table = resource.context.get("references")
    if not isinstance(table, dict):
        return found
    for name, addresses in table.items():
        if attributes and name not in attributes:
            continue
        if isinstance(addresses, tuple | list | set | frozenset):
            found.update(a for a in addresses if isinstance(a, str))
    return found


def _refers_to(other: Resource, target: Resource, *attributes: str) -> bool:
    """``other`` names ``target`` in one of the attributes, or names the module call
    that made it (``module.network.vpc_id`` for ``module.network.aws_vpc.main``)."""
    address = strip_keys(_address(target))
    for reference in _references(other, *attributes):
        reference = strip_keys(reference)
        if reference == address:
            return True
        if reference.split(".")[-2:-1] == ["module"] and address.startswith(reference + "."):
            return True
    return False


def _unresolved(other: Resource, attribute: str) -> bool:
    """The attribute is UNKNOWN and refers to no resource: it may name anything."""
    node = arg(other.body, attribute)
    return unknown(node) and not _references(other, attribute)


# --- encryption at rest -----------------------------------------------------------------


def _default_encryption_on(resource: Resource) -> bool:
    """The configuration turns on EBS encryption by default (``enabled`` absent or true)."""
    for other in _everywhere(resource, "aws_ebs_encryption_by_default") or ():
        enabled = arg(other.body, "enabled")
        if enabled is None or flag(enabled) is True:
            return True
    return False


def _ebs_volume(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "encrypted")
    if unknown(node) or flag(node) is True:
        return
    if node is None:
        if arg(resource.body, "snapshot_id") is not None:
            return  # a volume from a snapshot is encrypted as the snapshot is
        if _default_encryption_on(resource):
            return
        message = "encrypted is not set (unencrypted unless the account encrypts by default)"
    else:
        message = "encrypted = false"
    yield Violation(line(node, resource), message)


_DEVICE_BLOCKS = ("root_block_device", "ebs_block_device")


def _instance_volumes(resource: Resource) -> Iterator[Violation]:
    # Only a written false: absent leaves it to the AMI, the snapshot or the account.
    if resource.kind == "aws_launch_template":
        mappings, _ = known_blocks(resource.body, "block_device_mappings")
        for mapping in mappings:
            name = text(arg(mapping, "device_name")) or "?"
            for ebs in known_blocks(mapping, "ebs")[0]:
                node = arg(ebs, "encrypted")
                if flag(node) is False:
                    yield Violation(line(node, ebs), f"volume {name} has encrypted = false")
        return
    for name in _DEVICE_BLOCKS:
        for device in known_blocks(resource.body, name)[0]:
            node = arg(device, "encrypted")
            if flag(node) is False:
                shown = text(arg(device, "device_name"))
                label = f"{name} {shown}" if shown else name
                yield Violation(line(node, device), f"{label} has encrypted = false")


def _ebs_default_off(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "enabled")
    if flag(node) is False:
        yield Violation(line(node, resource), "EBS encryption by default is turned off")


def _must_be_true(attribute: str, message: str) -> Evaluate:
    """An attribute whose absence means false: only a written true passes."""

    def evaluate(resource: Resource) -> Iterator[Violation]:
        node = arg(resource.body, attribute)
        if unknown(node) or flag(node) is True:
            return
        shown = "not set" if node is None else f"= {text(node)}"
        yield Violation(line(node, resource), f"{message} ({attribute} {shown})")

    return evaluate


def _must_not_be_false(attribute: str, message: str) -> Evaluate:
    """An attribute whose absence is safe: only a written false is reported."""

    def evaluate(resource: Resource) -> Iterator[Violation]:
        node = arg(resource.body, attribute)
        if flag(node) is False:
            yield Violation(line(node, resource), f"{message} ({attribute} = false)")

    return evaluate


# Set, these make a cluster inherit its encryption (a snapshot, a global cluster).
_CLUSTER_SOURCES = (
    "snapshot_identifier",
    "global_cluster_identifier",
    "replication_source_identifier",
    "restore_to_point_in_time",
)


def _db_cluster(resource: Resource) -> Iterator[Violation]:
    # DocumentDB and Neptune; Aurora (aws_rds_cluster) is tf-aws-rds-unencrypted's.
    node = arg(resource.body, "storage_encrypted")
    if unknown(node) or flag(node) is True:
        return
    if node is None and any(arg(resource.body, k) is not None for k in _CLUSTER_SOURCES):
        return
    shown = "not set" if node is None else "= false"
    yield Violation(line(node, resource), f"storage is not encrypted (storage_encrypted {shown})")


def _elasticache_at_rest(resource: Resource) -> Iterator[Violation]:
    if arg(resource.body, "global_replication_group_id") is not None:
        return  # a secondary takes its encryption from the global datastore
    node = arg(resource.body, "at_rest_encryption_enabled")
    if unknown(node) or flag(node) is True:
        return
    if node is None:
        engine = arg(resource.body, "engine")
        if unknown(engine) or (text(engine) or "").lower() == "valkey":
            return  # Valkey replication groups are encrypted at rest by default
    shown = "not set" if node is None else "= false"
    yield Violation(
        line(node, resource), f"data at rest is not encrypted (at_rest_encryption_enabled {shown})"
    )


def _elasticache_in_transit(resource: Resource) -> Iterator[Violation]:
    if arg(resource.body, "global_replication_group_id") is not None:
        return
    node = arg(resource.body, "transit_encryption_enabled")
    if unknown(node):
        return
    if flag(node) is True:
        mode = arg(resource.body, "transit_encryption_mode")
        if text(mode) == "preferred":
            yield Violation(
                line(mode, resource),
                "plain connections are still accepted (transit_encryption_mode = preferred)",
            )
        return
    shown = "not set" if node is None else "= false"
    yield Violation(
        line(node, resource), f"connections are not encrypted (transit_encryption_enabled {shown})"
    )


def _sqs(resource: Resource) -> Iterator[Violation]:
    # SSE-SQS is the default; only sqs_managed_sse_enabled = false without a key is bare.
    if arg(resource.body, "kms_master_key_id") is not None:
        return
    managed = arg(resource.body, "sqs_managed_sse_enabled")
    if flag(managed) is False:
        yield Violation(line(managed, resource), "queue is not encrypted at rest")


def _sns(resource: Resource) -> Iterator[Violation]:
    if arg(resource.body, "kms_master_key_id") is None:
        yield Violation(resource.line, "topic has no kms_master_key_id")


def _kinesis(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "encryption_type")
    if unknown(node):
        return
    kind = (text(node) or "NONE").upper()
    if kind == "NONE":
        shown = "not set, so NONE" if node is None else "= NONE"
        yield Violation(line(node, resource), f"stream is not encrypted (encryption_type {shown})")


def _domain_option(block: str, message: str) -> Evaluate:
    """An OpenSearch option block whose ``enabled`` must be true (absent block: false)."""

    def evaluate(resource: Resource) -> Iterator[Violation]:
        found, partly_unknown = known_blocks(resource.body, block)
        if partly_unknown:
            return
        if not found:
            yield Violation(resource.line, f"{message} (no {block} block)")
            return
        enabled = arg(found[0], "enabled")
        if unknown(enabled) or flag(enabled) is True:
            return
        yield Violation(line(enabled, found[0]), f"{message} ({block}.enabled not true)")

    return evaluate


OLD_OPENSEARCH_POLICIES = frozenset({"Policy-Min-TLS-1-0-2019-07"})


def _opensearch_https(resource: Resource) -> Iterator[Violation]:
    # No domain_endpoint_options: AWS does not enforce HTTPS. In the block,
    # enforce_https defaults to true.
    found, partly_unknown = known_blocks(resource.body, "domain_endpoint_options")
    if partly_unknown:
        return
    if not found:
        yield Violation(resource.line, "HTTPS is not enforced (no domain_endpoint_options)")
        return
    enforce = arg(found[0], "enforce_https")
    if flag(enforce) is False:
        yield Violation(line(enforce, found[0]), "HTTPS is not enforced (enforce_https = false)")


def _opensearch_tls(resource: Resource) -> Iterator[Violation]:
    for options in known_blocks(resource.body, "domain_endpoint_options")[0]:
        policy = arg(options, "tls_security_policy")
        if text(policy) in OLD_OPENSEARCH_POLICIES:
            yield Violation(line(policy, options), f"tls_security_policy {text(policy)}")


def _kms_rotation(resource: Resource) -> Iterator[Violation]:
    body = resource.body
    spec, usage = arg(body, "customer_master_key_spec"), arg(body, "key_usage")
    store = arg(body, "custom_key_store_id")
    if unknown(spec) or unknown(usage) or store is not None:
        return  # keys in custom (CloudHSM, external) key stores cannot rotate
    if (text(spec) or "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return  # asymmetric and HMAC keys cannot rotate automatically
    if (text(usage) or "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return
    node = arg(body, "enable_key_rotation")
    if unknown(node) or flag(node) is True:
        return
    shown = "not set" if node is None else "= false"
    yield Violation(
        line(node, resource), f"automatic rotation is off (enable_key_rotation {shown})"
    )


# --- encryption in transit ----------------------------------------------------------------

# ELB policies that still accept TLS 1.0 or 1.1.
OLD_ELB_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-2011-08",
        "ELBSecurityPolicy-2014-01",
        "ELBSecurityPolicy-2014-10",
        "ELBSecurityPolicy-2015-02",
        "ELBSecurityPolicy-2015-03",
        "ELBSecurityPolicy-2015-05",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-FS-2018-06",
        "ELBSecurityPolicy-FS-1-1-2019-08",
        "ELBSecurityPolicy-TLS-1-0-2015-04",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
    }
)
# TLS13-1-0 and TLS13-1-1 policies (FIPS and post-quantum variants too) accept 1.0 / 1.1.
OLD_ELB_PREFIXES = ("ELBSecurityPolicy-TLS13-1-0-", "ELBSecurityPolicy-TLS13-1-1-")
# CloudFront security policies below TLSv1.2_2019 (TLS 1.0/1.1, or TLS 1.2 with CBC-SHA1).
OLD_CLOUDFRONT_PROTOCOLS = frozenset(
    {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018"}
)
SERVING_ACTIONS = ("forward", "authenticate-cognito", "authenticate-oidc")


def _listener_protocol(resource: Resource) -> str | None:
    return (text(arg(resource.body, "protocol")) or "").upper() or None


def _plain_http_listener(resource: Resource) -> Iterator[Violation]:
    # Only a written HTTP (an absent protocol is HTTP on an ALB but TCP-only on an NLB),
    # and only when the default action serves content: a redirect (to HTTPS) or a fixed
    # response does not.
    protocol = arg(resource.body, "protocol")
    if _listener_protocol(resource) != "HTTP":
        return
    actions, partly_unknown = known_blocks(resource.body, "default_action")
    if partly_unknown:
        return
    kinds = [text(arg(a, "type")) for a in actions]
    if any(k is None for k in kinds):
        return
    if any(k in SERVING_ACTIONS for k in kinds):
        yield Violation(
            line(protocol, resource), "listener serves plain HTTP (no redirect to HTTPS)"
        )


def _old_elb_policy(name: str) -> bool:
    return name in OLD_ELB_POLICIES or name.startswith(OLD_ELB_PREFIXES)


def _listener_tls(resource: Resource) -> Iterator[Violation]:
    if _listener_protocol(resource) not in ("HTTPS", "TLS"):
        return
    policy = arg(resource.body, "ssl_policy")
    name = text(policy)
    if name is not None and _old_elb_policy(name):
        yield Violation(line(policy, resource), f"ssl_policy {name} accepts TLS 1.0 or 1.1")


_BEHAVIOURS = ("default_cache_behavior", "ordered_cache_behavior")


def _cloudfront_http(resource: Resource) -> Iterator[Violation]:
    for name in _BEHAVIOURS:
        for behaviour in known_blocks(resource.body, name)[0]:
            policy = arg(behaviour, "viewer_protocol_policy")
            if text(policy) == "allow-all":
                pattern = text(arg(behaviour, "path_pattern"))
                where = f"{name} {pattern}" if pattern else name
                yield Violation(line(policy, behaviour), f"{where} allows plain HTTP")


def _cloudfront_tls(resource: Resource) -> Iterator[Violation]:
    certificates, partly_unknown = known_blocks(resource.body, "viewer_certificate")
    if partly_unknown or not certificates:
        return
    certificate = certificates[0]
    default = arg(certificate, "cloudfront_default_certificate")
    if unknown(default) or flag(default) is True:
        return  # *.cloudfront.net: the policy cannot be chosen
    if all(arg(certificate, k) is None for k in ("acm_certificate_arn", "iam_certificate_id")):
        return
    version = arg(certificate, "minimum_protocol_version")
    if unknown(version):
        return
    if version is None:
        yield Violation(
            line(None, certificate, resource), "minimum_protocol_version not set (TLSv1)"
        )
    elif text(version) in OLD_CLOUDFRONT_PROTOCOLS:
        yield Violation(line(version, certificate), f"minimum_protocol_version {text(version)}")


def _cloudfront_origin(resource: Resource) -> Iterator[Violation]:
    for origin in known_blocks(resource.body, "origin")[0]:
        for config in known_blocks(origin, "custom_origin_config")[0]:
            policy = arg(config, "origin_protocol_policy")
            if text(policy) == "http-only":
                domain = text(arg(origin, "domain_name")) or text(arg(origin, "origin_id")) or "?"
                yield Violation(line(policy, config), f"origin {domain} is reached over plain HTTP")


def _api_domain_tls(resource: Resource) -> Iterator[Violation]:
    policy = arg(resource.body, "security_policy")
    if (text(policy) or "").upper() == "TLS_1_0":
        yield Violation(line(policy, resource), "security_policy TLS_1_0 accepts TLS 1.0 and 1.1")


# --- audit logging ----------------------------------------------------------------------


def _trail_kms(resource: Resource) -> Iterator[Violation]:
    if arg(resource.body, "kms_key_id") is None:
        yield Violation(resource.line, "log files are not encrypted with a KMS key (no kms_key_id)")


def _vpc_flow_logs(resource: Resource) -> Iterator[Violation]:
    flow_logs = _everywhere(resource, "aws_flow_log")
    if flow_logs is None:
        return
    for flow_log in flow_logs:
        if _refers_to(flow_log, resource, "vpc_id"):
            return
        if _unresolved(flow_log, "vpc_id"):
            return  # a variable (a module input) or a for_each value: maybe this VPC
    yield Violation(resource.line, "no aws_flow_log records the VPC's traffic")


# Where a resource of the module names the bucket that receives logs (top-level attributes).
LOG_DESTINATIONS: dict[str, tuple[str, ...]] = {
    "aws_s3_bucket_logging": ("target_bucket",),
    "aws_cloudtrail": ("s3_bucket_name",),
    "aws_flow_log": ("log_destination",),
    "aws_config_delivery_channel": ("s3_bucket_name",),
    "aws_redshift_logging": ("bucket_name",),
}
LOG_DELIVERY = "log-delivery-write"
# Log destinations written in nested blocks: (kind, block, attribute).
NESTED_LOG_DESTINATIONS = (
    ("aws_lb", "access_logs", "bucket"),
    ("aws_alb", "access_logs", "bucket"),
    ("aws_lb", "connection_logs", "bucket"),
    ("aws_elb", "access_logs", "bucket"),
    ("aws_cloudfront_distribution", "logging_config", "bucket"),
    ("aws_s3_bucket", "logging", "target_bucket"),
    ("aws_redshift_cluster", "logging", "bucket_name"),
)


# Words of a bucket's name (or its Terraform label) that say it receives logs.
LOG_WORDS = frozenset(
    {
        "log",
        "logs",
        "logging",
        "accesslog",
        "accesslogs",
        "auditlog",
        "auditlogs",
        "flowlogs",
        "albaccesslogs",
        "cloudtrail",
        "trail",
    }
)


def _log_bucket_name(name: str) -> bool:
    """``shop-access-logs``, ``audit_trail``, ``org-logging``; not ``catalog`` or ``blog``."""
    return any(word in LOG_WORDS for word in re.split(r"[^a-z0-9]+", name.lower()))


def _bucket_names(bucket: Resource) -> tuple[list[str], bool]:
    names = [text(arg(bucket.body, k)) for k in ("bucket", "bucket_prefix")]
    partly_unknown = any(unknown(arg(bucket.body, k)) for k in ("bucket", "bucket_prefix"))
    return [n for n in names if n], partly_unknown


def _log_target(bucket: Resource) -> bool | None:
    """Whether the configuration sends logs to ``bucket``; None when it cannot be told."""
    names, _ = _bucket_names(bucket)
    for kind, attributes in LOG_DESTINATIONS.items():
        for other in _everywhere(bucket, kind) or ():
            if _refers_to(other, bucket, *attributes):
                return True
    for acl in _everywhere(bucket, "aws_s3_bucket_acl") or ():
        if _refers_to(acl, bucket, "bucket") and text(arg(acl.body, "acl")) == LOG_DELIVERY:
            return True
    for kind, block, attribute in NESTED_LOG_DESTINATIONS:
        for other in _everywhere(bucket, kind) or ():
            if other is bucket:
                continue
            for element in known_blocks(other.body, block)[0]:
                value = arg(element, attribute)
                if unknown(value):
                    # Nested blocks carry no references: aws_s3_bucket.x.id may be this one.
                    return None
                shown = text(value)
                if shown and shown.removeprefix("arn:aws:s3:::") in names:
                    return True
    return False


def _s3_access_logging(resource: Resource) -> Iterator[Violation]:
    if arg(resource.body, "logging") is not None:
        return  # the legacy inline logging block
    loggings = _everywhere(resource, "aws_s3_bucket_logging")
    if loggings is None:
        return
    names, _ = _bucket_names(resource)
    label = _address(resource).rsplit(".", 1)[-1]
    if any(_log_bucket_name(n) for n in (*names, label)):
        return  # named as a log bucket: logging its access would log the logs
    for logging in loggings:
        if _refers_to(logging, resource, "bucket") or _unresolved(logging, "bucket"):
            return
        if text(arg(logging.body, "bucket")) in names:
            return
    if _log_target(resource) is not False:
        return
    yield Violation(resource.line, "no server access logging (aws_s3_bucket_logging)")


def _lb_access_logs(resource: Resource) -> Iterator[Violation]:
    kind = arg(resource.body, "load_balancer_type")
    if unknown(kind) or (text(kind) or "application") != "application":
        return
    found, partly_unknown = known_blocks(resource.body, "access_logs")
    if partly_unknown:
        return
    if not found:
        yield Violation(resource.line, "no access_logs block")
        return
    enabled = arg(found[0], "enabled")
    if unknown(enabled) or flag(enabled) is True:
        return
    shown = "not set, so false" if enabled is None else "= false"
    yield Violation(line(enabled, found[0]), f"access_logs.enabled {shown}")


def _eks_audit(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "enabled_cluster_log_types")
    names, partly_unknown = strings(node)
    if partly_unknown or "audit" in names:
        return
    shown = "not set" if node is None else "without audit"
    yield Violation(line(node, resource), f"enabled_cluster_log_types {shown}")


def _db_backups(resource: Resource) -> Iterator[Violation]:
    if arg(resource.body, "replicate_source_db") is not None:
        return  # read replicas may run without backups
    node = arg(resource.body, "backup_retention_period")
    if number(node) == 0:
        yield Violation(
            line(node, resource), "automated backups are off (backup_retention_period 0)"
        )


# --- images, endpoints, addresses ----------------------------------------------------------


def _ecr_mutable(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "image_tag_mutability")
    if unknown(node):
        return
    if (text(node) or "MUTABLE").upper() == "MUTABLE":
        shown = "not set, so MUTABLE" if node is None else "= MUTABLE"
        yield Violation(line(node, resource), f"image_tag_mutability {shown}")


def _ecr_scan(resource: Resource) -> Iterator[Violation]:
    if _everywhere(resource, "aws_ecr_registry_scanning_configuration"):
        return  # registry-level scanning replaces scan on push
    found, partly_unknown = known_blocks(resource.body, "image_scanning_configuration")
    if partly_unknown:
        return
    scan = arg(found[0], "scan_on_push") if found else None
    if unknown(scan) or flag(scan) is True:
        return
    where = line(scan, found[0] if found else None, resource)
    yield Violation(where, "images are not scanned on push")


def _lambda_url(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "authorization_type")
    if text(node) == "NONE":
        yield Violation(line(node, resource), "anyone on the internet can invoke the function")


def _open_api(method: Resource) -> bool:
    """The method's REST API is in the configuration, is not private, and has no
    resource policy; anything else (an API given by ID or variable) is not judged."""
    apis = [
        api
        for api in _everywhere(method, "aws_api_gateway_rest_api") or ()
        if _refers_to(method, api, "rest_api_id")
    ]
    if len(apis) != 1:
        return False
    api = apis[0]
    _, partly_unknown = known_blocks(api.body, "endpoint_configuration")
    types, unknown_types = strings(attr(api.body, "endpoint_configuration", "types"))
    if partly_unknown or unknown_types or "PRIVATE" in types:
        return False
    if arg(api.body, "policy") is not None:
        return False  # a resource policy may limit callers (source IP, VPC endpoint)
    return not related(api, "aws_api_gateway_rest_api_policy", "rest_api_id")


def _api_method_auth(resource: Resource) -> Iterator[Violation]:
    node = arg(resource.body, "authorization")
    method = text(arg(resource.body, "http_method"))
    if text(node) != "NONE" or method is None or method.upper() == "OPTIONS":
        return  # CORS preflight (OPTIONS) cannot carry credentials
    key = arg(resource.body, "api_key_required")
    if unknown(key) or flag(key) is True:
        return
    if not _open_api(resource):
        return
    yield Violation(line(node, resource), f"{method.upper()} needs no authorization")


def _public_ip(resource: Resource) -> Iterator[Violation]:
    if resource.kind == "aws_launch_template":
        for interface in known_blocks(resource.body, "network_interfaces")[0]:
            node = arg(interface, "associate_public_ip_address")
            if flag(node) is True:
                yield Violation(line(node, interface), "network interface gets a public IP")
        return
    node = arg(resource.body, "associate_public_ip_address")
    if flag(node) is True:
        yield Violation(line(node, resource), "instance gets a public IP address")


# --- the catalogue ----------------------------------------------------------------------


def tf_check(
    id: str,
    title: str,
    severity: Severity,
    kinds: Iterable[str],
    evaluate: Evaluate,
    fix: str,
    *,
    cwe: str,
    iso27001: tuple[str, ...],
    failing: tuple[str, ...],
    passing: tuple[str, ...],
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
        cwe=cwe,
        iso27001=iso27001,
        cis=tuple(f"{CIS} {section}" for section in cis),
        failing=tuple(Example("main.tf", t) for t in failing),
        passing=tuple(Example("main.tf", t) for t in passing),
    )


AT_REST = ("A.8.24",)
IN_TRANSIT = ("A.8.24", "A.5.14")
LOGGING = ("A.8.15", "A.8.16")

_VOLUME = """\
resource "aws_ebs_volume" "data" {{
  availability_zone = "eu-west-1a"
  size              = 100
{extra}}}
"""
_INSTANCE = """\
resource "aws_instance" "app" {{
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
{extra}}}
"""
_LAUNCH_TEMPLATE = """\
resource "aws_launch_template" "nodes" {{
  name_prefix   = "nodes-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "m6i.large"
{extra}}}
"""
_CLUSTER = """\
resource "aws_docdb_cluster" "catalog" {{
  cluster_identifier          = "catalog"
  engine                      = "docdb"
  master_username             = "app"
  manage_master_user_password = true
{extra}}}
"""
_CACHE = """\
resource "aws_elasticache_replication_group" "sessions" {{
  replication_group_id = "sessions"
  description          = "user sessions"
  node_type            = "cache.t4g.small"
  num_cache_clusters   = 2
{extra}}}
"""
_DOMAIN = """\
resource "aws_opensearch_domain" "search" {{
  domain_name    = "search"
  engine_version = "OpenSearch_2.13"
{extra}}}
"""
_SECURE_DOMAIN_BLOCKS = """\
  encrypt_at_rest {
    enabled = true
  }
  node_to_node_encryption {
    enabled = true
  }
  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }
"""
_KEY = """\
resource "aws_kms_key" "data" {{
  description             = "application data"
  deletion_window_in_days = 30
{extra}}}
"""
_LISTENER = """\
resource "aws_lb_listener" "web" {{
  load_balancer_arn = aws_lb.web.arn
  port              = {port}
  protocol          = "{protocol}"
{extra}
  default_action {{
{action}
  }}
}}
"""
_FORWARD = '    type             = "forward"\n    target_group_arn = aws_lb_target_group.web.arn'
_REDIRECT = """\
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }"""
_CERT = '  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"'
_DISTRIBUTION = """\
resource "aws_cloudfront_distribution" "site" {{
  enabled = true

  origin {{
    domain_name = "app.example.com"
    origin_id   = "app"
    custom_origin_config {{
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "{origin}"
      origin_ssl_protocols   = ["TLSv1.2"]
    }}
  }}

  default_cache_behavior {{
    target_origin_id       = "app"
    viewer_protocol_policy = "{viewer}"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }}

  restrictions {{
    geo_restriction {{
      restriction_type = "none"
    }}
  }}

  viewer_certificate {{
{certificate}
  }}
}}
"""
_ACM_CERT = """\
    acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "{version}\""""
_SECURE_DISTRIBUTION = {
    "origin": "https-only",
    "viewer": "redirect-to-https",
    "certificate": _ACM_CERT.format(version="TLSv1.2_2021"),
}
_TRAIL = """\
resource "aws_cloudtrail" "main" {{
  name           = "main"
  s3_bucket_name = "audit-trail-logs"
{extra}}}
"""
_SECURE_TRAIL = """\
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_key.trail.arn
"""
_VPC = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
"""
_FLOW_LOG = """\
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::network-flow-logs"
}
"""
_BUCKET = """\
resource "aws_s3_bucket" "data" {
  bucket = "shop-data"
}
"""
_BUCKET_LOGGING = """\
resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = "shop-access-logs"
  target_prefix = "shop-data/"
}
"""
_LB = """\
resource "aws_lb" "web" {{
  name               = "web"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
{extra}}}
"""
_EKS = """\
resource "aws_eks_cluster" "main" {{
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks-cluster"
{extra}
  vpc_config {{
    subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }}
}}
"""
_DB = """\
resource "aws_db_instance" "orders" {{
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = true
{extra}}}
"""
_REPOSITORY = """\
resource "aws_ecr_repository" "app" {{
  name = "app"
{extra}}}
"""
_API_METHOD = """\
resource "aws_api_gateway_rest_api" "shop" {{
  name = "shop"
{api}}}

resource "aws_api_gateway_resource" "orders" {{
  rest_api_id = aws_api_gateway_rest_api.shop.id
  parent_id   = aws_api_gateway_rest_api.shop.root_resource_id
  path_part   = "orders"
}}

resource "aws_api_gateway_method" "list" {{
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "{method}"
  authorization = "{authorization}"
}}
"""

CHECKS: tuple[Check, ...] = (
    # --- encryption at rest ---
    tf_check(
        "tf-aws-ebs-volume-not-encrypted",
        "EBS volume is not encrypted",
        Severity.MEDIUM,
        ("aws_ebs_volume",),
        _ebs_volume,
        "Set encrypted = true on the aws_ebs_volume (and kms_key_id for a customer managed "
        "key), or turn on aws_ebs_encryption_by_default in the account.",
        cwe="CWE-311",
        iso27001=AT_REST,
        cis=("2.2.1",),
        failing=(_VOLUME.format(extra=""), _VOLUME.format(extra="  encrypted         = false\n")),
        passing=(
            _VOLUME.format(extra="  encrypted         = true\n"),
            _VOLUME.format(extra="")
            + 'resource "aws_ebs_encryption_by_default" "on" {\n  enabled = true\n}\n',
        ),
    ),
    tf_check(
        "tf-aws-instance-volume-not-encrypted",
        "Instance or launch template volume is explicitly unencrypted",
        Severity.MEDIUM,
        ("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        _instance_volumes,
        "Set encrypted = true in root_block_device and ebs_block_device (or "
        "block_device_mappings.ebs of a launch template), or remove encrypted = false.",
        cwe="CWE-311",
        iso27001=AT_REST,
        cis=("2.2.1",),
        failing=(
            _INSTANCE.format(
                extra="  root_block_device {\n    volume_size = 30\n    encrypted   = false\n  }\n"
            ),
            _LAUNCH_TEMPLATE.format(
                extra='  block_device_mappings {\n    device_name = "/dev/xvda"\n'
                '    ebs {\n      volume_size = 50\n      encrypted   = "false"\n    }\n  }\n'
            ),
        ),
        passing=(
            _INSTANCE.format(
                extra="  root_block_device {\n    volume_size = 30\n    encrypted   = true\n  }\n"
            ),
            _INSTANCE.format(extra=""),
        ),
    ),
    tf_check(
        "tf-aws-ebs-default-encryption-disabled",
        "EBS encryption by default is turned off",
        Severity.MEDIUM,
        ("aws_ebs_encryption_by_default",),
        _ebs_default_off,
        "Set enabled = true on aws_ebs_encryption_by_default (in every region the account uses).",
        cwe="CWE-311",
        iso27001=AT_REST,
        cis=("2.2.1",),
        failing=('resource "aws_ebs_encryption_by_default" "this" {\n  enabled = false\n}\n',),
        passing=('resource "aws_ebs_encryption_by_default" "this" {\n  enabled = true\n}\n',),
    ),
    tf_check(
        "tf-aws-efs-not-encrypted",
        "EFS file system is not encrypted",
        Severity.MEDIUM,
        ("aws_efs_file_system",),
        _must_be_true("encrypted", "file system is not encrypted at rest"),
        "Set encrypted = true on the aws_efs_file_system (with kms_key_id for a customer "
        "managed key); an existing file system must be copied to a new encrypted one.",
        cwe="CWE-311",
        iso27001=AT_REST,
        cis=("2.4.1",),
        failing=('resource "aws_efs_file_system" "shared" {\n  creation_token = "shared"\n}\n',),
        passing=(
            'resource "aws_efs_file_system" "shared" {\n  creation_token = "shared"\n'
            "  encrypted      = true\n}\n",
        ),
    ),
    tf_check(
        "tf-aws-docdb-neptune-not-encrypted",
        "DocumentDB or Neptune cluster storage is not encrypted",
        Severity.HIGH,
        ("aws_docdb_cluster", "aws_neptune_cluster"),
        _db_cluster,
        "Set storage_encrypted = true (with kms_key_id for a customer managed key) on the "
        "aws_docdb_cluster or aws_neptune_cluster; an existing cluster must be restored from "
        "an encrypted snapshot.",
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=(
            _CLUSTER.format(extra=""),
            _CLUSTER.format(extra="  storage_encrypted           = false\n"),
        ),
        passing=(
            _CLUSTER.format(extra="  storage_encrypted           = true\n"),
            _CLUSTER.format(extra='  snapshot_identifier         = "catalog-final"\n'),
        ),
    ),
    tf_check(
        "tf-aws-redshift-not-encrypted",
        "Redshift cluster is created unencrypted",
        Severity.HIGH,
        ("aws_redshift_cluster",),
        _must_not_be_false("encrypted", "cluster data is not encrypted at rest"),
        "Set encrypted = true on the aws_redshift_cluster (with kms_key_id for a customer "
        "managed key), or remove encrypted = false.",
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=(
            'resource "aws_redshift_cluster" "dw" {\n  cluster_identifier = "dw"\n'
            '  node_type          = "ra3.large"\n  encrypted          = false\n}\n',
        ),
        passing=(
            'resource "aws_redshift_cluster" "dw" {\n  cluster_identifier = "dw"\n'
            '  node_type          = "ra3.large"\n  encrypted          = true\n}\n',
            'resource "aws_redshift_cluster" "dw" {\n  cluster_identifier = "dw"\n'
            '  node_type          = "ra3.large"\n}\n',
        ),
    ),
    tf_check(
        "tf-aws-elasticache-not-encrypted-at-rest",
        "ElastiCache replication group is not encrypted at rest",
        Severity.MEDIUM,
        ("aws_elasticache_replication_group",),
        _elasticache_at_rest,
        "Set at_rest_encryption_enabled = true on the aws_elasticache_replication_group "
        "(with kms_key_id for a customer managed key).",
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=(_CACHE.format(extra="  transit_encryption_enabled = true\n"),),
        passing=(
            _CACHE.format(
                extra="  at_rest_encryption_enabled = true\n  transit_encryption_enabled = true\n"
            ),
            _CACHE.format(extra='  engine                     = "valkey"\n'),
        ),
    ),
    tf_check(
        "tf-aws-elasticache-not-encrypted-in-transit",
        "ElastiCache replication group accepts unencrypted connections",
        Severity.MEDIUM,
        ("aws_elasticache_replication_group",),
        _elasticache_in_transit,
        'Set transit_encryption_enabled = true and transit_encryption_mode = "required" '
        "(with an auth_token or user_group_ids).",
        cwe="CWE-319",
        iso27001=IN_TRANSIT,
        failing=(
            _CACHE.format(extra="  at_rest_encryption_enabled = true\n"),
            _CACHE.format(
                extra="  at_rest_encryption_enabled = true\n"
                "  transit_encryption_enabled = true\n"
                '  transit_encryption_mode    = "preferred"\n'
            ),
        ),
        passing=(
            _CACHE.format(
                extra="  at_rest_encryption_enabled = true\n  transit_encryption_enabled = true\n"
            ),
        ),
    ),
    tf_check(
        "tf-aws-sqs-queue-not-encrypted",
        "SQS queue turns off encryption at rest",
        Severity.LOW,
        ("aws_sqs_queue",),
        _sqs,
        "Remove sqs_managed_sse_enabled = false, or set kms_master_key_id to a KMS key.",
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=(
            'resource "aws_sqs_queue" "jobs" {\n  name                    = "jobs"\n'
            "  sqs_managed_sse_enabled = false\n}\n",
        ),
        passing=(
            'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n',
            'resource "aws_sqs_queue" "jobs" {\n  name              = "jobs"\n'
            '  kms_master_key_id = "alias/aws/sqs"\n}\n',
        ),
    ),
    tf_check(
        "tf-aws-sns-topic-not-encrypted",
        "SNS topic is not encrypted at rest",
        Severity.LOW,
        ("aws_sns_topic",),
        _sns,
        'Set kms_master_key_id on the aws_sns_topic ("alias/aws/sns" or a customer managed key).',
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=('resource "aws_sns_topic" "alerts" {\n  name = "alerts"\n}\n',),
        passing=(
            'resource "aws_sns_topic" "alerts" {\n  name              = "alerts"\n'
            '  kms_master_key_id = "alias/aws/sns"\n}\n',
        ),
    ),
    tf_check(
        "tf-aws-kinesis-stream-not-encrypted",
        "Kinesis stream is not encrypted at rest",
        Severity.MEDIUM,
        ("aws_kinesis_stream",),
        _kinesis,
        'Set encryption_type = "KMS" and kms_key_id (e.g. "alias/aws/kinesis") on the '
        "aws_kinesis_stream.",
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=(
            'resource "aws_kinesis_stream" "events" {\n  name        = "events"\n'
            "  shard_count = 1\n}\n",
        ),
        passing=(
            'resource "aws_kinesis_stream" "events" {\n  name            = "events"\n'
            '  shard_count     = 1\n  encryption_type = "KMS"\n'
            '  kms_key_id      = "alias/aws/kinesis"\n}\n',
        ),
    ),
    tf_check(
        "tf-aws-opensearch-not-encrypted-at-rest",
        "OpenSearch domain is not encrypted at rest",
        Severity.MEDIUM,
        ("aws_opensearch_domain", "aws_elasticsearch_domain"),
        _domain_option("encrypt_at_rest", "data at rest is not encrypted"),
        "Add encrypt_at_rest { enabled = true } (with kms_key_id for a customer managed key).",
        cwe="CWE-311",
        iso27001=AT_REST,
        failing=(
            _DOMAIN.format(
                extra=_SECURE_DOMAIN_BLOCKS.replace(
                    "encrypt_at_rest {\n    enabled = true",
                    "encrypt_at_rest {\n    enabled = false",
                )
            ),
            _DOMAIN.format(
                extra=_SECURE_DOMAIN_BLOCKS.replace(
                    "  encrypt_at_rest {\n    enabled = true\n  }\n", ""
                )
            ),
        ),
        passing=(_DOMAIN.format(extra=_SECURE_DOMAIN_BLOCKS),),
    ),
    tf_check(
        "tf-aws-opensearch-node-to-node-not-encrypted",
        "OpenSearch domain does not encrypt traffic between nodes",
        Severity.MEDIUM,
        ("aws_opensearch_domain", "aws_elasticsearch_domain"),
        _domain_option("node_to_node_encryption", "node-to-node traffic is plain"),
        "Add node_to_node_encryption { enabled = true } to the domain.",
        cwe="CWE-319",
        iso27001=IN_TRANSIT,
        failing=(
            _DOMAIN.format(
                extra=_SECURE_DOMAIN_BLOCKS.replace(
                    "  node_to_node_encryption {\n    enabled = true\n  }\n", ""
                )
            ),
        ),
        passing=(_DOMAIN.format(extra=_SECURE_DOMAIN_BLOCKS),),
    ),
    tf_check(
        "tf-aws-opensearch-https-not-enforced",
        "OpenSearch domain endpoint accepts plain HTTP",
        Severity.MEDIUM,
        ("aws_opensearch_domain", "aws_elasticsearch_domain"),
        _opensearch_https,
        "Add domain_endpoint_options { enforce_https = true, tls_security_policy = "
        '"Policy-Min-TLS-1-2-2019-07" } (or a newer TLS 1.2 policy).',
        cwe="CWE-319",
        iso27001=IN_TRANSIT,
        failing=(
            _DOMAIN.format(
                extra=_SECURE_DOMAIN_BLOCKS.replace(
                    "enforce_https       = true", "enforce_https       = false"
                )
            ),
        ),
        passing=(_DOMAIN.format(extra=_SECURE_DOMAIN_BLOCKS),),
    ),
    tf_check(
        "tf-aws-opensearch-outdated-tls-policy",
        "OpenSearch domain endpoint accepts TLS 1.0",
        Severity.MEDIUM,
        ("aws_opensearch_domain", "aws_elasticsearch_domain"),
        _opensearch_tls,
        'Set domain_endpoint_options.tls_security_policy = "Policy-Min-TLS-1-2-2019-07" (or '
        "a newer TLS 1.2 policy).",
        cwe="CWE-327",
        iso27001=IN_TRANSIT,
        failing=(
            _DOMAIN.format(
                extra=_SECURE_DOMAIN_BLOCKS.replace(
                    "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-0-2019-07"
                )
            ),
        ),
        passing=(_DOMAIN.format(extra=_SECURE_DOMAIN_BLOCKS),),
    ),
    tf_check(
        "tf-aws-kms-key-rotation-disabled",
        "KMS key is not rotated automatically",
        Severity.MEDIUM,
        ("aws_kms_key",),
        _kms_rotation,
        "Set enable_key_rotation = true on symmetric encryption keys (optionally "
        "rotation_period_in_days).",
        cwe="CWE-324",
        iso27001=AT_REST,
        cis=("3.6",),
        failing=(_KEY.format(extra=""), _KEY.format(extra="  enable_key_rotation     = false\n")),
        passing=(
            _KEY.format(extra="  enable_key_rotation     = true\n"),
            _KEY.format(
                extra='  customer_master_key_spec = "ECC_NIST_P256"\n'
                '  key_usage                = "SIGN_VERIFY"\n'
            ),
        ),
    ),
    # --- encryption in transit ---
    tf_check(
        "tf-aws-lb-listener-plain-http",
        "Load balancer listener serves plain HTTP",
        Severity.MEDIUM,
        ("aws_lb_listener", "aws_alb_listener"),
        _plain_http_listener,
        'Serve on protocol = "HTTPS" with certificate_arn and ssl_policy, and make the HTTP '
        'listener\'s default_action a redirect with protocol = "HTTPS".',
        cwe="CWE-319",
        iso27001=IN_TRANSIT,
        failing=(_LISTENER.format(port=80, protocol="HTTP", extra="", action=_FORWARD),),
        passing=(
            _LISTENER.format(port=80, protocol="HTTP", extra="", action=_REDIRECT),
            _LISTENER.format(
                port=443,
                protocol="HTTPS",
                extra=_CERT + '\n  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"',
                action=_FORWARD,
            ),
        ),
    ),
    tf_check(
        "tf-aws-lb-listener-outdated-tls-policy",
        "Load balancer listener accepts TLS 1.0 or 1.1",
        Severity.MEDIUM,
        ("aws_lb_listener", "aws_alb_listener"),
        _listener_tls,
        'Set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another TLS 1.2+ policy) '
        "on HTTPS and TLS listeners.",
        cwe="CWE-327",
        iso27001=IN_TRANSIT,
        failing=(
            _LISTENER.format(
                port=443,
                protocol="HTTPS",
                extra=_CERT + '\n  ssl_policy        = "ELBSecurityPolicy-2016-08"',
                action=_FORWARD,
            ),
        ),
        passing=(
            _LISTENER.format(
                port=443,
                protocol="HTTPS",
                extra=_CERT + '\n  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"',
                action=_FORWARD,
            ),
        ),
    ),
    tf_check(
        "tf-aws-cloudfront-allows-http",
        "CloudFront distribution serves viewers over plain HTTP",
        Severity.MEDIUM,
        ("aws_cloudfront_distribution",),
        _cloudfront_http,
        'Set viewer_protocol_policy = "redirect-to-https" (or "https-only") in '
        "default_cache_behavior and every ordered_cache_behavior.",
        cwe="CWE-319",
        iso27001=IN_TRANSIT,
        failing=(_DISTRIBUTION.format(**{**_SECURE_DISTRIBUTION, "viewer": "allow-all"}),),
        passing=(_DISTRIBUTION.format(**_SECURE_DISTRIBUTION),),
    ),
    tf_check(
        "tf-aws-cloudfront-outdated-tls",
        "CloudFront distribution accepts outdated TLS",
        Severity.MEDIUM,
        ("aws_cloudfront_distribution",),
        _cloudfront_tls,
        'Set viewer_certificate.minimum_protocol_version = "TLSv1.2_2021" (or newer) for '
        "distributions with their own certificate.",
        cwe="CWE-327",
        iso27001=IN_TRANSIT,
        failing=(
            _DISTRIBUTION.format(
                **{**_SECURE_DISTRIBUTION, "certificate": _ACM_CERT.format(version="TLSv1")}
            ),
            _DISTRIBUTION.format(
                **{
                    **_SECURE_DISTRIBUTION,
                    "certificate": _ACM_CERT.format(version="TLSv1").rsplit("\n", 1)[0],
                }
            ),
        ),
        passing=(
            _DISTRIBUTION.format(**_SECURE_DISTRIBUTION),
            _DISTRIBUTION.format(
                **{
                    **_SECURE_DISTRIBUTION,
                    "certificate": "    cloudfront_default_certificate = true",
                }
            ),
        ),
    ),
    tf_check(
        "tf-aws-cloudfront-origin-plain-http",
        "CloudFront reaches a custom origin over plain HTTP",
        Severity.MEDIUM,
        ("aws_cloudfront_distribution",),
        _cloudfront_origin,
        'Set custom_origin_config.origin_protocol_policy = "https-only" with '
        'origin_ssl_protocols = ["TLSv1.2"] (S3 website endpoints: use the S3 REST endpoint '
        "with origin access control instead).",
        cwe="CWE-319",
        iso27001=IN_TRANSIT,
        failing=(_DISTRIBUTION.format(**{**_SECURE_DISTRIBUTION, "origin": "http-only"}),),
        passing=(_DISTRIBUTION.format(**_SECURE_DISTRIBUTION),),
    ),
    tf_check(
        "tf-aws-api-gateway-domain-tls10",
        "API Gateway custom domain accepts TLS 1.0",
        Severity.MEDIUM,
        ("aws_api_gateway_domain_name",),
        _api_domain_tls,
        'Set security_policy = "TLS_1_2" (or a newer SecurityPolicy_TLS13_* policy) on the '
        "aws_api_gateway_domain_name.",
        cwe="CWE-327",
        iso27001=IN_TRANSIT,
        failing=(
            'resource "aws_api_gateway_domain_name" "api" {\n'
            '  domain_name     = "api.example.com"\n'
            '  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"\n'
            '  security_policy = "TLS_1_0"\n}\n',
        ),
        passing=(
            'resource "aws_api_gateway_domain_name" "api" {\n'
            '  domain_name     = "api.example.com"\n'
            '  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"\n'
            '  security_policy = "TLS_1_2"\n}\n',
        ),
    ),
    # --- audit logging ---
    tf_check(
        "tf-aws-cloudtrail-not-multi-region",
        "CloudTrail trail records one region only",
        Severity.MEDIUM,
        ("aws_cloudtrail",),
        _must_be_true("is_multi_region_trail", "activity in other regions is not recorded"),
        "Set is_multi_region_trail = true on the aws_cloudtrail.",
        cwe="CWE-778",
        iso27001=LOGGING,
        cis=("3.1",),
        failing=(
            _TRAIL.format(extra=_SECURE_TRAIL.replace("  is_multi_region_trail      = true\n", "")),
        ),
        passing=(_TRAIL.format(extra=_SECURE_TRAIL),),
    ),
    tf_check(
        "tf-aws-cloudtrail-log-validation-disabled",
        "CloudTrail log file validation is off",
        Severity.MEDIUM,
        ("aws_cloudtrail",),
        _must_be_true("enable_log_file_validation", "log files can be altered unnoticed"),
        "Set enable_log_file_validation = true on the aws_cloudtrail.",
        cwe="CWE-353",
        iso27001=("A.8.15",),
        cis=("3.2",),
        failing=(
            _TRAIL.format(extra=_SECURE_TRAIL.replace("validation = true", "validation = false")),
        ),
        passing=(_TRAIL.format(extra=_SECURE_TRAIL),),
    ),
    tf_check(
        "tf-aws-cloudtrail-not-kms-encrypted",
        "CloudTrail logs are not encrypted with a KMS key",
        Severity.LOW,
        ("aws_cloudtrail",),
        _trail_kms,
        "Set kms_key_id on the aws_cloudtrail to a customer managed KMS key whose policy "
        "lets CloudTrail encrypt.",
        cwe="CWE-311",
        iso27001=("A.8.15", "A.8.24"),
        cis=("3.5",),
        failing=(
            _TRAIL.format(
                extra=_SECURE_TRAIL.replace(
                    "  kms_key_id                 = aws_kms_key.trail.arn\n", ""
                )
            ),
        ),
        passing=(_TRAIL.format(extra=_SECURE_TRAIL),),
    ),
    tf_check(
        "tf-aws-cloudtrail-logging-stopped",
        "CloudTrail trail does not record",
        Severity.HIGH,
        ("aws_cloudtrail",),
        _must_not_be_false("enable_logging", "the trail is stopped"),
        "Remove enable_logging = false (or set it to true) on the aws_cloudtrail.",
        cwe="CWE-778",
        iso27001=LOGGING,
        cis=("3.1",),
        failing=(_TRAIL.format(extra=_SECURE_TRAIL + "  enable_logging             = false\n"),),
        passing=(_TRAIL.format(extra=_SECURE_TRAIL),),
    ),
    tf_check(
        "tf-aws-vpc-flow-logs-missing",
        "VPC has no flow log",
        Severity.MEDIUM,
        ("aws_vpc",),
        _vpc_flow_logs,
        'Add an aws_flow_log with vpc_id = aws_vpc.<name>.id, traffic_type = "ALL" (at '
        'least "REJECT") and a log_destination.',
        cwe="CWE-778",
        iso27001=LOGGING,
        cis=("3.7",),
        failing=(_VPC,),
        passing=(_VPC + "\n" + _FLOW_LOG,),
    ),
    tf_check(
        "tf-aws-s3-access-logging-missing",
        "S3 bucket does not log access",
        Severity.LOW,
        ("aws_s3_bucket",),
        _s3_access_logging,
        "Add an aws_s3_bucket_logging with bucket = aws_s3_bucket.<name>.id and a "
        "target_bucket that collects access logs.",
        cwe="CWE-778",
        iso27001=LOGGING,
        failing=(_BUCKET,),
        passing=(_BUCKET + "\n" + _BUCKET_LOGGING,),
    ),
    tf_check(
        "tf-aws-lb-access-logs-disabled",
        "Application load balancer does not log requests",
        Severity.LOW,
        ("aws_lb", "aws_alb"),
        _lb_access_logs,
        'Add access_logs { bucket = "<log bucket>", enabled = true } to the load balancer.',
        cwe="CWE-778",
        iso27001=LOGGING,
        failing=(
            _LB.format(extra=""),
            _LB.format(extra='  access_logs {\n    bucket = "web-lb-logs"\n  }\n'),
        ),
        passing=(
            _LB.format(
                extra='  access_logs {\n    bucket  = "web-lb-logs"\n    enabled = true\n  }\n'
            ),
        ),
    ),
    tf_check(
        "tf-aws-eks-audit-logging-disabled",
        "EKS control plane does not send audit logs",
        Severity.MEDIUM,
        ("aws_eks_cluster",),
        _eks_audit,
        'Set enabled_cluster_log_types = ["api", "audit", "authenticator"] (at least '
        '"audit") on the aws_eks_cluster.',
        cwe="CWE-778",
        iso27001=LOGGING,
        failing=(
            _EKS.format(extra=""),
            _EKS.format(extra='  enabled_cluster_log_types = ["api"]\n'),
        ),
        passing=(_EKS.format(extra='  enabled_cluster_log_types = ["api", "audit"]\n'),),
    ),
    tf_check(
        "tf-aws-db-backups-disabled",
        "RDS instance has automated backups turned off",
        Severity.MEDIUM,
        ("aws_db_instance",),
        _db_backups,
        "Set backup_retention_period to 7 or more days (1-35) on the aws_db_instance.",
        cwe="CWE-693",
        iso27001=("A.8.13",),
        failing=(_DB.format(extra="  backup_retention_period     = 0\n"),),
        passing=(_DB.format(extra="  backup_retention_period     = 14\n"), _DB.format(extra="")),
    ),
    # --- images, endpoints, addresses ---
    tf_check(
        "tf-aws-ecr-mutable-tags",
        "ECR repository lets image tags be overwritten",
        Severity.LOW,
        ("aws_ecr_repository",),
        _ecr_mutable,
        'Set image_tag_mutability = "IMMUTABLE" on the aws_ecr_repository (and deploy by digest).',
        cwe="CWE-494",
        iso27001=("A.8.9", "A.8.32"),
        failing=(_REPOSITORY.format(extra=""),),
        passing=(_REPOSITORY.format(extra='  image_tag_mutability = "IMMUTABLE"\n'),),
    ),
    tf_check(
        "tf-aws-ecr-scan-on-push-disabled",
        "ECR repository does not scan images on push",
        Severity.LOW,
        ("aws_ecr_repository",),
        _ecr_scan,
        "Add image_scanning_configuration { scan_on_push = true }, or configure registry "
        "scanning with aws_ecr_registry_scanning_configuration.",
        cwe="CWE-1104",
        iso27001=("A.8.8",),
        failing=(
            _REPOSITORY.format(extra=""),
            _REPOSITORY.format(
                extra="  image_scanning_configuration {\n    scan_on_push = false\n  }\n"
            ),
        ),
        passing=(
            _REPOSITORY.format(
                extra="  image_scanning_configuration {\n    scan_on_push = true\n  }\n"
            ),
        ),
    ),
    tf_check(
        "tf-aws-lambda-url-unauthenticated",
        "Lambda function URL needs no authentication",
        Severity.HIGH,
        ("aws_lambda_function_url",),
        _lambda_url,
        'Set authorization_type = "AWS_IAM" on the aws_lambda_function_url (or put the '
        "function behind API Gateway with an authorizer).",
        cwe="CWE-306",
        iso27001=("A.5.15", "A.8.5"),
        failing=(
            'resource "aws_lambda_function_url" "hook" {\n'
            '  function_name      = "webhook"\n  authorization_type = "NONE"\n}\n',
        ),
        passing=(
            'resource "aws_lambda_function_url" "hook" {\n'
            '  function_name      = "webhook"\n  authorization_type = "AWS_IAM"\n}\n',
        ),
    ),
    tf_check(
        "tf-aws-api-gateway-method-unauthenticated",
        "API Gateway method needs no authorization",
        Severity.MEDIUM,
        ("aws_api_gateway_method",),
        _api_method_auth,
        'Set authorization = "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM" with an '
        "authorizer_id on the aws_api_gateway_method (OPTIONS preflight methods may stay NONE).",
        cwe="CWE-306",
        iso27001=("A.5.15", "A.8.5"),
        failing=(_API_METHOD.format(api="", method="GET", authorization="NONE"),),
        passing=(
            _API_METHOD.format(api="", method="GET", authorization="AWS_IAM"),
            _API_METHOD.format(api="", method="OPTIONS", authorization="NONE"),
            _API_METHOD.format(
                api='  endpoint_configuration {\n    types = ["PRIVATE"]\n  }\n',
                method="GET",
                authorization="NONE",
            ),
        ),
    ),
    tf_check(
        "tf-aws-instance-public-ip",
        "EC2 instance gets a public IP address",
        Severity.LOW,
        ("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        _public_ip,
        "Set associate_public_ip_address = false (in network_interfaces for a launch "
        "template) and reach instances through a load balancer, SSM or a bastion.",
        cwe="CWE-284",
        iso27001=("A.8.20",),
        failing=(_INSTANCE.format(extra="  associate_public_ip_address = true\n"),),
        passing=(
            _INSTANCE.format(extra="  associate_public_ip_address = false\n"),
            _INSTANCE.format(extra=""),
        ),
    ),
)
