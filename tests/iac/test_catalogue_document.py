"""The catalogue as people read it: `glasshouse explain CHECK-ID`, `glasshouse checks`,
and docs/iac-checks.md, which must be exactly what `checks --format markdown` prints
(regenerate with GLASSHOUSE_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from glasshouse.iac.catalogue import render_markdown
from glasshouse.iac.registry import CHECKS

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "iac-checks.md"


def glasshouse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glasshouse", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_explain_shows_a_check_with_its_fix_mappings_and_examples() -> None:
    check = next(c for c in CHECKS if c.id == "k8s-privileged-container")
    done = glasshouse("explain", check.id)
    assert done.returncode == 0, done.stderr
    assert check.fix in done.stdout.replace("\n  ", " ")
    assert check.cwe in done.stdout
    assert all(control in done.stdout for control in check.iso27001)
    assert "Fails (" in done.stdout
    assert "Passes (" in done.stdout


def test_explain_json_and_checks_json_carry_every_field() -> None:
    done = glasshouse("explain", "docker-root-user", "--format", "json")
    (entry,) = json.loads(done.stdout)
    assert entry["id"] == "docker-root-user"
    assert entry["failing"]
    assert entry["passing"]
    listed = json.loads(glasshouse("checks", "--format", "json").stdout)
    assert [e["id"] for e in listed] == [c.id for c in CHECKS]


def test_the_catalogue_document_is_current() -> None:
    expected = render_markdown()
    if os.environ.get("GLASSHOUSE_UPDATE_GOLDEN"):
        DOCUMENT.write_text(expected)
    assert DOCUMENT.read_text() == expected, (
        "docs/iac-checks.md is stale: run GLASSHOUSE_UPDATE_GOLDEN=1 pytest "
        "tests/iac/test_catalogue_document.py"
    )
