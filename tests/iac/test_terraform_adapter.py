"""The Terraform adapter: files into evaluated resources (variables, tfvars, locals,
functions, count/for_each, dynamic blocks, local modules, references, JSON syntax), and
unreadable input as one-line problems, end to end through `glasshouse scan`."""

from __future__ import annotations

import json
import os
import posixpath
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glasshouse.iac.adapter import DirectoryInput, DirectoryResult
from glasshouse.iac.adapters.terraform import (
    UNKNOWN,
    blocks,
    matches,
    parse_directory,
    policy_statements,
    related,
)
from glasshouse.iac.engine import evaluate_texts
from glasshouse.iac.model import Resource
from glasshouse.iac.terraform.evaluate import Evaluator
from glasshouse.iac.terraform.syntax import Invalid, parse_expression, parse_template

DATA = Path(__file__).parent.parent / "data" / "iac" / "terraform"


def run(files: dict[str, str | bytes], directory: str = "") -> DirectoryResult:
    """The adapter over one directory of an in-memory tree, as the engine calls it."""
    data = {p: t.encode() if isinstance(t, str) else t for p, t in files.items()}

    def load(wanted: str) -> dict[str, bytes]:
        wanted = posixpath.normpath(wanted).removeprefix("./")
        wanted = "" if wanted == "." else wanted
        return {p: v for p, v in data.items() if posixpath.dirname(p) == wanted}

    return parse_directory(DirectoryInput(directory, load(directory), load))


def by_name(result: DirectoryResult) -> dict[str, Resource]:
    return {r.name: r for r in result.resources}


def body(files: dict[str, str | bytes], name: str, directory: str = "") -> Any:
    return by_name(run(files, directory))[name].body.plain()


def value(expression: str) -> Any:
    return Evaluator(lambda name: UNKNOWN).evaluate(parse_expression(expression))


def rules(files: dict[str, str | bytes]) -> set[tuple[str, str, int | None]]:
    evaluation = evaluate_texts(files)
    return {(f.rule_id, f.location.path, f.location.line) for f in evaluation.findings}


def test_matches_terraform_file_names() -> None:
    for name in ("main.tf", "main.tf.json", "terraform.tfvars", "prod.auto.tfvars.json"):
        assert matches(name, name)
    for name in ("main.tf.bak", "tf", "terraform.tfstate", "main.tfplan"):
        assert not matches(name, name)


# --- variables, tfvars, locals ----------------------------------------------------------


VARIABLES = """\
variable "acl" {
  default = "private"
}
variable "size" {
  default = 10
}
variable "region" {}
resource "aws_s3_bucket" "b" {
  acl    = var.acl
  size   = var.size
  region = var.region
}
"""


def test_variables_take_their_default() -> None:
    assert body({"main.tf": VARIABLES}, "aws_s3_bucket.b") == {
        "acl": "private",
        "size": 10,
        "region": UNKNOWN,  # no default, no value: unknown, never guessed
    }


def test_auto_loaded_tfvars_override_defaults_in_terraform_order() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": VARIABLES,
        "terraform.tfvars": 'acl = "public-read"\nsize = 20\n',
        "terraform.tfvars.json": '{"size": 30}',
        "b.auto.tfvars": "size = 50\n",
        "a.auto.tfvars.json": '{"size": 40, "region": "eu-west-1"}',
        "prod.tfvars": 'acl = "log-delivery-write"\n',  # only with -var-file: not applied
    }
    assert body(files, "aws_s3_bucket.b") == {
        "acl": "public-read",
        "size": 50,
        "region": "eu-west-1",
    }


def test_tfvars_are_values_not_resources_and_are_read() -> None:
    result = run({"main.tf": VARIABLES, "terraform.tfvars": 'acl = "x"\n'})
    assert [r.kind for r in result.resources] == ["aws_s3_bucket"]
    assert result.scanned == ["main.tf", "terraform.tfvars"]


def test_locals_refer_to_locals_in_any_order_across_files() -> None:
    files: dict[str, str | bytes] = {
        "a.tf": 'locals {\n  full = "${local.prefix}-${local.suffix}"\n}\n',
        "b.tf": 'locals {\n  prefix = upper(local.base)\n  suffix = "logs"\n}\n',
        "c.tf": 'locals {\n  base = var.team\n}\nvariable "team" {\n  default = "ops"\n}\n',
        "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = local.full\n}\n',
    }
    assert body(files, "aws_s3_bucket.b") == {"bucket": "OPS-logs"}


def test_local_cycles_are_unknown_not_a_hang() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
locals {
  a = local.b
  b = "${local.a}x"
  self = local.self
}
resource "aws_s3_bucket" "b" {
  a    = local.a
  self = local.self
  ok   = "fine"
}
"""
    }
    assert body(files, "aws_s3_bucket.b") == {"a": UNKNOWN, "self": UNKNOWN, "ok": "fine"}


# --- expressions and functions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"a-${1 + 2}-${true}"', "a-3-true"),
        ('"$${literal} %%{x}"', "${literal} %{x}"),
        ("1 + 2 * 3 - 4 / 2", 5),
        ("7 % 3 == 1 && !false", True),
        ('5 > 3 ? "big" : "small"', "big"),
        ('upper(lower("MiXeD"))', "MIXED"),
        ('format("%s:%03d %q", "port", 7, "x")', 'port:007 "x"'),
        ('join(",", split("-", "a-b-c"))', "a,b,c"),
        ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
        ("merge({a = 1, b = 2}, {b = 3})", {"a": 1, "b": 3}),
        ('lookup({a = "x"}, "b", "default")', "default"),
        ('coalesce("", null, "third")', "third"),
        ('length(["a", "b"]) + length("abc") + length({k = 1})', 6),
        ("tostring(5)", "5"),
        ('tonumber("42")', 42),
        ('tobool("true")', True),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('jsonencode({b = [1, true, null], a = "x"})', '{"a":"x","b":[1,true,null]}'),
        ('jsondecode("{\\"a\\": [1, 2.5]}")', {"a": [1, 2.5]}),
        ('contains(["a", "b"], "b")', True),
        ('element(["a", "b", "c"], 4)', "b"),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ("values({b = 1, a = 2})", [2, 1]),
        ('try({a = 1}.b, ["x"][3], "fallback")', "fallback"),
        ('try(var.unknown, "fallback") == null', UNKNOWN),
        ("can({a = 1}.b)", False),
        ('replace("a.b.c", ".", "/")', "a/b/c"),
        ('trimspace("  x \\n")', "x"),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('[for s in ["a", "bb"] : upper(s) if length(s) > 1]', ["BB"]),
        ("{for k, v in {a = 1, b = 2} : v => k}", {"1": "a", "2": "b"}),
        ('[{id = "x"}, {id = "y"}][*].id', ["x", "y"]),
        ('{a = {b = ["c"]}}.a.b[0]', "c"),
    ],
)
def test_expressions_evaluate(expression: str, expected: Any) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "var.missing",
        "aws_s3_bucket.logs.arn",
        "data.aws_caller_identity.current.account_id",
        'file("policy.json")',
        'templatefile("x.tpl", {})',
        "timestamp()",
        'provider::aws::arn_parse("x")',
        '"%{ if true }x%{ endif }"',
        "{a = 1}.missing",  # Terraform rejects it: not a value
        "1 +",  # cannot be read
    ],
)
def test_what_cannot_be_known_is_unknown(expression: str) -> None:
    assert value(expression) is UNKNOWN


def test_unknown_propagates_only_where_it_decides() -> None:
    assert value('["0.0.0.0/0", var.extra]') == ["0.0.0.0/0", UNKNOWN]
    assert value("true || var.x") is True
    assert value("false && var.x") is False
    assert value("var.x ? 1 : 1") == 1
    assert value("var.x ? 1 : 2") is UNKNOWN
    assert value("length([var.a, var.b])") == 2
    assert value('"arn:${var.x}"') is UNKNOWN


def test_heredocs_strip_indentation_and_interpolate() -> None:
    text = 'x = <<-EOT\n    {\n      "a": "${upper("b")}"\n    }\n    EOT\n'
    files: dict[str, str | bytes] = {"main.tf": 'resource "r" "n" {\n  ' + text + "}\n"}
    assert body(files, "r.n") == {"x": '{\n  "a": "B"\n}\n'}


def test_parser_never_raises_on_garbage() -> None:
    generator = random.Random(7)
    alphabet = 'abc019_-.[]{}()"$%~*/+-=<>!?:,\\\n #'
    for _ in range(2000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 40)))
        parse_expression(text)
        parse_template(text)
    assert isinstance(parse_expression("(" * 500 + "1" + ")" * 500), Invalid)
    assert isinstance(parse_expression("+".join(["1"] * 5000)), Invalid)


# --- count, for_each, dynamic -------------------------------------------------------------


def test_count_zero_creates_nothing_and_count_index_is_known() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
variable "enabled" {
  default = false
}
resource "aws_s3_bucket" "off" {
  count  = var.enabled ? 1 : 0
  bucket = "never"
}
resource "aws_s3_bucket" "logs" {
  count  = 2
  bucket = "logs-${count.index}"
}
"""
    }
    resources = by_name(run(files))
    assert set(resources) == {"aws_s3_bucket.logs[0]", "aws_s3_bucket.logs[1]"}
    assert resources["aws_s3_bucket.logs[1]"].body.plain() == {"bucket": "logs-1"}
    assert resources["aws_s3_bucket.logs[1]"].context["instance_key"] == "[1]"


def test_identical_instances_are_one_resource_under_the_bare_address() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": 'resource "aws_s3_bucket" "b" {\n  count = 3\n  acl = "private"\n}\n'
    }
    assert list(by_name(run(files))) == ["aws_s3_bucket.b"]


def test_for_each_over_maps_and_sets() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
resource "aws_s3_bucket" "m" {
  for_each = { logs = "private", site = "public-read" }
  bucket   = each.key
  acl      = each.value
}
resource "aws_s3_bucket" "s" {
  for_each = toset(["b", "a"])
  bucket   = "x-${each.value}"
}
resource "aws_s3_bucket" "none" {
  for_each = {}
}
"""
    }
    resources = by_name(run(files))
    assert set(resources) == {
        'aws_s3_bucket.m["logs"]',
        'aws_s3_bucket.m["site"]',
        'aws_s3_bucket.s["a"]',
        'aws_s3_bucket.s["b"]',
    }
    assert resources['aws_s3_bucket.m["site"]'].body.plain() == {
        "bucket": "site",
        "acl": "public-read",
    }


def test_unknown_count_or_for_each_gives_one_resource_with_unknown_keys() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
variable "n" {}
resource "aws_s3_bucket" "c" {
  count  = var.n
  bucket = "b-${count.index}"
  acl    = "private"
}
resource "aws_s3_bucket" "e" {
  for_each = var.names
  bucket   = each.key
}
"""
    }
    resources = by_name(run(files))
    assert resources["aws_s3_bucket.c"].body.plain() == {"bucket": UNKNOWN, "acl": "private"}
    assert resources["aws_s3_bucket.e"].body.plain() == {"bucket": UNKNOWN}


def test_nested_blocks_are_always_lists_and_dynamic_blocks_expand() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
variable "ports" {
  default = [80, 443]
}
resource "aws_security_group" "web" {
  ingress {
    from_port = 22
  }
  dynamic "ingress" {
    for_each = var.ports
    iterator = port
    content {
      from_port = port.value
    }
  }
  dynamic "egress" {
    for_each = var.unknown
    content {
      from_port = 0
    }
  }
  timeouts {
    create = "5m"
  }
}
"""
    }
    resource = by_name(run(files))["aws_security_group.web"]
    assert resource.body.plain() == {
        "ingress": [{"from_port": 22}, {"from_port": 80}, {"from_port": 443}],
        "egress": [UNKNOWN],
        "timeouts": [{"create": "5m"}],
    }
    assert [b.line for b in blocks(resource.body, "ingress")] == [5, 8, 8]


def test_every_value_has_its_line() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    cidr_blocks = [
      "10.0.0.0/8",
      "0.0.0.0/0",
    ]
  }
}
"""
    }
    resource = by_name(run(files))["aws_security_group.web"]
    assert (resource.path, resource.line) == ("main.tf", 1)
    assert resource.body.get("name").line == 2  # type: ignore[union-attr]
    cidrs = resource.body.get("ingress", 0, "cidr_blocks")
    assert cidrs is not None
    assert cidrs.line == 4
    assert [e.line for e in cidrs.elements()] == [5, 6]


# --- modules ------------------------------------------------------------------------------


MODULE_TREE: dict[str, str | bytes] = {
    "main.tf": """\
module "web" {
  source = "./modules/sg"
  name   = "web"
  cidrs  = ["0.0.0.0/0"]
}
module "registry" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
module "outside" {
  source = "../elsewhere"
}
resource "aws_s3_bucket" "b" {
  bucket = module.web.group_name
}
""",
    "modules/sg/main.tf": """\
variable "name" {}
variable "cidrs" {
  default = ["10.0.0.0/8"]
}
resource "aws_security_group" "this" {
  name = var.name
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
}
module "rules" {
  source = "./rules"
  group  = var.name
}
output "group_name" {
  value = "${var.name}-sg"
}
""",
    "modules/sg/rules/main.tf": """\
variable "group" {}
resource "aws_security_group_rule" "out" {
  type        = "egress"
  description = "for ${var.group}"
}
""",
}


def test_local_modules_get_arguments_nested_modules_and_outputs() -> None:
    resources = by_name(run(MODULE_TREE))
    assert set(resources) == {
        "aws_s3_bucket.b",
        "module.web.aws_security_group.this",
        "module.web.module.rules.aws_security_group_rule.out",
    }
    group = resources["module.web.aws_security_group.this"]
    assert (group.path, group.line) == ("modules/sg/main.tf", 5)
    assert group.body.plain()["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]
    rule = resources["module.web.module.rules.aws_security_group_rule.out"]
    assert (rule.path, rule.body.plain()["description"]) == ("modules/sg/rules/main.tf", "for web")
    assert resources["aws_s3_bucket.b"].body.plain() == {"bucket": "web-sg"}


def test_a_called_module_is_not_reported_again_on_its_own() -> None:
    assert run(MODULE_TREE, "modules/sg").resources == []
    assert run(MODULE_TREE, "modules/sg/rules").resources == []
    findings = rules(MODULE_TREE)
    assert ("tf-aws-sg-ssh-open", "modules/sg/main.tf", 11) in findings
    assert len([f for f in findings if f[0] == "tf-aws-sg-ssh-open"]) == 1


def test_a_module_called_from_several_roots_is_reported_once() -> None:
    module = 'variable "c" {}\nresource "aws_db_instance" "d" {\n  identifier = "x"\n}\n'
    files: dict[str, str | bytes] = {
        "envs/dev/main.tf": 'module "db" {\n  source = "../../modules/db"\n  c = 1\n}\n',
        "envs/prod/main.tf": 'module "db" {\n  source = "../../modules/db"\n  c = 2\n}\n',
        "modules/db/main.tf": module,
    }
    findings = [f for f in rules(files) if f[0] == "tf-aws-rds-unencrypted"]
    assert findings == [("tf-aws-rds-unencrypted", "modules/db/main.tf", 2)]


def test_a_module_disabled_by_its_callers_is_still_judged_on_its_own() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": 'module "db" {\n  source = "./db"\n  count  = 0\n}\n',
        "db/main.tf": 'resource "aws_db_instance" "d" {\n  identifier = "x"\n}\n',
    }
    assert [f for f in rules(files) if f[0] == "tf-aws-rds-unencrypted"] == [
        ("tf-aws-rds-unencrypted", "db/main.tf", 1)
    ]


def test_module_recursion_ends() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": 'module "a" {\n  source = "./a"\n}\nmodule "me" {\n  source = "./"\n}\n',
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "aws_s3_bucket" "a" {}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\nresource "aws_s3_bucket" "b" {}\n',
    }
    assert set(by_name(run(files))) == {
        "module.a.aws_s3_bucket.a",
        "module.a.module.b.aws_s3_bucket.b",
    }


def test_module_instances_by_count_and_for_each() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
module "bucket" {
  for_each = toset(["a", "b"])
  source   = "./bucket"
  name     = each.key
}
module "same" {
  count  = 2
  source = "./fixed"
}
""",
        "bucket/main.tf": (
            'variable "name" {}\nresource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n'
        ),
        "fixed/main.tf": 'resource "aws_s3_bucket" "this" {\n  bucket = "fixed"\n}\n',
    }
    assert set(by_name(run(files))) == {
        'module.bucket["a"].aws_s3_bucket.this',
        'module.bucket["b"].aws_s3_bucket.this',
        "module.same.aws_s3_bucket.this",
    }


# --- references and policies ------------------------------------------------------------


def test_references_link_resources_through_locals() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
locals {
  target = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = local.target
}
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.bucket
  policy = data.aws_iam_policy_document.logs.json
}
data "aws_iam_policy_document" "logs" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
  }
}
"""
    }
    resources = by_name(run(files))
    block = resources["aws_s3_bucket_public_access_block.logs"]
    assert block.context["references"] == {"bucket": ("aws_s3_bucket.logs",)}
    policy = resources["aws_s3_bucket_policy.logs"]
    assert policy.context["references"]["policy"] == ("data.aws_iam_policy_document.logs",)
    bucket = resources["aws_s3_bucket.logs"]
    assert related(bucket, "aws_s3_bucket_public_access_block", "bucket") == [block]
    statements = policy_statements(policy)
    assert len(statements) == 1
    assert statements[0].principals == {"Service": ("logging.s3.amazonaws.com",)}
    # Read through a reference: placed on the attribute, naming the document.
    assert statements[0].line == 12
    assert statements[0].via == "data.aws_iam_policy_document.logs"


def test_policy_documents_in_place_keep_their_lines() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
resource "aws_iam_policy" "a" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "s3:*", Resource = aws_s3_bucket.x.arn },
      { Effect = "Deny", NotAction = ["iam:*"], Resource = "*" },
    ]
  })
}
resource "aws_iam_policy" "b" {
  policy = <<EOF
{
  "Statement": [
    {"Effect": "Allow", "Action": ["ec2:*"], "Resource": "${aws_instance.x.arn}"}
  ]
}
EOF
}
"""
    }
    resources = by_name(run(files))
    first, second = policy_statements(resources["aws_iam_policy.a"])
    assert (first.line, first.actions, first.resources) == (4, ("s3:*",), UNKNOWN)
    assert (second.allows, second.not_actions, second.line) == (False, ("iam:*",), 5)
    (heredoc,) = policy_statements(resources["aws_iam_policy.b"])
    assert (heredoc.line, heredoc.actions, heredoc.resources) == (13, ("ec2:*",), UNKNOWN)


def test_json_syntax_is_read_like_hcl() -> None:
    document = {
        "variable": {"cidr": {"default": "0.0.0.0/0"}},
        "locals": {"port": 22},
        "resource": {
            "aws_security_group": {
                "ssh": {
                    "name": "ssh-${local.port}",
                    "ingress": [
                        {
                            "from_port": "${local.port}",
                            "to_port": 22,
                            "protocol": "tcp",
                            "cidr_blocks": ["${var.cidr}"],
                        }
                    ],
                    "tags": {"Name": "ssh"},
                }
            }
        },
    }
    text = json.dumps(document, indent=2)
    files: dict[str, str | bytes] = {"main.tf.json": text}
    cidr_line = next(i for i, t in enumerate(text.splitlines(), 1) if "${var.cidr}" in t)
    resource = by_name(run(files))["aws_security_group.ssh"]
    assert resource.path == "main.tf.json"
    assert resource.body.plain() == {
        "name": "ssh-22",
        "ingress": [
            {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
        ],
        "tags": {"Name": "ssh"},
    }
    assert ("tf-aws-sg-ssh-open", "main.tf.json", cidr_line) in rules(files)


def test_override_files_merge_into_the_blocks_they_override() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": 'resource "aws_db_instance" "d" {\n  storage_encrypted = false\n}\n',
        "override.tf": 'resource "aws_db_instance" "d" {\n  storage_encrypted = true\n}\n',
    }
    resources = by_name(run(files))
    assert list(resources) == ["aws_db_instance.d"]
    assert resources["aws_db_instance.d"].body.plain() == {"storage_encrypted": True}


# --- unknown is neither a finding nor a pass -------------------------------------------------


def test_unknown_values_produce_no_finding() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
variable "cidrs" {}
variable "encrypted" {}
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
}
resource "aws_db_instance" "d" {
  storage_encrypted = var.encrypted
}
"""
    }
    assert rules(files) == set()
    resource = by_name(run(files))["aws_db_instance.d"]
    assert resource.body.plain() == {"storage_encrypted": UNKNOWN}  # not a pass either


def test_known_parts_of_a_partly_unknown_list_are_judged() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = concat(var.office, ["0.0.0.0/0"])
  }
}
"""
    }
    assert rules(files) == set()  # concat of an unknown list is unknown as a whole
    files["main.tf"] = files["main.tf"].replace(  # type: ignore[union-attr]
        'concat(var.office, ["0.0.0.0/0"])', '[var.office_cidr, "0.0.0.0/0"]'
    )
    assert rules(files) == {("tf-aws-sg-ssh-open", "main.tf", 6)}


# --- unreadable input ---------------------------------------------------------------------


def test_malformed_hcl_is_one_blocking_problem_and_the_rest_is_scanned() -> None:
    files: dict[str, str | bytes] = {
        "broken.tf": 'resource "aws_s3_bucket" "b" {\n  acl = \n}\n',
        "main.tf": 'resource "aws_db_instance" "d" {\n  identifier = "x"\n}\n',
    }
    result = run(files)
    assert [path for path, _ in result.errors] == ["broken.tf"]
    assert result.errors[0][1].startswith("invalid HCL: line 2, column ")
    evaluation = evaluate_texts(files)
    assert [(p.path, p.blocking) for p in evaluation.problems] == [("broken.tf", True)]
    assert "\n" not in evaluation.problems[0].message
    assert "broken.tf" in evaluation.problems[0].path
    assert ("tf-aws-rds-unencrypted", "main.tf", 1) in {
        (f.rule_id, f.location.path, f.location.line) for f in evaluation.findings
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.tf", 'locals {\n  a = "caf\xe9"\n}\n'.encode("latin-1"), "not UTF-8 text"),
        ("image.tf", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        ("bad.tf.json", b'{"resource": [}', "invalid JSON: line 1"),
        ("bad.tfvars", b"size = = 3\n", "invalid HCL"),
        ("deep.tf", b'resource "a" "b" {\n' + b"x {\n" * 200 + b"}\n" * 201, "too deeply"),
    ],
)
def test_unreadable_files_are_one_line_errors(name: str, content: bytes, message: str) -> None:
    files: dict[str, str | bytes] = {name: content, "ok.tf": 'resource "aws_s3_bucket" "b" {}\n'}
    result = run(files)
    assert [path for path, _ in result.errors] == [name]
    assert message in result.errors[0][1]
    assert "\n" not in result.errors[0][1]
    assert [r.name for r in result.resources] == ["aws_s3_bucket.b"]


def test_expansion_limits_bound_the_work() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
resource "aws_s3_bucket" "many" {
  count  = 1000000
  bucket = "b-${count.index}"
}
locals {
  huge = [for i in range(100000) : [for j in range(100000) : j]]
}
resource "aws_s3_bucket" "big" {
  bucket = length(local.huge)
}
"""
    }
    resources = by_name(run(files))
    assert resources["aws_s3_bucket.many"].body.plain() == {"bucket": UNKNOWN}
    assert resources["aws_s3_bucket.big"].body.plain() == {"bucket": UNKNOWN}


def test_inline_suppression_on_the_resource_line() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
# glasshouse:allow tf-aws-rds-unencrypted throwaway test database, no data
resource "aws_db_instance" "scratch" {
  identifier = "scratch"
}
"""
    }
    (finding,) = [f for f in evaluate_texts(files).findings if f.rule_id.startswith("tf-aws-rds")]
    assert finding.suppression == "throwaway test database, no data"


# --- end to end ---------------------------------------------------------------------------


def test_scan_finds_the_planted_problems_with_file_and_line(tmp_path: Path) -> None:
    tree = tmp_path / "platform"
    shutil.copytree(DATA / "project", tree)
    env = {**os.environ, "GLASSHOUSE_CACHE_DIR": str(tmp_path / "cache"), "CI": "true"}
    completed = subprocess.run(
        [sys.executable, "-m", "glasshouse", "scan", str(tree), "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1
    report = json.loads(completed.stdout)
    found = {
        (f["rule_id"], f["location"]["path"], f["location"]["line"])
        for f in report["findings"]
        if f["kind"] == "misconfiguration"
    }
    assert {
        ("tf-aws-sg-ssh-open", "modules/network/main.tf", 14),  # 0.0.0.0/0 from tfvars
        ("tf-aws-s3-public-acl", "storage.tf", 12),
        ("tf-aws-rds-unencrypted", "main.tf", 17),
        ("tf-aws-iam-full-admin", "main.tf", 26),
    } <= found
    # The module reached through main.tf is not reported again on its own, and the
    # bucket module (which blocks public access) passes.
    assert len([f for f in found if f[0] == "tf-aws-sg-ssh-open"]) == 1
    assert not [
        f
        for f in found
        if f[1].startswith("modules/bucket") and f[0].startswith("tf-aws-s3-") and "public" in f[0]
    ]
    assert [p for p in report["problems"] if p["scanner"] == "iac"] == []


def test_references_of_nested_blocks() -> None:
    files: dict[str, str | bytes] = {
        "main.tf": """\
resource "aws_lb_listener" "web" {
  load_balancer_arn = aws_lb.web.arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
"""
    }
    references = by_name(run(files))["aws_lb_listener.web"].context["references"]
    assert references == {
        "load_balancer_arn": ("aws_lb.web",),
        "default_action": ("aws_lb_target_group.web",),
    }
