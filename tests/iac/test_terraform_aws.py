"""The Terraform AWS network and IAM checks, beyond their catalogue examples: every way a
rule can be written, the provider defaults, and UNKNOWN never deciding."""

from __future__ import annotations

import pytest

from glasshouse.iac.checks.terraform_aws import CHECKS
from glasshouse.iac.engine import evaluate_texts

IDS = {check.id for check in CHECKS}


def found(text: str, *extra: tuple[str, str]) -> set[tuple[str, int | None]]:
    """(rule id, line) of this module's findings for a main.tf."""
    evaluation = evaluate_texts({"main.tf": text, **dict(extra)})
    assert not [p for p in evaluation.problems if p.blocking], evaluation.problems
    return {(f.rule_id, f.location.line) for f in evaluation.findings if f.rule_id in IDS}


def rule_ids(text: str) -> set[str]:
    return {rule for rule, _ in found(text)}


# --- security groups ----------------------------------------------------------------------


def test_the_finding_points_at_the_world_cidr() -> None:
    text = """\
resource "aws_security_group" "bastion" {
  ingress {
    from_port = 20
    to_port   = 25
    protocol  = "tcp"
    cidr_blocks = [
      "10.0.0.0/8",
      "0.0.0.0/0",
    ]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
    assert found(text) == {("tf-aws-sg-ssh-open", 8)}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('type = "ingress"\n  protocol = "udp"\n  from_port = 3389\n  to_port = 3389', {"rdp"}),
        ('type = "ingress"\n  protocol = "6"\n  from_port = 5400\n  to_port = 5500', {"db"}),
        ('type = "ingress"\n  protocol = "6"\n  from_port = 3000\n  to_port = 3500', {"db", "rdp"}),
        (
            'type = "ingress"\n  protocol = "all"\n  from_port = 0\n  to_port = 0',
            {"all", "ssh", "rdp"},
        ),
        ('type = "egress"\n  protocol = "-1"\n  from_port = 0\n  to_port = 0', set()),
        ('type = "ingress"\n  protocol = "icmp"\n  from_port = -1\n  to_port = -1', set()),
        ('type = "ingress"\n  protocol = "tcp"\n  from_port = var.port\n  to_port = 22', set()),
        ('type = var.direction\n  protocol = "-1"\n  from_port = 0\n  to_port = 0', set()),
    ],
)
def test_security_group_rule_resources(rule: str, expected: set[str]) -> None:
    text = (
        'resource "aws_security_group_rule" "r" {\n  '
        + rule
        + '\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n'
    )
    short = {
        "tf-aws-sg-ssh-open": "ssh",
        "tf-aws-sg-rdp-open": "rdp",
        "tf-aws-sg-database-port-open": "db",
        "tf-aws-sg-all-ports-open": "all",
    }
    assert {short[r] for r in rule_ids(text) if r in short} == expected


def test_vpc_ingress_rule_with_every_protocol() -> None:
    text = """\
resource "aws_vpc_security_group_ingress_rule" "any" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
resource "aws_vpc_security_group_ingress_rule" "internal" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/8"
}
"""
    assert found(text) == {
        ("tf-aws-sg-all-ports-open", 4),
        ("tf-aws-sg-ssh-open", 4),
        ("tf-aws-sg-rdp-open", 4),
    }


def test_default_security_group_with_only_egress_still_allows_traffic() -> None:
    text = """\
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"""
    assert found(text) == {("tf-aws-default-sg-allows-traffic", 3)}


# --- network ACLs -------------------------------------------------------------------------


NACL = """\
resource "aws_network_acl" "edge" {
  vpc_id = aws_vpc.main.id
}
"""


def _nacl_rule(name: str, number: str, action: str, low: int, high: int, egress: str) -> str:
    return f"""\
resource "aws_network_acl_rule" "{name}" {{
  network_acl_id = aws_network_acl.edge.id
  rule_number    = {number}
  egress         = {egress}
  protocol       = "tcp"
  rule_action    = "{action}"
  cidr_block     = "0.0.0.0/0"
  from_port      = {low}
  to_port        = {high}
}}
"""


def _cidr_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if "cidr_block" in line]


def test_nacl_rule_resources_are_judged_in_rule_number_order() -> None:
    allow = _nacl_rule("web", "200", "allow", 0, 65535, "false")
    deny_ssh = _nacl_rule("no_ssh", "100", "deny", 22, 22, "false")
    # SSH and RDP open through one entry: one finding on its line.
    assert found(NACL + allow) == {("tf-aws-nacl-admin-port-open", _cidr_lines(NACL + allow)[0])}
    text = NACL + deny_ssh + allow  # RDP is still open
    assert found(text) == {("tf-aws-nacl-admin-port-open", _cidr_lines(text)[1])}
    deny_both = deny_ssh + _nacl_rule("no_rdp", "110", "deny", 3389, 3389, "false")
    assert found(NACL + deny_both + allow) == set()


def test_nacl_egress_and_unreadable_earlier_rules_say_nothing() -> None:
    assert found(NACL + _nacl_rule("out", "100", "allow", 0, 65535, "true")) == set()
    unknown = _nacl_rule("maybe", "var.number", "deny", 0, 65535, "false")
    assert found(NACL + unknown + _nacl_rule("web", "200", "allow", 22, 22, "false")) == set()


# --- databases ------------------------------------------------------------------------------


def test_public_databases_only_when_written() -> None:
    text = """\
resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier  = "warehouse"
  encrypted           = true
  publicly_accessible = true
}
resource "aws_rds_cluster_instance" "reader" {
  cluster_identifier = aws_rds_cluster.main.id
}
"""
    assert found(text) == {("tf-aws-db-publicly-accessible", 4)}


@pytest.mark.parametrize(
    "argument",
    [
        "replicate_source_db = aws_db_instance.primary.identifier",
        'snapshot_identifier = "orders-final"',
        "storage_encrypted = var.encrypted",
    ],
)
def test_encryption_taken_from_elsewhere_or_unknown_says_nothing(argument: str) -> None:
    text = f'resource "aws_db_instance" "d" {{\n  identifier = "d"\n  {argument}\n}}\n'
    assert "tf-aws-rds-unencrypted" not in rule_ids(text)


def test_aurora_serverless_v1_is_always_encrypted() -> None:
    text = 'resource "aws_rds_cluster" "c" {\n  engine_mode = "serverless"\n}\n'
    assert "tf-aws-rds-unencrypted" not in rule_ids(text)


# --- S3 -------------------------------------------------------------------------------------


def test_public_grants_in_an_access_control_policy() -> None:
    text = """\
resource "aws_s3_bucket_acl" "logs" {
  bucket = "logs"
  access_control_policy {
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    owner {
      id = data.aws_canonical_user_id.current.id
    }
  }
}
"""
    assert found(text) == {("tf-aws-s3-public-acl", 7)}


def test_access_block_flags_default_to_false() -> None:
    text = """\
resource "aws_s3_account_public_access_block" "account" {
  block_public_acls = true
  ignore_public_acls = var.ignore
}
"""
    assert found(text) == {("tf-aws-s3-public-access-block-disabled", 1)}


@pytest.mark.parametrize(
    "block",
    [
        'resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = "data"\n}\n',
        'resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = var.bucket\n}\n',
        'resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = aws_s3_bucket.data.id\n}\n',
    ],
)
def test_a_bucket_with_a_public_access_block_somewhere(block: str) -> None:
    text = 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n' + block
    assert "tf-aws-s3-no-public-access-block" not in rule_ids(text)


def test_an_access_block_for_another_bucket_does_not_count() -> None:
    text = """\
resource "aws_s3_bucket" "data" {
  bucket = "data"
}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id
}
"""
    assert ("tf-aws-s3-no-public-access-block", 1) in found(text)
    assert ("tf-aws-s3-no-public-access-block", 4) not in found(text)


def test_an_access_block_given_a_module_output_may_be_for_the_module_bucket() -> None:
    files = {
        "main.tf": """\
module "data" {
  source = "./bucket"
}
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = module.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
""",
        "bucket/main.tf": """\
resource "aws_s3_bucket" "this" {
  bucket_prefix = "data-"
}
output "id" {
  value = aws_s3_bucket.this.id
}
""",
    }
    evaluation = evaluate_texts(files)
    assert not [f for f in evaluation.findings if f.rule_id in IDS]


def test_public_bucket_policies() -> None:
    heredoc = """\
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "*"},
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "${aws_s3_bucket.b.arn}/*"
    },
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "${aws_s3_bucket.b.arn}/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    },
    {
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}
POLICY
}
"""
    assert found(heredoc) == {("tf-aws-s3-policy-public", 7)}
    document = """\
data "aws_iam_policy_document" "public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
resource "aws_s3_bucket_policy" "p" {
  bucket = "site"
  policy = data.aws_iam_policy_document.public.json
}
"""
    assert found(document) == {("tf-aws-s3-policy-public", 13)}


# --- IAM ------------------------------------------------------------------------------------


def test_full_admin_in_every_place_a_policy_is_written() -> None:
    statement = r"{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}"
    text = f"""\
resource "aws_iam_role" "ops" {{
  name               = "ops"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  inline_policy {{
    name   = "all"
    policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "*:*", Resource = "*" }}] }})
  }}
}}
resource "aws_iam_user_policy" "u" {{
  user   = "ci"
  policy = "{{\\"Statement\\": {statement}}}"
}}
"""
    assert {f for f in found(text) if f[0] == "tf-aws-iam-full-admin"} == {
        ("tf-aws-iam-full-admin", 6),
        ("tf-aws-iam-full-admin", 11),
    }


def test_a_document_is_judged_once_not_again_where_it_is_used() -> None:
    text = """\
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "admin" {
  policy = data.aws_iam_policy_document.admin.json
}
"""
    assert found(text) == {("tf-aws-iam-full-admin", 2)}


@pytest.mark.parametrize(
    "statement",
    [
        '{ Effect = "Deny", Action = "*", Resource = "*" }',
        '{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }',
        '{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::data/*" }',
        '{ Effect = "Allow", Action = "*", Resource = var.resources }',
        '{ Effect = var.effect, Action = "*", Resource = "*" }',
        '{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, '
        'Action = "*", Resource = "*" }',
    ],
)
def test_statements_that_are_not_full_admin(statement: str) -> None:
    text = (
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = ['
        + statement
        + "] })\n}\n"
    )
    assert "tf-aws-iam-full-admin" not in rule_ids(text)


def test_pass_role_patterns() -> None:
    def policy(actions: str) -> str:
        return (
            'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = '
            + actions
            + '\n    resources = ["*"]\n  }\n}\n'
        )

    assert rule_ids(policy('["iam:Pass*"]')) == {"tf-aws-iam-passrole-wildcard"}
    assert rule_ids(policy('["iam:*"]')) == {"tf-aws-iam-service-wildcard"}
    assert rule_ids(policy('["iam:GetRole"]')) == set()


def test_open_trust_policies() -> None:
    text = """\
resource "aws_iam_role" "r" {
  assume_role_policy = <<EOF
{
  "Statement": [{
    "Effect": "Allow",
    "Principal": "*",
    "Action": "sts:AssumeRoleWithWebIdentity"
  }]
}
EOF
}
"""
    assert found(text) == {("tf-aws-iam-trust-any-principal", 4)}
    unknown = text.replace('"Principal": "*"', '"Principal": {"AWS": "${var.account}"}')
    assert found(unknown) == set()


def test_administrator_access_in_managed_policy_arns_of_any_partition() -> None:
    text = """\
resource "aws_iam_role" "deploy" {
  name = "deploy"
  managed_policy_arns = [
    "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess",
    "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
  ]
}
"""
    assert found(text) == {("tf-aws-iam-admin-policy-attached", 5)}


def test_user_policies_and_attachments() -> None:
    text = """\
resource "aws_iam_user_policy" "ci" {
  user   = "ci"
  policy = data.aws_iam_policy_document.ci.json
}
resource "aws_iam_policy_attachment" "groups_only" {
  name       = "reports"
  groups     = ["analysts"]
  policy_arn = aws_iam_policy.reports.arn
}
resource "aws_iam_policy_attachment" "users" {
  name       = "reports"
  users      = ["alice"]
  policy_arn = aws_iam_policy.reports.arn
}
"""
    assert found(text) == {
        ("tf-aws-iam-user-direct-policy", 1),
        ("tf-aws-iam-user-direct-policy", 12),
    }


def test_password_policy_defaults_are_weak() -> None:
    text = 'resource "aws_iam_account_password_policy" "p" {\n  require_symbols = true\n}\n'
    assert found(text) == {("tf-aws-iam-weak-password-policy", 1)}


# --- EKS and EC2 ----------------------------------------------------------------------------


def test_eks_public_cidrs() -> None:
    text = """\
resource "aws_eks_cluster" "c" {
  name = "c"
  vpc_config {
    endpoint_public_access = true
    public_access_cidrs    = ["198.51.100.0/24", "0.0.0.0/0"]
  }
}
resource "aws_eks_cluster" "unknown" {
  name = "u"
  vpc_config {
    endpoint_public_access = var.public
  }
}
"""
    assert found(text) == {("tf-aws-eks-public-endpoint", 5)}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ('http_endpoint = "disabled"', set()),
        ("http_tokens = var.tokens", set()),
        ('http_tokens = "optional"', {("tf-aws-ec2-imdsv1", 4)}),
        ("http_put_response_hop_limit = 1", {("tf-aws-ec2-imdsv1", 3)}),
    ],
)
def test_instance_metadata_options(options: str, expected: set[tuple[str, int]]) -> None:
    text = (
        'resource "aws_launch_configuration" "lc" {\n  image_id = "ami-1"\n'
        "  metadata_options {\n    " + options + "\n  }\n}\n"
    )
    assert found(text) == expected
