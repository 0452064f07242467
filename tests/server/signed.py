"""Signed runs exactly as `glasshouse scan --sign-key --upload` sends them."""

from __future__ import annotations

import json
from datetime import date

from glasshouse.evidence import attestation as att
from glasshouse.evidence import dsse
from glasshouse.evidence.keys import SigningKey
from glasshouse.gate.decision import decide
from glasshouse.gate.policy import Policy
from glasshouse.model import Finding, Report
from glasshouse.report.json_report import render

SIGNED_RUN = "application/vnd.glasshouse.signed-run+json"


def report_object(
    findings: list[Finding],
    *,
    policy: Policy | None = None,
    started_at: str = "2026-11-27T10:00:00Z",
    today: date | None = None,
) -> Report:
    policy = policy or Policy()
    return Report(
        target=".",
        tool_version="0.1.0",
        started_at=started_at,
        findings=tuple(findings),
        problems=(),
        packages=(),
        decision=decide(tuple(findings), (), policy, today=today),
        policy_sources=policy.sources,
    )


def sign(
    report: Report,
    key: SigningKey,
    *,
    commit: str = "a" * 40,
    time_verified: str | None = None,
) -> tuple[str, dsse.Envelope]:
    """The report's JSON text and its signed decision."""
    text = render(report)
    context = att.DecisionContext(
        subjects=(att.commit_subject(commit, "https://git.example/acme/shop"),),
        resource_uri=att.commit_resource_uri(commit, "https://git.example/acme/shop"),
        report_json=text.encode("utf-8"),
        time_verified=time_verified or report.started_at,
        scanners=("dependencies",),
    )
    return text, att.sign_statement(att.build_statement(report, context), key)


def body(text: str, envelope: dsse.Envelope | dict[str, object]) -> bytes:
    data = envelope.to_dict() if isinstance(envelope, dsse.Envelope) else envelope
    return json.dumps({"report": text, "envelope": data}).encode("utf-8")
