"""The decision statement: in-toto Statement v1 + SLSA VSA v1 + Glasshouse detail."""

from __future__ import annotations

import json

import pytest

from glasshouse.evidence import attestation as att
from glasshouse.evidence import dsse, keys
from glasshouse.report.json_report import render

from .helpers import public, sample_report

COMMIT = "a" * 40


def context(report_json: bytes = b"{}", **extra: object) -> att.DecisionContext:
    values: dict[str, object] = {
        "subjects": (att.commit_subject(COMMIT, "https://git.example/org/app"),),
        "resource_uri": att.commit_resource_uri(COMMIT, "https://git.example/org/app"),
        "report_json": report_json,
        "policy_sources": (att.InputFile(".glasshouse.toml", "b" * 64, uri=".glasshouse.toml"),),
        "scanners": ("dependencies", "secrets"),
        "pipeline": {"provider": "gitlab-ci", "url": "https://git.example/org/app/-/pipelines/9"},
        "time_verified": "2026-11-27T10:00:01Z",
    }
    values.update(extra)
    return att.DecisionContext(**values)  # type: ignore[arg-type]


def test_statement_shape() -> None:
    report = sample_report()
    report_json = render(report).encode()
    statement = att.build_statement(report, context(report_json))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://slsa.dev/verification_summary/v1"
    assert statement["subject"] == [
        {"name": "https://git.example/org/app", "digest": {"gitCommit": COMMIT}}
    ]
    predicate = statement["predicate"]
    assert predicate["verifier"]["id"] == att.VERIFIER_ID
    assert predicate["timeVerified"] == "2026-11-27T10:00:01Z"
    assert predicate["resourceUri"] == f"git+https://git.example/org/app@{COMMIT}"
    assert predicate["verificationResult"] == "PASSED"  # the critical one is waived
    assert predicate["verifiedLevels"] == ["GLASSHOUSE_GATE_PASSED"]
    assert predicate["policy"]["uri"] == ".glasshouse.toml"
    assert len(predicate["policy"]["digest"]["sha256"]) == 64
    (report_input,) = predicate["inputAttestations"]
    assert report_input["digest"]["sha256"] == att.sha256_hex(report_json)
    detail = predicate["glasshouse"]
    assert detail["_type"] == att.GATE_DETAIL_TYPE
    assert detail["findings"]["bySeverity"]["critical"] == 1
    assert detail["findings"]["byDisposition"]["waived"] == 1
    (waiver,) = detail["waivers"]
    assert waiver["approver"] == "security-lead"
    assert waiver["expires"] == "2026-12-20"
    assert waiver["status"] == "applied"
    assert detail["pipeline"]["provider"] == "gitlab-ci"
    assert detail["scanners"] == ["dependencies", "secrets"]
    assert detail["databases"] == {"osv:PyPI": "2.0h"}


def test_a_failed_gate_and_an_override_are_stated() -> None:
    failed = att.build_statement(sample_report(waived=False), context())
    assert failed["predicate"]["verificationResult"] == "FAILED"
    assert failed["predicate"]["verifiedLevels"] == ["FAILED"]
    overridden = att.build_statement(
        sample_report(waived=False, override="hotfix INC-42"), context()
    )
    detail = overridden["predicate"]["glasshouse"]
    assert overridden["predicate"]["verificationResult"] == "PASSED"
    assert detail["evaluated"] == "fail"
    assert detail["override"]["reason"] == "hotfix INC-42"
    assert detail["override"]["actor"] == "alice"


def test_policy_digest_is_reproducible_from_the_files() -> None:
    sources = (att.InputFile("org.toml", "1" * 64, uri="https://p.example/org.toml"),)
    first = att.policy_digest(sources, "1.0")
    assert first == att.policy_digest(sources, "1.0")
    assert first != att.policy_digest(sources, "1.1")
    assert first != att.policy_digest((att.InputFile("org.toml", "2" * 64),), "1.0")


def test_signed_statement_parses_back(signer: keys.SigningKey) -> None:
    statement = att.build_statement(sample_report(), context())
    envelope = att.sign_statement(statement, signer)
    assert envelope.payload_type == "application/vnd.in-toto+json"
    verified = dsse.verify(envelope, public(signer))
    decision = att.parse_statement(verified.payload)
    assert decision.passed
    assert decision.commits == (COMMIT,)
    assert att.subject_matches(decision, commit=COMMIT.upper(), sha256=None)
    assert not att.subject_matches(decision, commit="b" * 40, sha256=None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"_type": "https://in-toto.io/Statement/v0.1"}, "not an in-toto Statement v1"),
        ({"predicateType": "https://slsa.dev/provenance/v1"}, "not a SLSA verification summary"),
        ({"subject": []}, "no subject"),
        ({"subject": [{"name": "x"}]}, "no digest"),
        ({"predicate": None}, "no predicate"),
    ],
)
def test_malformed_statements_are_named(change: dict[str, object], message: str) -> None:
    statement = att.build_statement(sample_report(), context())
    statement.update(change)
    with pytest.raises(att.AttestationError, match=message):
        att.parse_statement(json.dumps(statement).encode())


def test_ci_pipelines_are_described_without_credentials() -> None:
    github = att.ci_pipeline(
        {"GITHUB_RUN_ID": "77", "GITHUB_REPOSITORY": "org/app", "GITHUB_REF": "refs/heads/main"}
    )
    assert github["url"] == "https://github.com/org/app/actions/runs/77"
    jenkins = att.ci_pipeline({"BUILD_URL": "https://bot:s3cret@ci.example/job/app/5/"})
    assert jenkins["url"] == "https://ci.example/job/app/5/"
    assert att.ci_pipeline({}) == {}
    assert att.strip_credentials("https://x-token:ghp_abc@github.com/o/r.git") == (
        "https://github.com/o/r.git"
    )
    assert att.strip_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git"
