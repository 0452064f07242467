"""Baselines: the fingerprints a repository already had, so a gate can judge only what
is new. The file is versioned JSON; fingerprints carry no line numbers, so a baseline
survives edits that move code around."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glasshouse.model import Report

BASELINE_SCHEMA_VERSION = "1"
MAX_BASELINE_BYTES = 64 * 1024 * 1024


class BaselineError(Exception):
    """One line naming the file and what is wrong with it."""


@dataclass(frozen=True)
class Baseline:
    source: str
    entries: dict[str, tuple[str, str]]  # fingerprint -> (rule id, path)


def render_baseline(report: Report) -> str:
    entries = sorted(
        {
            f.fingerprint: {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "kind": f.kind.value,
                "path": f.location.path,
                "severity": f.severity.label,
            }
            for f in report.findings
        }.values(),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]),
    )
    doc = {
        "schema_version": BASELINE_SCHEMA_VERSION,
        "tool": {"name": "glasshouse", "version": report.tool_version},
        "created_at": report.started_at,
        "findings": entries,
    }
    return json.dumps(doc, indent=2) + "\n"


def load_baseline(path: Path) -> Baseline:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BASELINE_BYTES + 1)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: larger than {MAX_BASELINE_BYTES >> 20} MiB")
    try:
        doc: Any = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise BaselineError(f"{path}: not a Glasshouse baseline (expected an object)")
    version = doc.get("schema_version")
    if version != BASELINE_SCHEMA_VERSION:
        raise BaselineError(
            f"{path}: schema_version {version!r} is not {BASELINE_SCHEMA_VERSION!r}; "
            "create it again with `glasshouse baseline create`"
        )
    findings = doc.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: findings must be a list")
    entries: dict[str, tuple[str, str]] = {}
    for index, entry in enumerate(findings):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{index}] has no fingerprint")
        rule = entry.get("rule_id")
        where = entry.get("path")
        entries[entry["fingerprint"]] = (
            rule if isinstance(rule, str) else "",
            where if isinstance(where, str) else "",
        )
    return Baseline(str(path), entries)
