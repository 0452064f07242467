"""The IaC model: values keep their lines, UNKNOWN is never truthy, YAML loads safely."""

from __future__ import annotations

import pytest

from glasshouse.iac.model import UNKNOWN, AdapterError, Node
from glasshouse.iac.yaml_nodes import load_documents


def test_nodes_keep_lines_and_paths() -> None:
    first, second = load_documents(
        b"kind: Pod\nspec:\n  containers:\n    - name: app\n      image: nginx\n---\nkind: X\n"
    )
    assert first.get("spec", "containers", 0, "image") == Node("nginx", 5)
    assert first.get("spec", "containers", 3) is None
    assert first.get("spec", "nothing", "deeper") is None
    assert second.get("kind") == Node("X", 7)
    assert first.plain()["spec"]["containers"][0]["name"] == "app"


def test_unknown_has_no_truth_value() -> None:
    node = Node(UNKNOWN, 3)
    assert not node.known
    assert node.text() is None
    with pytest.raises(TypeError):
        bool(UNKNOWN)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: !!python/object/apply:os.system [ls]\n", "tag"),
        (b"a: !Ref x\n", "tag !Ref is not allowed"),
        (b"a: [1, 2\n", "invalid YAML"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"a:\n  " + b"- " * 30000 + b"x\n", "nesting"),
    ],
)
def test_unsafe_or_broken_yaml_is_one_line_error(data: bytes, message: str) -> None:
    with pytest.raises(AdapterError) as caught:
        load_documents(data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_alias_bomb_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join(f"*a{i - 1}" for _ in range(10))
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(AdapterError, match="alias bomb"):
        load_documents("\n".join(lines).encode())


def test_kept_tags_become_tagged_mappings() -> None:
    (doc,) = load_documents(
        b"Bucket: !Ref Name\nArn: !GetAtt [X, Arn]\n", frozenset({"!Ref", "!GetAtt"})
    )
    assert doc.plain() == {"Bucket": {"!Ref": "Name"}, "Arn": {"!GetAtt": ["X", "Arn"]}}


def test_yaml_merge_keys_are_applied_with_explicit_keys_winning() -> None:
    (document,) = load_documents(
        b".defaults: &defaults\n"
        b"  image: python:3.12\n"
        b"  tags: [docker]\n"
        b"build:\n"
        b"  <<: *defaults\n"
        b"  image: node:20\n"
        b"several:\n"
        b"  <<: [*defaults, {retry: 2, image: other}]\n"
    )
    build = document.get("build")
    assert build is not None
    assert build.plain() == {"image": "node:20", "tags": ["docker"]}
    assert build.get("tags") is not None
    assert build.get("tags").line == 3  # type: ignore[union-attr]
    several = document.get("several")
    assert several is not None
    assert several.plain() == {"image": "python:3.12", "tags": ["docker"], "retry": 2}


def test_a_merge_of_a_scalar_is_a_one_line_error() -> None:
    with pytest.raises(AdapterError, match="line 3: `<<` must merge a mapping"):
        load_documents(b"a: &x 1\nb:\n  <<: *x\n")
