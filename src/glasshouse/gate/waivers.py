"""Waivers: which findings one covers, and whether it may apply today.

A waiver names a rule (an advisory id matches through its aliases, so a waiver
written with the CVE covers the PYSEC or GHSA finding) or a fingerprint, optionally
narrowed to a package and a path glob. It applies only until it expires, only within
the lifetime the policy allows for the severity it covers, and, when the policy says
so, only with an approver.
"""

from __future__ import annotations

from datetime import date
from fnmatch import fnmatchcase

from glasshouse.ecosystems import normalize_name
from glasshouse.gate.policy import Policy
from glasshouse.model import Finding, Severity, Waiver, WaiverStatus


def finding_ids(finding: Finding) -> set[str]:
    """Every id a finding is known by: its rule id and, for advisories, each alias."""
    ids = {finding.rule_id.upper()}
    if finding.vulnerability is not None:
        ids.update(i.upper() for i in finding.vulnerability.advisory_ids)
    return ids


def covers(waiver: Waiver, finding: Finding) -> bool:
    if waiver.fingerprint and waiver.fingerprint != finding.fingerprint:
        return False
    if waiver.rule and waiver.rule.upper() not in finding_ids(finding):
        return False
    if waiver.package:
        vuln = finding.vulnerability
        if vuln is None:
            return False
        ecosystem = vuln.package.ecosystem
        if normalize_name(ecosystem, waiver.package) != normalize_name(
            ecosystem, vuln.package.name
        ):
            return False
    return not waiver.path or fnmatchcase(finding.location.path, waiver.path)


def validity(
    waiver: Waiver, policy: Policy, today: date, severity: Severity
) -> tuple[WaiverStatus, str]:
    """Whether ``waiver`` may apply today to findings of (at most) ``severity``."""
    if waiver.expires < today:
        return WaiverStatus.EXPIRED, f"expired on {waiver.expires.isoformat()}"
    if policy.require_approver and not waiver.approver:
        return WaiverStatus.INVALID, "has no approver, and the policy requires one"
    start = waiver.created or today
    limit = policy.max_waiver_days.get(severity)
    if limit is not None and (waiver.expires - start).days > limit:
        return (
            WaiverStatus.INVALID,
            f"runs {(waiver.expires - start).days} days from {start.isoformat()}, over the "
            f"{limit}-day maximum for {severity.label} findings",
        )
    return WaiverStatus.APPLIED, ""
