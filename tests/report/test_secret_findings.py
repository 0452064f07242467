"""Every reporter shows a secret finding by its masked preview and never more."""

from __future__ import annotations

import json
from datetime import date

import pytest

from glasshouse.fingerprint import fingerprint
from glasshouse.gate.decision import decide
from glasshouse.model import (
    SUPPRESSED_IN_SOURCE,
    Finding,
    FindingKind,
    Fix,
    Location,
    Report,
    ScanStats,
    SecretDetails,
    SecretOccurrence,
    Severity,
)
from glasshouse.report.registry import RENDERERS

PREVIEW = "ghp_…Xk3q (40 chars)"


def secret_report() -> Report:
    findings = (
        Finding(
            kind=FindingKind.SECRET,
            rule_id="github-pat-classic",
            title="GitHub personal access token (classic) (2 occurrences)",
            severity=Severity.CRITICAL,
            location=Location("deploy/settings.py", 4),
            fingerprint=fingerprint(FindingKind.SECRET, "github-pat-classic", "9" * 64, ""),
            fix=Fix("Revoke the token on GitHub, create a new one, and purge it from history."),
            secret=SecretDetails(
                preview=PREVIEW,
                secret_hash="9" * 64,
                occurrences=(
                    SecretOccurrence("deploy/settings.py", 4),
                    SecretOccurrence(
                        "deploy/settings.py",
                        4,
                        commit="3f2a9c0d1e5b7a8f9c0d1e2f3a4b5c6d7e8f9a0b",
                        author="Dev One",
                        date="2026-11-20T10:00:00+00:00",
                    ),
                ),
            ),
        ),
        Finding(
            kind=FindingKind.SECRET,
            rule_id="stripe-secret-key-test",
            title="Stripe test secret key",
            severity=Severity.MEDIUM,
            location=Location("tests/fixtures/payments.py", 9),
            fingerprint=fingerprint(FindingKind.SECRET, "stripe-secret-key-test", "8" * 64, ""),
            fix=Fix("Use a placeholder in fixtures."),
            secret=SecretDetails("sk_t…9aZ0 (32 chars)", "8" * 64, (SecretOccurrence("x", 9),)),
            suppression="fixture key from Stripe's docs",
            tags=(SUPPRESSED_IN_SOURCE,),
        ),
    )
    return Report(
        target="/work/project",
        tool_version="0.0.0-test",
        started_at="2026-01-02T03:04:05Z",
        findings=findings,
        problems=(),
        packages=(),
        decision=decide(findings, (), today=date(2026, 11, 27)),
        stats=ScanStats(files_scanned=2),
    )


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_secret_findings_render_with_their_preview(fmt: str) -> None:
    text = RENDERERS[fmt](secret_report())
    assert text
    if fmt not in ("junit", "cyclonedx", "gitlab-dependency-scanning"):
        assert "github-pat-classic" in text


def test_json_carries_preview_hash_occurrences_and_suppression() -> None:
    report = json.loads(RENDERERS["json"](secret_report()))
    first, second = report["findings"]
    assert first["secret"]["preview"] == PREVIEW
    assert len(first["secret"]["occurrences"]) == 2
    assert first["secret"]["occurrences"][1]["commit"].startswith("3f2a9c0")
    assert first["gate"]["disposition"] == "blocking"
    assert second["suppression"] == "fixture key from Stripe's docs"
    assert second["gate"] == {
        "disposition": "ignored",
        "reason": "suppressed in source: fixture key from Stripe's docs",
        "waiver": None,
        "new": None,
    }


def test_table_shows_the_preview() -> None:
    assert PREVIEW in RENDERERS["table"](secret_report())


def test_gitlab_secret_detection_names_the_commit_of_a_history_finding() -> None:
    report = json.loads(RENDERERS["gitlab-secret-detection"](secret_report()))
    commits = {
        v["location"]["file"]: v["location"]["commit"]["sha"] for v in report["vulnerabilities"]
    }
    assert commits["deploy/settings.py"] == "3f2a9c0d1e5b7a8f9c0d1e2f3a4b5c6d7e8f9a0b"
