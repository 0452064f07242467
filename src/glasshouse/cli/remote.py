"""What `glasshouse scan --server URL` and `--upload URL` add to a scan: the gate's
configuration from the glass house before, the upload of the report after."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from glasshouse.client import TOKEN_VARIABLE, Client, ClientError, RunContext, run_context
from glasshouse.gate.baseline import Baseline
from glasshouse.gate.policy import (
    DEFAULT_POLICY,
    Policy,
    PolicyError,
    check_secret_rules,
    find_repository_policy,
    layer,
    parse_policy,
    read_policy_text,
)
from glasshouse.model import Waiver
from glasshouse.report.json_report import render


@dataclass(frozen=True)
class ServerGate:
    policy: Policy
    baseline: Baseline | None
    project: str
    context: RunContext


def fetch_gate(
    url: str,
    project: str | None,
    target: Path,
    repository_policy: Path | None,
    environ: Mapping[str, str] = os.environ,
) -> ServerGate:
    """The organization policy and approved waivers from the server, under the
    repository's own policy file, and the baseline of the branch the change goes into."""
    context = run_context(environ, target)
    with Client(url, environ.get(TOKEN_VARIABLE, "")) as client:
        slug = client.project(project)
        branch = context.target_branch or context.branch
        config = client.gate(slug, branch)
    source = f"{url} (organization policy)"
    policy = DEFAULT_POLICY
    if config.get("policy"):
        policy = layer(policy, parse_policy(config["policy"], source), may_loosen=True)
    repository = repository_policy or find_repository_policy(target)
    if repository is not None:
        repo = parse_policy(read_policy_text(str(repository)), str(repository))
        policy = layer(policy, repo, may_loosen=not config.get("policy"))
    waivers = tuple(_waiver(w, url) for w in config.get("waivers", []))
    policy = replace(policy, waivers=policy.waivers + waivers)
    if not policy.sources or policy.sources[0] != source:
        policy = replace(policy, sources=(source, *policy.sources))
    check_secret_rules(policy)
    baseline = None
    data = config.get("baseline")
    if data is not None:
        baseline = Baseline(
            str(data.get("source", f"{url}")),
            {e["fingerprint"]: (e.get("rule_id", ""), e.get("path", "")) for e in data["findings"]},
        )
    return ServerGate(policy, baseline, slug, context)


def _waiver(data: Mapping[str, object], url: str) -> Waiver:
    def text(key: str) -> str | None:
        value = data.get(key)
        return str(value) if value else None

    try:
        expires = date.fromisoformat(str(data["expires"]))
        created = date.fromisoformat(str(data["created"])) if data.get("created") else None
    except (KeyError, ValueError) as exc:
        raise PolicyError(f"{url}: a waiver from the server is malformed ({exc})") from None
    return Waiver(
        id=str(data.get("id", "")),
        reason=str(data.get("reason", "")),
        expires=expires,
        rule=text("rule"),
        package=text("package"),
        path=text("path"),
        fingerprint=text("fingerprint"),
        owner=text("owner"),
        approver=text("approver"),
        ticket=text("ticket"),
        created=created,
        source=url,
    )


@dataclass(frozen=True)
class Uploaded:
    line: str  # what to print
    receipt: dict[str, Any] | None  # the log's receipt of a signed decision


def upload(
    url: str,
    project: str | None,
    report_json: str,
    target: Path,
    scanners: tuple[str, ...],
    environ: Mapping[str, str] = os.environ,
    context: RunContext | None = None,
    envelope_json: str | None = None,
) -> Uploaded:
    """Send the report (and its signed decision); raises ClientError."""
    context = context or run_context(environ, target)
    with Client(url, environ.get(TOKEN_VARIABLE, "")) as client:
        slug = client.project(project)
        result = client.upload(slug, report_json, context, scanners, envelope_json)
    receipt = result.get("receipt")
    logged = (
        f", decision logged as entry {receipt['leaf_index']}" if isinstance(receipt, dict) else ""
    )
    if result.get("replayed"):
        line = f"{url}: run {context.run_id} was already uploaded (run #{result.get('id')}){logged}"
    else:
        line = (
            f"{url}: uploaded to {slug} as run #{result['id']} ({result.get('new', 0)} new, "
            f"{result.get('fixed', 0)} fixed){logged}"
        )
    return Uploaded(line, receipt if isinstance(receipt, dict) else None)


__all__ = ["ClientError", "ServerGate", "Uploaded", "fetch_gate", "render", "upload"]
