"""Terraform AWS data checks (encryption at rest and in transit, audit logging, exposed
endpoints) through the real Terraform adapter: the lines findings point at, resources
related within a module, UNKNOWN values, and values that come from variables and locals.
Each check's own failing and passing examples run in test_catalogue."""

from __future__ import annotations

import pytest

from glasshouse.iac.checks.terraform_aws_data import CHECKS
from glasshouse.iac.engine import evaluate_texts


def hits(files: dict[str, str] | str, check_id: str) -> list[int | None]:
    """The lines of ``check_id``'s findings over ``files`` (one text: ``main.tf``)."""
    texts = {"main.tf": files} if isinstance(files, str) else files
    run = evaluate_texts(texts, checks=CHECKS)
    assert not [p for p in run.problems if p.blocking], run.problems
    return sorted(f.location.line for f in run.findings if f.rule_id == check_id)


def test_ids_are_unique_and_terraform() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(c.id.startswith("tf-aws-") and c.format == "terraform" for c in CHECKS)


# --- lines ----------------------------------------------------------------------------------


def test_a_written_value_is_reported_on_its_line_a_default_on_the_resource() -> None:
    text = """\
resource "aws_efs_file_system" "a" {
  creation_token = "a"
}

resource "aws_efs_file_system" "b" {
  creation_token = "b"
  encrypted      = false
}
"""
    assert hits(text, "tf-aws-efs-not-encrypted") == [1, 7]


def test_an_absent_attribute_inside_a_block_is_reported_on_the_block() -> None:
    text = """\
resource "aws_lb" "web" {
  name    = "web"
  subnets = ["subnet-1", "subnet-2"]

  access_logs {
    bucket = "web-logs"
  }
}
"""
    assert hits(text, "tf-aws-lb-access-logs-disabled") == [5]


def test_each_unencrypted_device_of_an_instance_is_reported() -> None:
    text = """\
resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  root_block_device {
    encrypted = false
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted   = false
  }
  ebs_block_device {
    device_name = "/dev/sdg"
  }
}
"""
    assert hits(text, "tf-aws-instance-volume-not-encrypted") == [6, 10]


def test_cloudfront_behaviours_are_reported_one_by_one() -> None:
    text = """\
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "app"
    viewer_protocol_policy = "redirect-to-https"
  }
  ordered_cache_behavior {
    path_pattern           = "/static/*"
    target_origin_id       = "app"
    viewer_protocol_policy = "allow-all"
  }
  ordered_cache_behavior {
    path_pattern           = "/api/*"
    target_origin_id       = "app"
    viewer_protocol_policy = "https-only"
  }
}
"""
    assert hits(text, "tf-aws-cloudfront-allows-http") == [10]


# --- defaults that depend on other settings ----------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", [1]),
        ('  engine = "redis"\n', [1]),
        ('  engine = "valkey"\n', []),
        ('  at_rest_encryption_enabled = false\n  engine = "valkey"\n', [2]),
        ('  global_replication_group_id = "ldgnf-sessions"\n', []),
    ],
)
def test_elasticache_at_rest_default_depends_on_the_engine(extra: str, expected: list[int]) -> None:
    text = f'resource "aws_elasticache_replication_group" "c" {{\n{extra}  description = "c"\n}}\n'
    assert hits(text, "tf-aws-elasticache-not-encrypted-at-rest") == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", [1]),
        ("  storage_encrypted = null\n", [1]),
        ('  snapshot_identifier = "graph-final"\n', []),
        ('  global_cluster_identifier = "graph-global"\n', []),
        ('  snapshot_identifier = "graph-final"\n  storage_encrypted = false\n', [3]),
    ],
)
def test_cluster_encryption_inherited_from_a_source(extra: str, expected: list[int]) -> None:
    text = f'resource "aws_neptune_cluster" "graph" {{\n{extra}  engine = "neptune"\n}}\n'
    assert hits(text, "tf-aws-docdb-neptune-not-encrypted") == expected


def test_ebs_volume_from_a_snapshot_is_not_reported() -> None:
    text = """\
resource "aws_ebs_volume" "restored" {
  availability_zone = "eu-west-1a"
  snapshot_id       = "snap-0123456789abcdef0"
}
"""
    assert hits(text, "tf-aws-ebs-volume-not-encrypted") == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", [1]),
        ('  customer_master_key_spec = "RSA_2048"\n', []),
        ('  key_usage = "GENERATE_VERIFY_MAC"\n  customer_master_key_spec = "HMAC_256"\n', []),
        ('  custom_key_store_id = "cks-1234567890abcdef0"\n', []),
        ('  customer_master_key_spec = "SYMMETRIC_DEFAULT"\n', [1]),
    ],
)
def test_kms_rotation_only_for_rotatable_keys(extra: str, expected: list[int]) -> None:
    text = f'resource "aws_kms_key" "k" {{\n{extra}  description = "k"\n}}\n'
    assert hits(text, "tf-aws-kms-key-rotation-disabled") == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ('type = "forward"\n    target_group_arn = "arn:tg"', [3]),
        (
            'type = "fixed-response"\n'
            '    fixed_response {\n      content_type = "text/plain"\n    }',
            [],
        ),
        (
            'type = "redirect"\n    redirect {\n      protocol    = "HTTPS"\n'
            '      status_code = "HTTP_301"\n    }',
            [],
        ),
    ],
)
def test_http_listener_is_reported_only_when_it_serves(action: str, expected: list[int]) -> None:
    text = f"""\
resource "aws_lb_listener" "http" {{
  load_balancer_arn = "arn:lb"
  protocol          = "HTTP"
  port              = 80
  default_action {{
    {action}
  }}
}}
"""
    assert hits(text, "tf-aws-lb-listener-plain-http") == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("ELBSecurityPolicy-TLS-1-1-2017-01", [4]),
        ("ELBSecurityPolicy-TLS13-1-0-2021-06", [4]),
        ("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04", [4]),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", []),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", []),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", []),
    ],
)
def test_listener_policies_that_accept_tls_1_0_or_1_1(policy: str, expected: list[int]) -> None:
    text = f"""\
resource "aws_lb_listener" "tls" {{
  load_balancer_arn = "arn:lb"
  protocol          = "TLS"
  ssl_policy        = "{policy}"
  default_action {{
    type             = "forward"
    target_group_arn = "arn:tg"
  }}
}}
"""
    assert hits(text, "tf-aws-lb-listener-outdated-tls-policy") == expected


def test_api_method_options_api_key_and_private_api() -> None:
    text = """\
resource "aws_api_gateway_rest_api" "public" {
  name = "public"
}

resource "aws_api_gateway_rest_api" "internal" {
  name = "internal"
  endpoint_configuration {
    types = ["PRIVATE"]
  }
}

resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.public.id
  resource_id   = "abc123"
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_method" "preflight" {
  rest_api_id   = aws_api_gateway_rest_api.public.id
  resource_id   = "abc123"
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_method" "keyed" {
  rest_api_id      = aws_api_gateway_rest_api.public.id
  resource_id      = "abc123"
  http_method      = "POST"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_method" "private" {
  rest_api_id   = aws_api_gateway_rest_api.internal.id
  resource_id   = "abc123"
  http_method   = "GET"
  authorization = "NONE"
}
"""
    assert hits(text, "tf-aws-api-gateway-method-unauthenticated") == [16]


def test_api_method_of_an_api_with_a_resource_policy_is_not_judged() -> None:
    text = """\
resource "aws_api_gateway_rest_api" "partners" {
  name = "partners"
}

resource "aws_api_gateway_rest_api_policy" "partners" {
  rest_api_id = aws_api_gateway_rest_api.partners.id
  policy      = "{}"
}

resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.partners.id
  resource_id   = "abc123"
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_method" "given" {
  rest_api_id   = "a1b2c3d4e5"
  resource_id   = "abc123"
  http_method   = "GET"
  authorization = "NONE"
}
"""
    assert hits(text, "tf-aws-api-gateway-method-unauthenticated") == []


# --- resources related within a module ---------------------------------------------------------

VPCS = """\
resource "aws_vpc" "app" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "data" {
  cidr_block = "10.1.0.0/16"
}
"""


def test_a_flow_log_clears_the_vpc_it_names_only() -> None:
    flow_log = """
resource "aws_flow_log" "app" {
  vpc_id          = aws_vpc.app.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:s3:::flow-logs"
}
"""
    assert hits(VPCS, "tf-aws-vpc-flow-logs-missing") == [1, 5]
    assert hits(VPCS + flow_log, "tf-aws-vpc-flow-logs-missing") == [5]


def test_a_flow_log_found_through_a_local_or_another_file() -> None:
    files = {
        "network.tf": VPCS,
        "logging.tf": """\
locals {
  logged = [aws_vpc.app.id, aws_vpc.data.id]
}

resource "aws_flow_log" "all" {
  count        = 2
  vpc_id       = local.logged[count.index]
  traffic_type = "REJECT"
}
""",
    }
    assert hits(files, "tf-aws-vpc-flow-logs-missing") == []


def test_a_flow_log_for_an_unknown_vpc_silences_the_check() -> None:
    flow_log = """
variable "vpc_id" {
  type = string
}

resource "aws_flow_log" "given" {
  vpc_id       = var.vpc_id
  traffic_type = "ALL"
}
"""
    assert hits(VPCS + flow_log, "tf-aws-vpc-flow-logs-missing") == []


def test_a_flow_log_of_another_vpc_does_not_clear_this_one() -> None:
    flow_log = """
resource "aws_flow_log" "legacy" {
  vpc_id       = "vpc-0123456789abcdef0"
  traffic_type = "ALL"
}
"""
    assert hits(VPCS + flow_log, "tf-aws-vpc-flow-logs-missing") == [1, 5]


def test_a_vpc_in_a_called_module_is_judged_with_its_caller() -> None:
    network = {"network/main.tf": VPCS}
    call = 'module "network" {\n  source = "./network"\n}\n'
    logs = """
resource "aws_flow_log" "network" {
  vpc_id       = module.network.vpc_id
  traffic_type = "ALL"
}
"""
    assert hits({"main.tf": call, **network}, "tf-aws-vpc-flow-logs-missing") == [1, 5]
    assert hits({"main.tf": call + logs, **network}, "tf-aws-vpc-flow-logs-missing") == []


def test_a_flow_log_module_given_the_vpc_clears_it() -> None:
    files = {
        "main.tf": VPCS
        + """
module "flow_logs" {
  source = "./flow-logs"
  vpc_id = aws_vpc.app.id
}
""",
        "flow-logs/main.tf": """\
variable "vpc_id" {
  type = string
}

resource "aws_flow_log" "this" {
  vpc_id       = var.vpc_id
  traffic_type = "ALL"
}
""",
    }
    assert hits(files, "tf-aws-vpc-flow-logs-missing") == []


BUCKETS = """\
resource "aws_s3_bucket" "data" {
  bucket = "shop-data"
}

resource "aws_s3_bucket" "media" {
  bucket = "shop-media"
}
"""


def test_a_logging_resource_clears_its_bucket_and_its_target() -> None:
    logging = """
resource "aws_s3_bucket" "audit" {
  bucket = "shop-audit"
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.audit.id
  target_prefix = "data/"
}
"""
    assert hits(BUCKETS, "tf-aws-s3-access-logging-missing") == [1, 5]
    assert hits(BUCKETS + logging, "tf-aws-s3-access-logging-missing") == [5]


def test_log_destinations_are_not_asked_to_log() -> None:
    text = """\
resource "aws_s3_bucket" "trail" {
  bucket = "org-audit"
}

resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = aws_s3_bucket.trail.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
}

resource "aws_s3_bucket" "delivery" {
  bucket = "org-delivery"
}

resource "aws_s3_bucket_acl" "delivery" {
  bucket = aws_s3_bucket.delivery.id
  acl    = "log-delivery-write"
}

resource "aws_s3_bucket" "access_logs" {
  bucket = "org-access-logs"
}
"""
    assert hits(text, "tf-aws-s3-access-logging-missing") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("shop-access-logs", []),
        ("org_logging", []),
        ("audit-trail", []),
        ("shop-catalog", [1]),
        ("team-blog", [1]),
    ],
)
def test_buckets_named_for_logs_are_taken_as_log_buckets(name: str, expected: list[int]) -> None:
    text = f'resource "aws_s3_bucket" "b" {{\n  bucket = "{name}"\n}}\n'
    assert hits(text, "tf-aws-s3-access-logging-missing") == expected


def test_an_unknown_log_destination_may_be_any_bucket() -> None:
    lb = """
resource "aws_lb" "web" {
  name    = "web"
  subnets = ["subnet-1", "subnet-2"]
  access_logs {
    bucket  = aws_s3_bucket.media.id
    enabled = true
  }
}
"""
    assert hits(BUCKETS + lb, "tf-aws-s3-access-logging-missing") == []


def test_a_logging_resource_for_an_unknown_bucket_silences_the_check() -> None:
    logging = """
variable "bucket" {
  type = string
}

resource "aws_s3_bucket_logging" "given" {
  bucket        = var.bucket
  target_bucket = "central-access-logs"
}
"""
    assert hits(BUCKETS + logging, "tf-aws-s3-access-logging-missing") == []


def test_default_encryption_in_the_module_clears_volumes_without_encrypted() -> None:
    volumes = """\
resource "aws_ebs_volume" "a" {
  availability_zone = "eu-west-1a"
  size              = 10
}

resource "aws_ebs_volume" "b" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = false
}
"""
    default = '\nresource "aws_ebs_encryption_by_default" "on" {}\n'
    assert hits(volumes, "tf-aws-ebs-volume-not-encrypted") == [1, 9]
    assert hits(volumes + default, "tf-aws-ebs-volume-not-encrypted") == [9]


def test_registry_scanning_in_the_module_clears_scan_on_push() -> None:
    text = """\
resource "aws_ecr_repository" "app" {
  name = "app"
}

resource "aws_ecr_registry_scanning_configuration" "this" {
  scan_type = "ENHANCED"
  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}
"""
    assert hits(text, "tf-aws-ecr-scan-on-push-disabled") == []


# --- UNKNOWN and resolved values ----------------------------------------------------------------


UNKNOWN_INPUTS = """\
variable "encrypted" {
  type = bool
}

variable "policy" {
  type = string
}
"""


@pytest.mark.parametrize(
    ("check_id", "resource"),
    [
        (
            "tf-aws-efs-not-encrypted",
            'resource "aws_efs_file_system" "x" {\n  encrypted = var.encrypted\n}\n',
        ),
        (
            "tf-aws-ebs-volume-not-encrypted",
            'resource "aws_ebs_volume" "x" {\n  availability_zone = "a"\n'
            "  encrypted = var.encrypted\n}\n",
        ),
        (
            "tf-aws-cloudtrail-not-multi-region",
            'resource "aws_cloudtrail" "x" {\n  name = "x"\n  s3_bucket_name = "b"\n'
            "  is_multi_region_trail = var.encrypted\n}\n",
        ),
        (
            "tf-aws-kms-key-rotation-disabled",
            'resource "aws_kms_key" "x" {\n  customer_master_key_spec = var.policy\n}\n',
        ),
        (
            "tf-aws-kinesis-stream-not-encrypted",
            'resource "aws_kinesis_stream" "x" {\n  name = "x"\n'
            "  encryption_type = var.policy\n}\n",
        ),
        (
            "tf-aws-eks-audit-logging-disabled",
            'resource "aws_eks_cluster" "x" {\n  name = "x"\n  role_arn = "arn"\n'
            '  enabled_cluster_log_types = ["api", var.policy]\n'
            '  vpc_config {\n    subnet_ids = ["s"]\n  }\n}\n',
        ),
        (
            "tf-aws-opensearch-not-encrypted-at-rest",
            'resource "aws_opensearch_domain" "x" {\n  domain_name = "x"\n'
            "  encrypt_at_rest {\n    enabled = var.encrypted\n  }\n}\n",
        ),
        (
            "tf-aws-elasticache-not-encrypted-at-rest",
            'resource "aws_elasticache_replication_group" "x" {\n  description = "x"\n'
            "  engine = var.policy\n}\n",
        ),
        (
            "tf-aws-lb-access-logs-disabled",
            'resource "aws_lb" "x" {\n  name = "x"\n  load_balancer_type = var.policy\n}\n',
        ),
    ],
)
def test_an_unknown_deciding_value_says_nothing(check_id: str, resource: str) -> None:
    assert hits(UNKNOWN_INPUTS + resource, check_id) == []


def test_an_unknown_dynamic_block_says_nothing() -> None:
    text = """\
variable "logs" {
  type = any
}

resource "aws_lb" "web" {
  name = "web"
  dynamic "access_logs" {
    for_each = var.logs
    content {
      bucket  = access_logs.value.bucket
      enabled = true
    }
  }
}
"""
    assert hits(text, "tf-aws-lb-access-logs-disabled") == []


def test_values_from_variables_defaults_tfvars_and_locals() -> None:
    files = {
        "variables.tf": """\
variable "encrypt_cache" {
  type    = bool
  default = true
}

variable "min_tls" {
  type    = string
  default = "TLSv1.2_2021"
}
""",
        "terraform.tfvars": 'encrypt_cache = false\nmin_tls = "TLSv1_2016"\n',
        "main.tf": """\
locals {
  rotate = false
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  at_rest_encryption_enabled = var.encrypt_cache
  transit_encryption_enabled = true
}

resource "aws_kms_key" "data" {
  description         = "data"
  enable_key_rotation = local.rotate
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = var.min_tls
  }
}
""",
    }
    assert hits(files, "tf-aws-elasticache-not-encrypted-at-rest") == [8]
    assert hits(files, "tf-aws-kms-key-rotation-disabled") == [14]
    assert hits(files, "tf-aws-cloudfront-outdated-tls") == [22]


def test_a_variable_default_without_tfvars_decides() -> None:
    text = """\
variable "scan" {
  type    = bool
  default = false
}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = var.scan
  }
}
"""
    assert hits(text, "tf-aws-ecr-scan-on-push-disabled") == [10]
    assert hits(text, "tf-aws-ecr-mutable-tags") == []


def test_count_instances_are_reported_on_the_written_resource() -> None:
    text = """\
resource "aws_sns_topic" "alerts" {
  count = 3
  name  = "alerts-${count.index}"
}

resource "aws_sns_topic" "none" {
  count = 0
  name  = "none"
}
"""
    found = hits(text, "tf-aws-sns-topic-not-encrypted")
    assert found
    assert set(found) == {1}


def test_strings_are_read_as_booleans_like_terraform_does() -> None:
    text = """\
resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "audit"
  is_multi_region_trail      = "true"
  enable_log_file_validation = "false"
}
"""
    assert hits(text, "tf-aws-cloudtrail-not-multi-region") == []
    assert hits(text, "tf-aws-cloudtrail-log-validation-disabled") == [5]


def test_launch_template_interfaces_with_a_public_ip() -> None:
    text = """\
resource "aws_launch_template" "web" {
  name_prefix = "web-"
  network_interfaces {
    device_index                = 0
    associate_public_ip_address = "true"
  }
  network_interfaces {
    device_index                = 1
    associate_public_ip_address = false
  }
}
"""
    assert hits(text, "tf-aws-instance-public-ip") == [5]
