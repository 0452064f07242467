"""The gate's decision as an in-toto attestation.

One in-toto Statement v1 (https://in-toto.io/Statement/v1) whose subject is the
scanned commit (``gitCommit`` digest) and any artifact given (``sha256``), carrying the
SLSA Verification Summary predicate (https://slsa.dev/verification_summary/v1):
verifier, time, the resource, the policy (URI and digest), the input reports (the
JSON report's digest, imported SARIF files), and PASSED or FAILED.

Glasshouse's detail (counts by severity and kind, waivers applied with their expiry
and approver, a break-glass override, scanners and advisory databases, the pipeline)
travels in the same predicate as the extension field ``glasshouse``, typed by its own
``_type``. The in-toto parsing rules allow extension fields, and ignoring this one
never turns a FAILED into a PASSED: the verdict is the VSA's own field. One Statement
in one DSSE envelope keeps one signature, one log entry and one receipt per decision.

``verifiedLevels``: Glasshouse checks security findings, not SLSA build tracks, so it
claims no ``SLSA_*`` level; it writes the custom value ``GLASSHOUSE_GATE_PASSED`` (the
VSA allows custom values that do not start with ``SLSA_``) or ``FAILED``.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import urllib.parse
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from glasshouse.evidence import dsse
from glasshouse.evidence._codec import canonical_json, sha256_hex
from glasshouse.evidence.keys import SigningKey
from glasshouse.model import Disposition, FindingKind, Report, Severity, Verdict

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
VSA_PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1"
# Glasshouse's own identifiers: URNs, so that they never pretend to be a web address.
VERIFIER_ID = "urn:glasshouse:verifier:gate"
GATE_DETAIL_TYPE = "urn:glasshouse:gate-decision:v1"
DEFAULT_POLICY_URI = "urn:glasshouse:policy:built-in-defaults"
PASSED_LEVEL = "GLASSHOUSE_GATE_PASSED"

_HEX = re.compile(r"^[0-9a-f]+$")


class AttestationError(ValueError):
    """A statement that is not a Glasshouse gate decision; the message says why."""


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    digest: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "digest": dict(self.digest)}


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file the decision rests on, by digest (ResourceDescriptor)."""

    name: str
    sha256: str
    uri: str | None = None
    media_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "digest": {"sha256": self.sha256}}
        if self.uri:
            data["uri"] = self.uri
        if self.media_type:
            data["mediaType"] = self.media_type
        return data


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """What the statement needs beyond the report: gathered by the caller (the CLI)."""

    subjects: tuple[Subject, ...]
    resource_uri: str
    report_json: bytes  # the JSON report exactly as rendered; its digest is an input
    report_uri: str | None = None  # where it was written, when it was
    policy_sources: tuple[InputFile, ...] = ()  # each policy file read, outermost first
    sarif: tuple[InputFile, ...] = ()
    scanners: tuple[str, ...] = ()
    pipeline: Mapping[str, str] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)  # repository, commit, dirty
    time_verified: str | None = None  # RFC 3339 UTC; now when None


# -- gathering the context ---------------------------------------------------------------
def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_subject(path: Path) -> Subject:
    return Subject(path.name, {"sha256": file_digest(path)})


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def resolve_commit(root: Path, revision: str = "HEAD") -> str | None:
    """The full commit id ``revision`` names in the repository at ``root``, if any."""
    value = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    return value if value and is_commit_id(value) else None


def worktree_dirty(root: Path) -> bool | None:
    """Whether the working tree differs from its commit (what was scanned is then not
    exactly the commit the decision names); None outside a git repository."""
    status = _git(root, "status", "--porcelain")
    return None if status is None else bool(status)


def is_commit_id(value: str) -> bool:
    return len(value) in (40, 64) and bool(_HEX.match(value))


def repository_name(root: Path) -> str:
    """The ``origin`` remote's URL without credentials, else the directory's name."""
    url = _git(root, "remote", "get-url", "origin")
    if url:
        return strip_credentials(url)
    top = _git(root, "rev-parse", "--show-toplevel")
    return Path(top).name if top else root.resolve().name


def strip_credentials(url: str) -> str:
    """A remote URL fit to publish: no user:password@ (CI checkouts embed tokens there)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme and parsed.netloc and "@" in parsed.netloc:
        host = parsed.netloc.rsplit("@", 1)[1]
        return urllib.parse.urlunsplit(parsed._replace(netloc=host))
    return url


def commit_subject(commit: str, repository: str) -> Subject:
    return Subject(repository, {"gitCommit": commit.lower()})


def commit_resource_uri(commit: str, repository: str) -> str:
    """``git+https://host/org/repo@<commit>`` (the SPDX download-location form)."""
    if "://" in repository and not repository.startswith("git+"):
        repository = f"git+{repository}"
    return f"{repository}@{commit.lower()}"


def ci_pipeline(environ: Mapping[str, str]) -> dict[str, str]:
    """The pipeline run behind this gate, as the CI system describes it (may be empty)."""
    get = environ.get
    if get("GITHUB_RUN_ID") and get("GITHUB_REPOSITORY"):
        server = get("GITHUB_SERVER_URL", "https://github.com")
        info = {
            "provider": "github-actions",
            "url": f"{server}/{get('GITHUB_REPOSITORY')}/actions/runs/{get('GITHUB_RUN_ID')}",
            "run_id": get("GITHUB_RUN_ID", ""),
            "ref": get("GITHUB_REF", ""),
            "workflow": get("GITHUB_WORKFLOW", ""),
        }
    elif get("CI_PIPELINE_URL"):
        info = {
            "provider": "gitlab-ci",
            "url": get("CI_PIPELINE_URL", ""),
            "run_id": get("CI_PIPELINE_ID", ""),
            "ref": get("CI_COMMIT_REF_NAME", ""),
            "job_url": get("CI_JOB_URL", ""),
        }
    elif get("BUILD_URL"):
        info = {"provider": "jenkins", "url": get("BUILD_URL", ""), "run_id": get("BUILD_ID", "")}
    else:
        return {}
    return {k: strip_credentials(v) if k.endswith("url") else v for k, v in info.items() if v}


def policy_digest(sources: Sequence[InputFile], tool_version: str) -> str:
    """One digest for the policy in force: every file's digest, in layering order.

    Reproducible from the files alone: sha256 over the canonical JSON
    ``{"sources": [[uri, sha256], ...], "tool": "glasshouse <version>"}`` (the tool's
    version stands for the built-in defaults every policy layers over).
    """
    document = {
        "sources": [[s.uri or s.name, s.sha256] for s in sources],
        "tool": f"glasshouse {tool_version}",
    }
    return sha256_hex(canonical_json(document))


# -- building ----------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def passed(report: Report) -> bool:
    return report.decision.verdict is Verdict.PASS


def gate_detail(report: Report, context: DecisionContext) -> dict[str, Any]:
    decision = report.decision
    by_severity = Counter(f.severity for f in report.findings)
    by_kind = Counter(f.kind for f in report.findings)
    judgements = decision.judgements
    blocking_by_kind: Counter[FindingKind] = Counter(
        f.kind
        for f, j in zip(report.findings, judgements, strict=False)
        if j.disposition is Disposition.BLOCKING
    )
    override = decision.override
    baseline = decision.baseline
    return {
        "_type": GATE_DETAIL_TYPE,
        "verdict": decision.verdict.value,
        "evaluated": (decision.evaluated or decision.verdict).value,
        "exitCode": int(decision.exit_code),
        "mode": decision.mode,
        "reasons": list(decision.reasons),
        "startedAt": report.started_at,
        "tool": {"name": "glasshouse", "version": report.tool_version},
        "findings": {
            "total": len(report.findings),
            "bySeverity": {s.label: by_severity.get(s, 0) for s in reversed(Severity)},
            "byKind": {k.value: by_kind.get(k, 0) for k in FindingKind},
            "blockingByKind": {k.value: blocking_by_kind.get(k, 0) for k in FindingKind},
            "byDisposition": {
                d.value: sum(1 for j in judgements if j.disposition is d) for d in Disposition
            },
        },
        "problems": {
            "total": len(report.problems),
            "blocking": sum(1 for p in report.problems if p.blocking),
        },
        "packages": report.stats.packages,
        "scanners": list(context.scanners),
        "databases": dict(sorted(report.stats.database.items())),
        "waivers": [
            {
                "id": use.waiver.id,
                "status": use.status.value,
                "matched": use.matched,
                "rule": use.waiver.rule,
                "package": use.waiver.package,
                "path": use.waiver.path,
                "fingerprint": use.waiver.fingerprint,
                "reason": use.waiver.reason,
                "owner": use.waiver.owner,
                "approver": use.waiver.approver,
                "ticket": use.waiver.ticket,
                "created": use.waiver.created.isoformat() if use.waiver.created else None,
                "expires": use.waiver.expires.isoformat(),
                "source": use.waiver.source,
            }
            for use in decision.waivers
        ],
        "override": None
        if override is None
        else {"reason": override.reason, "actor": override.actor, "at": override.at},
        "baseline": None
        if baseline is None
        else {
            "source": baseline.source,
            "new": baseline.new,
            "existing": baseline.existing,
            "fixed": len(baseline.fixed),
        },
        "policy": {"sources": [s.to_dict() for s in context.policy_sources]},
        "pipeline": dict(context.pipeline) or None,
        "source": dict(context.source) or None,
    }


def build_statement(report: Report, context: DecisionContext) -> dict[str, Any]:
    if not context.subjects:
        raise AttestationError("a statement needs at least one subject")
    sources = context.policy_sources
    policy_uri = (sources[-1].uri or sources[-1].name) if sources else DEFAULT_POLICY_URI
    report_input = InputFile(
        "glasshouse-report.json",
        sha256_hex(context.report_json),
        uri=context.report_uri,
        media_type="application/json",
    )
    ok = passed(report)
    predicate: dict[str, Any] = {
        "verifier": {"id": VERIFIER_ID, "version": {"glasshouse": report.tool_version}},
        "timeVerified": context.time_verified or _now(),
        "resourceUri": context.resource_uri,
        "policy": {
            "uri": policy_uri,
            "digest": {"sha256": policy_digest(sources, report.tool_version)},
        },
        "inputAttestations": [report_input.to_dict(), *(s.to_dict() for s in context.sarif)],
        "verificationResult": "PASSED" if ok else "FAILED",
        "verifiedLevels": [PASSED_LEVEL if ok else "FAILED"],
        "glasshouse": gate_detail(report, context),
    }
    return {
        "_type": STATEMENT_TYPE,
        "subject": [s.to_dict() for s in context.subjects],
        "predicateType": VSA_PREDICATE_TYPE,
        "predicate": predicate,
    }


def sign_statement(statement: Mapping[str, Any], key: SigningKey) -> dsse.Envelope:
    payload = json.dumps(statement, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return dsse.sign(PAYLOAD_TYPE, payload, key)


# -- reading -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Decision:
    """A parsed, well-formed gate decision statement (its signature checked elsewhere)."""

    statement: Mapping[str, Any]
    subjects: tuple[Subject, ...]
    result: str  # PASSED or FAILED
    time_verified: str
    resource_uri: str
    policy_uri: str
    policy_sha256: str
    detail: Mapping[str, Any]  # the "glasshouse" extension ({} when absent)

    @property
    def commits(self) -> tuple[str, ...]:
        return tuple(s.digest["gitCommit"] for s in self.subjects if "gitCommit" in s.digest)

    @property
    def passed(self) -> bool:
        return self.result == "PASSED"


def parse_statement(payload: bytes) -> Decision:
    try:
        statement = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AttestationError(f"the payload is not JSON ({exc})") from None
    if not isinstance(statement, dict):
        raise AttestationError("the payload is not a JSON object")
    if statement.get("_type") != STATEMENT_TYPE:
        raise AttestationError(f"not an in-toto Statement v1 (_type {statement.get('_type')!r})")
    if statement.get("predicateType") != VSA_PREDICATE_TYPE:
        raise AttestationError(
            f"not a SLSA verification summary (predicateType {statement.get('predicateType')!r})"
        )
    raw_subjects = statement.get("subject")
    if not isinstance(raw_subjects, list) or not raw_subjects:
        raise AttestationError("the statement has no subject")
    subjects = []
    for raw in raw_subjects:
        digest = raw.get("digest") if isinstance(raw, dict) else None
        if not isinstance(digest, dict) or not digest:
            raise AttestationError("a subject has no digest")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in digest.items()):
            raise AttestationError("a subject digest is not a map of strings")
        name = raw.get("name", "_")
        subjects.append(Subject(name if isinstance(name, str) else "_", dict(digest)))
    predicate = statement.get("predicate")
    if not isinstance(predicate, dict):
        raise AttestationError("the statement has no predicate")
    result = predicate.get("verificationResult")
    if result not in ("PASSED", "FAILED"):
        raise AttestationError(f"verificationResult must be PASSED or FAILED, not {result!r}")
    raw_policy = predicate.get("policy")
    policy: dict[str, Any] = raw_policy if isinstance(raw_policy, dict) else {}
    policy_digest_value = policy.get("digest", {})
    detail = predicate.get("glasshouse")
    return Decision(
        statement=statement,
        subjects=tuple(subjects),
        result=result,
        time_verified=str(predicate.get("timeVerified", "")),
        resource_uri=str(predicate.get("resourceUri", "")),
        policy_uri=str(policy.get("uri", "")),
        policy_sha256=str(policy_digest_value.get("sha256", ""))
        if isinstance(policy_digest_value, dict)
        else "",
        detail=detail if isinstance(detail, dict) else {},
    )


def subject_matches(decision: Decision, *, commit: str | None, sha256: str | None) -> bool:
    """DigestSet matching (in-toto): any subject whose digest of that algorithm is equal."""
    for subject in decision.subjects:
        if commit is not None and subject.digest.get("gitCommit", "").lower() == commit.lower():
            return True
        if sha256 is not None and subject.digest.get("sha256", "").lower() == sha256.lower():
            return True
    return False
