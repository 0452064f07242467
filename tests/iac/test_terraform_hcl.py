"""The fast HCL structure parser (``hcl``) against python-hcl2, the path it replaces.

Every Terraform file of the test data, every Terraform check example and a set of
tricky snippets must come out of ``hcl.parse`` exactly as out of python-hcl2: the same
attributes (names, order, expressions with their lines), blocks (types, labels, lines,
nesting). What ``hcl`` declines still parses through python-hcl2, invalid HCL keeps
python-hcl2's one-line error, and a scan of files ``hcl`` reads never imports hcl2.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from glasshouse.iac.registry import CHECKS
from glasshouse.iac.terraform import config, hcl
from glasshouse.iac.terraform.config import Body, ConfigError
from glasshouse.iac.terraform.syntax import (
    Conditional,
    ExpressionError,
    ExpressionReader,
    Literal,
    ObjectExpr,
    parse_expression,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "iac" / "terraform"
DATA_FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".tf", ".tfvars"))
EXAMPLES = [
    (f"{check.id}:{kind}{index}", example.path, example.text)
    for check in CHECKS
    if check.format == "terraform"
    for kind, examples in (("failing", check.failing), ("passing", check.passing))
    for index, example in enumerate(examples)
    if not example.path.endswith(".json")
]


def shape(body: Body) -> Any:
    """Everything a body holds, attribute order included (dict equality ignores it)."""
    return (
        [(name, a.name, a.expr, a.line) for name, a in body.attributes.items()],
        [(b.type, b.labels, b.line, b.path, shape(b.body)) for b in body.blocks],
    )


def reference(text: str, path: str = "main.tf") -> Body:
    return config._python_hcl2_file(path, text)


def assert_same(text: str, path: str = "main.tf") -> Body:
    """``hcl`` reads ``text`` (no fallback) exactly as python-hcl2 does."""
    fast = hcl.parse(text, path)
    assert shape(fast) == shape(reference(text, path))
    return fast


# --- the corpus ---------------------------------------------------------------------------


def test_the_corpus_is_there() -> None:
    assert len(DATA_FILES) >= 5
    assert len(EXAMPLES) >= 100


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_test_data_files_read_as_python_hcl2_reads_them(path: Path) -> None:
    text = config.decode(str(path), path.read_bytes())
    assert_same(text, str(path))


@pytest.mark.parametrize(("name", "path", "text"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_check_examples_read_as_python_hcl2_reads_them(name: str, path: str, text: str) -> None:
    assert_same(text, path)


# --- tricky snippets ------------------------------------------------------------------------

SNIPPETS: dict[str, str] = {
    "comments": """\
# hash
// slashes
/* block
   comment */
a = 1 # after
b = 2 // after
c = 3 /* after */
/* before */ d = 4
resource "x" "y" { # after the brace
  // inside
  e = 5
  /* multi
     line */
}
# last line without newline""",
    "dashes": """\
my-attr = 1
my-block my-label "quoted-label" {
  inner-name = var.some-thing
}
""",
    "quoted labels with escapes": r"""resource "a\"b" "c\\d" {
}
module "caf\u00e9" {
  source = "./m"
}
block "$${not_interpolated}" "%%{ nor }" {
}
""",
    "one-line blocks": """\
resource "a" "b" { x = 1 }
resource "a" "c" {}
resource "a" "d" { }
locals { tags = { Name = "x", Env = "prod" } }
variable "v" { type = map(object({ a = string })) }
outer {
  inner { y = [1, 2] }
  empty {}
}
""",
    "expressions across lines in brackets": """\
list = [
  "a",
  "b", # comment
  // comment
  "c",
]
call = merge(
  var.a,
  {
    x = 1
    y = 2,
  },
)
parens = (
  var.a
  + var.b
  * 2
)
cond = (
  var.enabled
  ? "yes"
  : "no"
)
index = local.map[
  "key"
]
for_list = [
  for s in var.list :
  upper(s)
  if s != ""
]
for_map = {
  for k, v in var.map :
  k => v...
  if v != null
}
nested = { a = [ { b = (1 +
  2) } ] }
splats = [aws_instance.web[*].id, aws_instance.web.*.private_ip]
""",
    "heredocs": """\
resource "aws_iam_policy" "p" {
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "${aws_s3_bucket.b.arn}/*" }]
}
EOF
  user_data = <<-EOT
    #!/bin/bash
    echo "${var.name}" # not a comment
    %{ for port in var.ports ~}
    open ${port} // still text
    %{ endfor ~}
    echo "$${HOME}" "%%{literal}"
    }
    EOT
  empty = <<EOF
EOF
  in_call = jsonencode(yamldecode(<<YAML
key: value
YAML
  ))
  after = "x"
}
""",
    "strings": r"""a = "{ not a block }"
b = "# not a comment"
c = "// not a comment /* either */"
d = "say \"hi\" \\ there"
e = "${lookup(var.map, "key", "}")}-${var.b ? "{" : "}"}"
f = "x${var.a}y${ join(",", [for s in var.l : "${s}-\"q\""]) }z"
g = "%{ if var.on }on%{ else }off%{ endif }"
h = "100% $ and %"
i = "tab\there\nnewline\u00e9"
""",
    "conditionals and operators on one line": """\
a = var.x ? 1 : 2
b = var.x == "y" && var.z != 3 || !var.w
c = -1
d = 2 * (3 + 4) % 5 - -6
e = var.a ? var.b ? 1 : 2 : 3
f = {
  x = var.a ? "one" : "two"
  y = 3
}
g = var.a ? "one" :
  "two"
""",
    "crlf": (
        'resource "aws_s3_bucket" "b" {\r\n'
        '  bucket = "name" # comment\r\n'
        "  tags = {\r\n"
        '    Name = "x"\r\n'
        "  }\r\n"
        "  list = [\r\n"
        "    1,\r\n"
        "    2,\r\n"
        "  ]\r\n"
        "  policy = <<EOF\r\n"
        '{"a": "${var.b}"}\r\n'
        "EOF\r\n"
        "}\r\n"
    ),
    "trailing attribute without final newline": 'a = 1\nb = "two"',
    "trailing block without final newline": 'resource "a" "b" {\n  x = 1\n}',
    "trailing heredoc without final newline": "a = <<EOF\nbody\nEOF",
    "trailing comment without final newline": "a = 1 # c",
    "empty": "",
    "only comments and blank lines": "\n\n  # one\n\n// two\n/* three */\n\n",
    "tfvars": """\
region        = "eu-west-1"
instance_count = 3
enabled       = true
nothing       = null
cidrs         = ["10.0.0.0/16", "10.1.0.0/16"]
tags = {
  "Team"   = "platform"
  CostCode = 42
}
""",
    "names python-hcl2 lexes as keywords": """\
in = 1
for = 2
if = 3
true = 4
format = 5
for_each_x = 6
infra {
  x = var.in
}
""",
    "terraform block types": """\
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
  provisioner "local-exec" {
    command = "echo ${self.id}"
  }
  lifecycle {
    ignore_changes = [tags["Name"], tags.Env]
  }
}
check "health" {
  assert {
    condition     = length(var.x) > 0
    error_message = "empty"
  }
}
""",
    "duplicate attributes": "a = 1\nb = 2\na = 3\n",
    "functions": """\
a = provider::aws::arn_parse(var.arn)
b = concat(var.a, var.b)
c = merge(var.maps...)
d = try(var.a.b, null)
""",
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_tricky_snippets_read_as_python_hcl2_reads_them(name: str) -> None:
    assert_same(SNIPPETS[name])


def test_the_snippets_hold_what_they_say() -> None:
    one_line = hcl.parse(SNIPPETS["one-line blocks"], "main.tf")
    assert [(b.type, b.labels, list(b.body.attributes)) for b in one_line.blocks[:4]] == [
        ("resource", ("a", "b"), ["x"]),
        ("resource", ("a", "c"), []),
        ("resource", ("a", "d"), []),
        ("locals", (), ["tags"]),
    ]
    labels = hcl.parse(SNIPPETS["quoted labels with escapes"], "main.tf")
    assert [b.labels for b in labels.blocks] == [
        ('a"b', "c\\d"),
        ("café",),
        ("${not_interpolated}", "%{ nor }"),
    ]
    heredocs = hcl.parse(SNIPPETS["heredocs"], "main.tf").blocks[0].body.attributes
    assert [(name, a.line) for name, a in heredocs.items()] == [
        ("policy", 2),
        ("user_data", 8),
        ("empty", 17),
        ("in_call", 19),
        ("after", 23),
    ]
    crlf = hcl.parse(SNIPPETS["crlf"], "main.tf").blocks[0].body.attributes
    assert crlf["bucket"].expr == Literal("name", 2)
    assert crlf["policy"].line == 10
    strings = hcl.parse(SNIPPETS["strings"], "main.tf").attributes
    assert strings["a"].expr == Literal("{ not a block }", 1)
    assert strings["b"].expr == Literal("# not a comment", 2)
    assert strings["d"].expr == Literal('say "hi" \\ there', 4)
    ops = hcl.parse(SNIPPETS["conditionals and operators on one line"], "main.tf")
    value = ops.attributes["f"].expr
    assert isinstance(value, ObjectExpr)
    assert [key for key, _ in value.items] == [Literal("x", 7), Literal("y", 8)]
    assert isinstance(ops.attributes["g"].expr, Conditional)
    assert list(hcl.parse(SNIPPETS["duplicate attributes"], "x.tf").attributes) == ["a", "b"]


def test_lines_are_those_of_names_and_block_types() -> None:
    body = assert_same('\n\nresource "a" "b" {\n\n  x = [\n    1,\n    var.y,\n  ]\n}\n')
    block = body.blocks[0]
    assert block.line == 3
    attribute = block.body.attributes["x"]
    assert attribute.line == 5
    assert attribute.expr == parse_expression("[\n    1,\n    var.y,\n  ]", 5)


# --- what hcl declines ------------------------------------------------------------------------

# Valid for python-hcl2, declined by hcl: not HCL's native syntax, or read by python-hcl2
# in a way of its own. config reads them through python-hcl2, as before.
DECLINED: dict[str, str] = {
    "conditional continued on the next line": "a = var.x\n  ? 1\n  : 2\n",
    "operator at the end of the line": "a = var.x ||\n  var.y\n",
    "operator at the start of the next line": "a = var.x\n  || var.y\n",
    "two attributes on one line": "a = 1 b = 2\n",
    "closing brace after an attribute": 'resource "a" "b" {\n  x = 1 }\n',
    "two blocks on one line": "a {\n} b {\n}\n",
    "brace on the next line": 'resource "a" "b"\n{\n  x = 1\n}\n',
    "one-line block with two attributes": "b { x = 1 y = 2 }\n",
    "one-line block with a block": "b { c {} }\n",
    "comment in a block header": "b /* c */ {\n}\n",
    "label with a template": 'b "x-${var.y}" {\n}\n',
    "block named like a keyword": "in {\n  x = 1\n}\n",
    "unquoted label spelled like a keyword": 'b "x" true {\n}\n',
    "newline in a quoted string": 'a = "one\ntwo"\n',
    "invalid escape": 'a = "\\q"\n',
    "heredoc marker with a dot": "a = <<EOF.x\nbody\nEOF.x\n",
    "lone carriage return": "a = 1\rb = 2\r",
    "one-line object without commas": "a = { x = 1 y = 2 }\n",
}


@pytest.mark.parametrize("name", DECLINED)
def test_what_hcl_declines_is_read_by_python_hcl2(name: str) -> None:
    text = DECLINED[name]
    with pytest.raises(hcl.NotRead):
        hcl.parse(text, "main.tf")
    loaded = config.load("main.tf", text.encode())
    assert shape(loaded) == shape(reference(text))
    assert loaded.attributes or loaded.blocks or name == "block named like a keyword"


def test_a_declined_file_keeps_the_structure_python_hcl2_gives() -> None:
    body = config.load("main.tf", b'resource "a" "b" {\n  x = var.on\n    ? 1\n    : 2\n}\n')
    expr = body.blocks[0].body.attributes["x"].expr
    assert isinstance(expr, Conditional)
    assert expr.line == 2


def test_a_bug_in_hcl_costs_nothing_but_time(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, path: str) -> Body:
        raise IndexError("a bug")

    monkeypatch.setattr(hcl, "parse", broken)
    text = SNIPPETS["terraform block types"]
    assert shape(config.load("main.tf", text.encode())) == shape(reference(text))


# The one-line messages python-hcl2 gave before hcl existed: invalid HCL is declined and
# reported exactly as before.
INVALID: list[tuple[str, str]] = [
    (
        'resource "aws_s3_bucket" "b" {\n  acl = \n}\n',
        "invalid HCL: line 2, column 9: unexpected '}'",
    ),
    ("size = = 3\n", "invalid HCL: line 1, column 8: unexpected '= 3'"),
    ('resource "a" "b" {\n  x = [1, 2\n}\n', "invalid HCL: line 3, column 1: unexpected '}'"),
    ('locals {\n  a = "unterminated\n}\n', "invalid HCL: line 2, column 8: unexpected end of file"),
    ('variable "x" {\n  default = 1\n', "invalid HCL: line 3, column 1: unexpected end of file"),
    ("a = <<EOF\nno end\n", "invalid HCL: line 1, column 5: unexpected '<<EOF\\nno end'"),
    ('b "x" {\n  c = 1\n}\n}\n', "invalid HCL: line 4, column 1: unexpected '}'"),
    ("a = <<EOF\nx\nEOF  \n", "invalid HCL: line 1, column 5: unexpected '<<EOF\\nx\\nEOF'"),
    ('a = "${\n  var.x\n}"\n', "invalid HCL: line 1, column 8: unexpected 'var.x\\n}'"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_hcl_gives_the_same_one_line_error_as_before(text: str, message: str) -> None:
    with pytest.raises(hcl.NotRead):
        hcl.parse(text, "main.tf")
    with pytest.raises(ConfigError) as raised:
        config.load("main.tf", text.encode())
    assert str(raised.value) == message
    with pytest.raises(ConfigError) as again:
        config.load_values("terraform.tfvars", text.encode())
    assert str(again.value) == message


def test_blocks_nested_too_deeply_are_the_same_error_as_before() -> None:
    text = "a {\n" * 32 + "b {}\n" + "}\n" * 32
    with pytest.raises(hcl.NotRead):
        hcl.parse(text, "main.tf")
    with pytest.raises(ConfigError, match=r"^blocks nested too deeply to read$"):
        config.load("main.tf", text.encode())
    shallower = "a {\n" * 31 + "b {}\n" + "}\n" * 31
    assert_same(shallower)


# Valid HCL python-hcl2 rejects: hcl reads it (Terraform does), where config used to
# report the file unreadable.
READ_ONLY_BY_HCL: dict[str, str] = {
    "template strip markers": 'a = "${~ var.x ~}"\n',
    "minus after a newline in brackets": "a = [\n  var.x\n  - 1\n]\n",
    "subtraction of a number without blanks": "a = 8080-10\n",
    "comment between = and the value": "a = /* why */ 1\n",
    "escaped interpolation without its brace": 'a = "$${x"\n',
}


@pytest.mark.parametrize("name", READ_ONLY_BY_HCL)
def test_valid_hcl_python_hcl2_rejects_is_now_read(name: str) -> None:
    text = READ_ONLY_BY_HCL[name]
    with pytest.raises(ConfigError):
        reference(text)
    body = config.load("main.tf", text.encode())
    assert list(body.attributes) == ["a"]


# --- the expression reader --------------------------------------------------------------------


def test_expression_reader_stops_at_the_end_of_the_line() -> None:
    text = "a = var.x + 1 # note\nb = [\n  1,\n  2,\n]\nc = d ? e :\n  f\ng = 1"
    reader = ExpressionReader(text)
    expr, end = reader.expression(3)
    assert expr == parse_expression("var.x + 1")
    assert text[end] == "\n"
    expr, end = reader.expression(text.index("[") - 1)
    assert expr == parse_expression("[\n  1,\n  2,\n]", 2)
    assert text[end] == "\n"
    expr, end = reader.expression(text.index("d ?"))
    assert expr == parse_expression("d ? e :\n  f", 6)
    assert text[end:] == "\ng = 1"
    assert reader.expression(len(text) - 1) == (Literal(1, 8), len(text))


@pytest.mark.parametrize(
    "text",
    [
        "a = x +\n 1",
        "a = \n 1",
        "a = (1",
        'a = "x',
        "a = x ? y",
        "a = <<EOF \nx\nEOF",
        "a = <<EOF\nx\n  EOF \n",
        "a = [for]",
        "a = provider::aws::arn_parse",
        'a = "${\n1}"',
    ],
)
def test_expression_reader_raises_where_it_cannot_read(text: str) -> None:
    with pytest.raises(ExpressionError, match=r"^line 1: "):
        ExpressionReader(text).expression(3)


def test_a_conditional_ends_with_its_line_inside_an_object() -> None:
    # It used to swallow the newline after its false result: the object was Invalid.
    expr = parse_expression('{\n  a = var.x ? "y" : "z"\n  b = 2\n}')
    assert isinstance(expr, ObjectExpr)
    assert [key for key, _ in expr.items] == [Literal("a", 2), Literal("b", 3)]
    assert isinstance(parse_expression("{\n  a = var.x ? 1 :\n    2\n}"), ObjectExpr)


# --- robustness ---------------------------------------------------------------------------


def _truncations(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sources = [p.read_text() for p in DATA_FILES] + [t for _, _, t in EXAMPLES]
    sources += list(SNIPPETS.values())
    out = []
    for _ in range(count):
        source = rng.choice(sources)
        cut = rng.randrange(len(source) + 1)
        if rng.random() < 0.5:  # at the end of a line: more of them are valid
            cut = source.find("\n", cut) + 1 or len(source)
        out.append(source[:cut])
    return out


def test_random_truncations_raise_nothing_but_config_error() -> None:
    accepted = 0
    for text in _truncations(400, seed=20240611):
        try:
            fast = hcl.parse(text, "main.tf")
        except hcl.NotRead:
            fast = None
        try:
            loaded = config.load("main.tf", text.encode())
        except ConfigError as exc:
            message = str(exc)
            loaded = None
        if loaded is None:
            assert fast is None
            assert "\n" not in message
            continue
        if fast is not None:
            accepted += 1
            # What hcl reads, python-hcl2 reads alike.
            assert shape(fast) == shape(loaded) == shape(reference(text)), text
    assert accepted >= 10  # most cuts fall inside a block


def test_a_scan_that_hcl_reads_whole_never_imports_hcl2() -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from glasshouse.iac.engine import evaluate, evaluate_texts
        from glasshouse.iac.registry import CHECKS

        root = Path(sys.argv[1])
        paths = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
        tree = evaluate(paths, lambda p: (root / p).read_bytes(), root=root)
        examples = {
            f"{check.id}/{kind}{i}/{e.path}": e.text
            for check in CHECKS
            if check.format == "terraform"
            for kind, group in (("f", check.failing), ("p", check.passing))
            for i, e in enumerate(group)
        }
        catalogue = evaluate_texts(examples)
        print(len(tree.findings), len(tree.problems), len(catalogue.findings))
        print(len(catalogue.problems), "hcl2" in sys.modules, "lark" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(DATA / "project")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    tree_findings, tree_problems, findings, problems, hcl2, lark = done.stdout.split()
    assert int(tree_findings) > 0
    assert int(findings) > 0
    assert (tree_problems, problems) == ("0", "0")
    assert (hcl2, lark) == ("False", "False")
