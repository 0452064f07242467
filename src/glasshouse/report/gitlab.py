"""GitLab security reports: dependency scanning and secret detection, schema 15.0.7.

GitLab reads these from ``artifacts:reports:dependency_scanning`` and
``artifacts:reports:secret_detection`` and shows them in the merge request widget, the
pipeline's security tab and the vulnerability report. A report that fails GitLab's
schema validation is dropped whole, so the output keeps to fields every 15.x schema
defines, with their limits (name 255 characters, solution 7000, 20 identifiers,
``yyyy-mm-ddThh:mm:ss`` times, http(s) URLs).

**Schema version.** 15.0.7, the last 15.0 release: every GitLab that reads 15.x
reports accepts it. Its dependency-scanning schema requires ``dependency_files``
(15.1 removed it), so the report lists each lockfile with its packages; unpinned
packages appear with their requirement (or ``unknown``) as version, never dropped.

**Which findings.** Blocking, allowed and existing (baseline) findings are listed: they
are present in the code, and GitLab tracks each one through its own states (detected,
confirmed, dismissed, resolved). Waived and ignored findings are left out, and
``scan.messages`` says how many and why. A waiver or an ignore rule is Glasshouse's
equivalent of an analyzer's own suppression (a Gitleaks allowlist, a disabled SAST
rule), which GitLab's analyzers also leave out of their reports: listing them would ask
GitLab users to triage again, in a second place without expiry, what the policy file
already decided with an approver and an end date; GitLab's report schema has no field
to carry that decision. When a waiver expires, the finding comes back in the next
report as detected. Each listed vulnerability's ``details`` carry the gate's judgement
(disposition and reason, whether new against the baseline), so reviewers see why the
gate did or did not block on it.

**Ids.** ``id`` is a UUIDv5 of the finding's fingerprint and report type: the same
finding keeps its id across pipelines. The first identifier (GitLab's primary one,
part of its own finding identity) is the finding's rule id; then every alias, typed
``cve``, ``ghsa`` or ``osv`` with its page.

**Status.** ``scan.status`` is ``failure`` when a scanner this report depends on could
not read something it needed (a blocking problem: the gate's "incomplete"), with a
``warn`` message per problem; the findings listed are still real. Non-blocking
problems are ``info`` messages.

**Secrets.** Only findings of kind SECRET. The location names the file and line and
the commit GitLab requires: the first history occurrence's, else ``0000000``, the
value GitLab's own analyzer writes for findings outside git history. No raw secret is
ever written: a finding carries only its title, rule and location, never the value.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from glasshouse.ecosystems import (
    CRATES_IO,
    GO,
    MAVEN,
    NPM,
    NUGET,
    PACKAGIST,
    PYPI,
    RUBYGEMS,
    base_ecosystem,
)
from glasshouse.model import (
    Disposition,
    Finding,
    FindingKind,
    Judgement,
    Package,
    Problem,
    Report,
    Severity,
    VulnerabilityDetails,
)
from glasshouse.report._advisories import publisher

SCHEMA_VERSION = "15.0.7"
_SCHEMA_BASE = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/"
)
DEPENDENCY_SCANNING = "dependency_scanning"
SECRET_DETECTION = "secret_detection"  # noqa: S105 - a report type, not a credential
# Fixed namespace for ids: uuid5(NAMESPACE_URL, "glasshouse:gitlab").
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "glasshouse:gitlab")
# The scanners whose blocking problems make each report's scan a failure. "walk" and
# "policy" concern every scanner (an unreadable directory, an exclusion).
_SCANNERS = {
    DEPENDENCY_SCANNING: frozenset({"dependencies", "walk", "policy"}),
    SECRET_DETECTION: frozenset({"secrets", "walk", "policy"}),
}
_LISTED = frozenset({Disposition.BLOCKING, Disposition.ALLOWED, Disposition.EXISTING})
_UNKNOWN_COMMIT = "0000000"
_URL = re.compile(r"(https?|ftp)://\S+")
# What could start GitLab Markdown: emphasis, code, links, HTML, headings, lists, tables,
# strikethrough, entities, and GitLab's {+ inline diff +}. Parentheses and "!" need no
# escape once brackets have one.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#+|~&])")
_MAX_NAME = 255
_MAX_SOLUTION = 7000
_MAX_IDENTIFIERS = 20
_SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.UNKNOWN: "Unknown",
}
# package_manager of dependency_files, by lockfile name, then by ecosystem.
_MANAGER_BY_FILE = {
    "requirements.txt": "pip",
    "pylock.toml": "pip",
    "Pipfile.lock": "pipenv",
    "poetry.lock": "poetry",
    "pdm.lock": "pdm",
    "uv.lock": "uv",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lock": "bun",
    "go.mod": "go",
    "Cargo.lock": "cargo",
    "Gemfile.lock": "bundler",
    "composer.lock": "composer",
    "pom.xml": "maven",
    "gradle.lockfile": "gradle",
    "packages.lock.json": "nuget",
    "packages.config": "nuget",
}
_MANAGER_BY_ECOSYSTEM = {
    PYPI: "pip",
    NPM: "npm",
    GO: "go",
    CRATES_IO: "cargo",
    MAVEN: "maven",
    RUBYGEMS: "bundler",
    PACKAGIST: "composer",
    NUGET: "nuget",
}


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _started(report: Report) -> datetime:
    moment = datetime.fromisoformat(report.started_at)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _md(text: str) -> str:
    """Text shown literally where GitLab renders Markdown (backslash escapes)."""
    return _MARKDOWN.sub(r"\\\1", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _id(report_type: str, finding: Finding) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{report_type}:{finding.fingerprint}"))


def _judged(report: Report) -> list[tuple[Finding, Judgement | None]]:
    judgements: list[Judgement | None] = list(report.decision.judgements) or [None] * len(
        report.findings
    )
    return list(zip(report.findings, judgements, strict=True))


def _details(judgement: Judgement | None) -> dict[str, Any]:
    if judgement is None:
        return {}
    gate = f"{judgement.disposition.value}: {judgement.reason}"
    details: dict[str, Any] = {
        "glasshouse_gate": {"name": "Glasshouse gate", "type": "text", "value": gate}
    }
    if judgement.new is not None:
        details["glasshouse_baseline"] = {
            "name": "Against the baseline",
            "type": "text",
            "value": "new" if judgement.new else "already in the baseline",
        }
    return details


def _scan(report: Report, report_type: str, left_out: Collection[Judgement]) -> dict[str, Any]:
    started = _started(report)
    ended = started + timedelta(seconds=report.stats.duration_seconds)
    relevant = _SCANNERS[report_type]
    problems = [p for p in report.problems if p.scanner in relevant]
    messages = [_message(p) for p in problems]
    if left_out:
        waived = sorted({j.waiver for j in left_out if j.waiver})
        ignored = sum(1 for j in left_out if j.disposition is Disposition.IGNORED)
        parts = []
        if len(left_out) > ignored:
            by = f" ({', '.join(waived)})" if waived else ""
            parts.append(f"{len(left_out) - ignored} waived{by}")
        if ignored:
            parts.append(f"{ignored} ignored")
        messages.append(
            {
                "level": "info",
                "value": f"{' and '.join(parts)} by the Glasshouse policy, not listed here: "
                "see the Glasshouse report",
            }
        )
    tool = {
        "id": "glasshouse",
        "name": "Glasshouse",
        "version": report.tool_version,
        "vendor": {"name": "Glasshouse"},
    }
    scan: dict[str, Any] = {
        "analyzer": tool,
        "scanner": dict(tool),
        "type": report_type,
        "start_time": _time(started),
        "end_time": _time(ended),
        "status": "failure" if any(p.blocking for p in problems) else "success",
    }
    if messages:
        scan["messages"] = messages
    return scan


def _message(problem: Problem) -> dict[str, str]:
    return {"level": "warn" if problem.blocking else "info", "value": str(problem) or "problem"}


def _select(
    report: Report, kind: FindingKind
) -> tuple[list[tuple[Finding, Judgement | None]], list[Judgement]]:
    """The findings of ``kind`` to list, and the judgements of those left out."""
    listed: list[tuple[Finding, Judgement | None]] = []
    left_out: list[Judgement] = []
    for finding, judgement in _judged(report):
        if finding.kind is not kind:
            continue
        if judgement is None or judgement.disposition in _LISTED:
            listed.append((finding, judgement))
        else:
            left_out.append(judgement)
    return listed, left_out


def _advisory_identifiers(ids: Iterable[str]) -> list[dict[str, str]]:
    """The rule id first (GitLab's primary identifier), then the aliases, deduplicated."""
    identifiers: list[dict[str, str]] = []
    seen: set[str] = set()
    for value in ids:
        if not value or value.upper() in seen:
            continue
        seen.add(value.upper())
        where = publisher(value)
        identifiers.append({"type": where.kind, "name": value, "value": value, "url": where.url})
    return identifiers[:_MAX_IDENTIFIERS]


def _links(urls: Iterable[str]) -> list[dict[str, str]]:
    return [{"url": url} for url in dict.fromkeys(urls) if _URL.fullmatch(url)]


def _version(package: Package) -> str:
    return package.version or package.requirement or "unknown"


def _dependency_vulnerability(
    finding: Finding, vuln: VulnerabilityDetails, judgement: Judgement | None
) -> dict[str, Any]:
    package = vuln.package
    lines = [
        _md(finding.title),
        "",
        f"{_md(package.name)} {_md(_version(package))} ({_md(package.ecosystem)}), "
        f"declared in {_md(finding.location.path)}, is affected by {_md(finding.rule_id)}.",
    ]
    aliases = [a for a in vuln.advisory_ids if a.upper() != finding.rule_id.upper()]
    if aliases:
        lines.append(f"Also known as {_md(', '.join(aliases))}.")
    if vuln.fixed_versions:
        lines.append(f"Fixed in {_md(', '.join(vuln.fixed_versions))}.")
    dependency: dict[str, Any] = {"package": {"name": package.name}, "version": _version(package)}
    if package.direct is not None:
        dependency["direct"] = package.direct
    entry: dict[str, Any] = {
        "id": _id(DEPENDENCY_SCANNING, finding),
        "name": _clip(finding.title, _MAX_NAME),
        "description": "\n".join(lines),
        "severity": _SEVERITY[finding.severity],
    }
    if finding.fix is not None:
        entry["solution"] = _clip(finding.fix.summary, _MAX_SOLUTION)
    entry["identifiers"] = _advisory_identifiers([finding.rule_id, *aliases])
    links = _links([publisher(finding.rule_id).url, *vuln.references])
    if links:
        entry["links"] = links
    details = _details(judgement)
    if details:
        entry["details"] = details
    entry["location"] = {"file": finding.location.path, "dependency": dependency}
    return entry


def _dependency_files(packages: Iterable[Package]) -> list[dict[str, Any]]:
    by_file: dict[str, dict[tuple[str, str], Package]] = {}
    for package in packages:
        key = (package.name, _version(package))
        by_file.setdefault(package.location.path, {}).setdefault(key, package)
    files = []
    for path, found in sorted(by_file.items()):
        first = next(iter(found.values()))
        manager = _MANAGER_BY_FILE.get(path.rsplit("/", 1)[-1]) or _MANAGER_BY_ECOSYSTEM.get(
            base_ecosystem(first.ecosystem), base_ecosystem(first.ecosystem).lower() or "unknown"
        )
        files.append(
            {
                "path": path,
                "package_manager": manager,
                "dependencies": [
                    {"package": {"name": name}, "version": version}
                    for name, version in sorted(found)
                ],
            }
        )
    return files


def dependency_scanning(report: Report) -> dict[str, Any]:
    listed, left_out = _select(report, FindingKind.VULNERABILITY)
    vulnerabilities = []
    for finding, judgement in listed:
        if finding.vulnerability is not None:
            vulnerabilities.append(
                _dependency_vulnerability(finding, finding.vulnerability, judgement)
            )
    packages = list(report.packages)
    known = {(p.name, p.version, p.location.path) for p in packages}
    for finding, _ in _judged(report):  # vulnerable packages the inventory lacks
        vuln = finding.vulnerability
        if vuln is None:
            continue
        key = (vuln.package.name, vuln.package.version, vuln.package.location.path)
        if key not in known:
            known.add(key)
            packages.append(vuln.package)
    return {
        "version": SCHEMA_VERSION,
        "schema": f"{_SCHEMA_BASE}dependency-scanning-report-format.json",
        "scan": _scan(report, DEPENDENCY_SCANNING, left_out),
        "vulnerabilities": vulnerabilities,
        "dependency_files": _dependency_files(packages),
    }


def _secret_vulnerability(finding: Finding, judgement: Judgement | None) -> dict[str, Any]:
    location: dict[str, Any] = {"file": finding.location.path}
    if finding.location.line is not None:
        location["start_line"] = finding.location.line
    # The commit of the first history occurrence, when the secret came from history.
    commits = [o.commit for o in finding.secret.occurrences if o.commit] if finding.secret else []
    location["commit"] = {"sha": commits[0] if commits else _UNKNOWN_COMMIT}
    entry: dict[str, Any] = {
        "id": _id(SECRET_DETECTION, finding),
        "name": _clip(finding.title, _MAX_NAME),
        "description": (
            f"{_md(finding.title)}\n\nFound by rule {_md(finding.rule_id)} in "
            f"{_md(str(finding.location))}. The value is not included in this report."
        ),
        "severity": _SEVERITY[finding.severity],
    }
    if finding.fix is not None:
        entry["solution"] = _clip(finding.fix.summary, _MAX_SOLUTION)
    entry["identifiers"] = [
        {"type": "glasshouse_rule_id", "name": finding.rule_id, "value": finding.rule_id}
    ]
    details = _details(judgement)
    if details:
        entry["details"] = details
    entry["location"] = location
    return entry


def secret_detection(report: Report) -> dict[str, Any]:
    listed, left_out = _select(report, FindingKind.SECRET)
    return {
        "version": SCHEMA_VERSION,
        "schema": f"{_SCHEMA_BASE}secret-detection-report-format.json",
        "scan": _scan(report, SECRET_DETECTION, left_out),
        "vulnerabilities": [_secret_vulnerability(f, j) for f, j in listed],
    }


def render_dependency_scanning(report: Report) -> str:
    return json.dumps(dependency_scanning(report), indent=2, ensure_ascii=False) + "\n"


def render_secret_detection(report: Report) -> str:
    return json.dumps(secret_detection(report), indent=2, ensure_ascii=False) + "\n"
