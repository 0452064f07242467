"""Audit evidence packs: every signed gate decision of a period, mapped to controls.

``collect`` reads decisions (DSSE envelopes) and log receipts from a directory (the
server will feed the same records from its database), keeps those whose decision time
falls in the period, and checks their signatures and log proofs when given the keys.
``build`` writes a zip holding the decisions, receipts, checkpoints, policy versions,
the waiver register, overrides, a machine-readable ``controls.json``, ``manifest.json``
(SHA-256 of every file) and ``report.html``, a page that maps each control of the chosen
framework to its evidence with figures, and says plainly what it cannot evidence.

Every value that reaches the HTML page is escaped; the page has no script and a
strict Content-Security-Policy.
"""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from glasshouse.evidence import dsse
from glasshouse.evidence._codec import sha256_hex
from glasshouse.evidence.attestation import (
    PAYLOAD_TYPE,
    AttestationError,
    Decision,
    parse_statement,
)
from glasshouse.evidence.checkpoint import CheckpointError, peek
from glasshouse.evidence.keys import VerifyingKey
from glasshouse.evidence.receipt import RECEIPT_TYPE, Receipt, ReceiptError, receipt_from_dict
from glasshouse.evidence.verify import Expectations, LogTrust, verify_receipt

PACK_SCHEMA_VERSION = "1.0"
FRAMEWORKS = ("iso27001", "soc2", "pci-dss")
MAX_FILE_BYTES = 16 * 1024 * 1024


class PackError(ValueError):
    """An export that cannot be made (no such framework, an unreadable directory)."""


@dataclass(frozen=True)
class Record:
    """One gate decision, and what is known of its authenticity."""

    source: str  # the file it came from
    envelope: dsse.Envelope
    decision: Decision
    receipt: Receipt | None = None
    signature: bool | None = None  # None: not checked (no key given)
    logged: bool | None = None  # receipt's inclusion and checkpoint held; None: not checked

    @property
    def detail(self) -> Mapping[str, Any]:
        return self.decision.detail


@dataclass
class Collection:
    start: date
    end: date
    records: list[Record] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    key_checked: bool = False
    log_checked: bool = False


def _day(timestamp: str) -> date | None:
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def collect(
    directory: Path,
    start: date,
    end: date,
    *,
    key: VerifyingKey | None = None,
    log: LogTrust | None = None,
) -> Collection:
    """Decisions from every ``*.json`` under ``directory`` whose time is in [start, end].

    Files that are neither a decision nor a receipt of one, or do not parse, are listed
    as skipped with the reason.
    """
    if not directory.is_dir():
        raise PackError(f"{directory}: not a directory")
    records: list[Record] = []
    skipped: list[tuple[str, str]] = []
    for path in sorted(directory.rglob("*.json")):
        name = str(path.relative_to(directory))
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PackError("too large")
            data = json.loads(path.read_bytes())
            records.append(record_from_document(data, name, key=key, log=log))
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            skipped.append((name, f"not readable JSON ({exc})"))
        except PackError as exc:
            skipped.append((name, str(exc)))
    found = select(records, start, end, key_checked=key is not None, log_checked=log is not None)
    found.skipped[:0] = skipped
    return found


def select(
    records: Iterable[Record],
    start: date,
    end: date,
    *,
    key_checked: bool,
    log_checked: bool,
) -> Collection:
    """The records of the period, by time; a receipt and the envelope it logs count once
    (the receipt is kept). The server calls this with records from its database."""
    if end < start:
        raise PackError(f"the period ends ({end}) before it starts ({start})")
    found = Collection(start, end, key_checked=key_checked, log_checked=log_checked)
    by_payload: dict[bytes, Record] = {}
    for record in records:
        day = _day(record.decision.time_verified)
        if day is None:
            found.skipped.append((record.source, "the decision has no valid timeVerified"))
            continue
        if not start <= day <= end:
            continue
        previous = by_payload.get(record.envelope.payload)
        if previous is None or (previous.receipt is None and record.receipt is not None):
            by_payload[record.envelope.payload] = record
    found.records = sorted(by_payload.values(), key=lambda r: (r.decision.time_verified, r.source))
    return found


def record_from_document(
    data: object,
    name: str,
    *,
    key: VerifyingKey | None = None,
    log: LogTrust | None = None,
) -> Record:
    """A decision from a parsed DSSE envelope or receipt; its signature and log proof
    checked when the keys are given. PackError says why it is not a decision."""
    receipt = None
    try:
        if isinstance(data, dict) and data.get("type") == RECEIPT_TYPE:
            receipt = receipt_from_dict(data)
            if receipt.entry.kind != "decision":
                raise PackError(f"a {receipt.entry.kind} event, not a decision")
            envelope = dsse.from_dict(receipt.entry.body)
        else:
            envelope = dsse.from_dict(data)
        if envelope.payload_type != PAYLOAD_TYPE:
            raise PackError(f"payloadType {envelope.payload_type!r}")
        decision = parse_statement(envelope.payload)
    except (ReceiptError, dsse.EnvelopeError, AttestationError) as exc:
        raise PackError(str(exc)) from None
    signature: bool | None = None
    if key is not None:
        try:
            dsse.verify(envelope, key)
            signature = True
        except dsse.EnvelopeError:
            signature = False
    logged: bool | None = None
    if receipt is not None and key is not None and log is not None:
        outcome = verify_receipt(receipt.to_dict(), key, Expectations(require_pass=False), log)
        logged = outcome.ok
    return Record(name, envelope, decision, receipt, signature, logged)


# -- figures -----------------------------------------------------------------------------
def _counter(records: Iterable[Record], *path: str) -> Counter[str]:
    total: Counter[str] = Counter()
    for record in records:
        node: Any = record.detail
        for key in path:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    total[str(name)] += value
    return total


def figures(found: Collection) -> dict[str, Any]:
    records = found.records
    passed = sum(1 for r in records if r.decision.passed)
    overrides = [r for r in records if r.detail.get("override")]
    register = waiver_register(records)
    checkpoints = {r.receipt.checkpoint for r in records if r.receipt is not None}
    return {
        "decisions": len(records),
        "passed": passed,
        "failed": len(records) - passed,
        "pass_rate": round(passed / len(records), 4) if records else None,
        "commits": len({c for r in records for c in r.decision.commits}),
        "repositories": len({s.name for r in records for s in r.decision.subjects}),
        "signatures_checked": found.key_checked,
        "signatures_valid": sum(1 for r in records if r.signature),
        "signatures_invalid": sum(1 for r in records if r.signature is False),
        "receipts": sum(1 for r in records if r.receipt is not None),
        "receipts_verified": sum(1 for r in records if r.logged),
        "receipts_failed": sum(1 for r in records if r.logged is False),
        "checkpoints": len(checkpoints),
        "findings_by_severity": dict(_counter(records, "findings", "bySeverity")),
        "findings_by_kind": dict(_counter(records, "findings", "byKind")),
        "blocking_by_kind": dict(_counter(records, "findings", "blockingByKind")),
        "findings_by_disposition": dict(_counter(records, "findings", "byDisposition")),
        "waivers": len(register),
        "waivers_applied": sum(1 for w in register if "applied" in w["statuses"]),
        "waivers_without_approver": sum(1 for w in register if not w["approver"]),
        "waivers_expired_seen": sum(1 for w in register if "expired" in w["statuses"]),
        "overrides": len(overrides),
        "incomplete": sum(1 for r in records if r.detail.get("verdict") == "incomplete"),
        "policies": len(policy_versions(records)),
        "scanners": sorted({str(s) for r in records for s in r.detail.get("scanners", []) or []}),
        "packages_checked": sum(
            int(r.detail.get("packages", 0) or 0)
            for r in records
            if isinstance(r.detail.get("packages", 0), int)
        ),
    }


def waiver_register(records: Sequence[Record]) -> list[dict[str, Any]]:
    """Every waiver the decisions weighed: who owns and approved it, until when, how used."""
    register: dict[tuple[str, str, str], dict[str, Any]] = {}
    for record in records:
        for waiver in record.detail.get("waivers", []) or []:
            if not isinstance(waiver, dict):
                continue
            key = (str(waiver.get("id")), str(waiver.get("source")), str(waiver.get("expires")))
            entry = register.setdefault(
                key,
                {
                    "id": waiver.get("id"),
                    "rule": waiver.get("rule"),
                    "package": waiver.get("package"),
                    "path": waiver.get("path"),
                    "reason": waiver.get("reason"),
                    "owner": waiver.get("owner"),
                    "approver": waiver.get("approver"),
                    "ticket": waiver.get("ticket"),
                    "created": waiver.get("created"),
                    "expires": waiver.get("expires"),
                    "source": waiver.get("source"),
                    "statuses": [],
                    "decisions": 0,
                    "findings_covered": 0,
                    "first_seen": record.decision.time_verified,
                    "last_seen": record.decision.time_verified,
                },
            )
            status = str(waiver.get("status"))
            if status not in entry["statuses"]:
                entry["statuses"].append(status)
            entry["decisions"] += 1
            matched = waiver.get("matched", 0)
            if status == "applied" and isinstance(matched, int):
                entry["findings_covered"] += matched
            entry["last_seen"] = record.decision.time_verified
    return sorted(register.values(), key=lambda w: (str(w["id"]), str(w["expires"])))


def policy_versions(records: Sequence[Record]) -> list[dict[str, Any]]:
    versions: dict[str, dict[str, Any]] = {}
    for record in records:
        digest = record.decision.policy_sha256
        entry = versions.setdefault(
            digest,
            {
                "uri": record.decision.policy_uri,
                "sha256": digest,
                "sources": (record.detail.get("policy") or {}).get("sources", []),
                "decisions": 0,
                "first_seen": record.decision.time_verified,
                "last_seen": record.decision.time_verified,
            },
        )
        entry["decisions"] += 1
        entry["last_seen"] = record.decision.time_verified
    return list(versions.values())


def overrides(records: Sequence[Record]) -> list[dict[str, Any]]:
    return [
        {
            "time": r.decision.time_verified,
            "commits": list(r.decision.commits),
            "resource": r.decision.resource_uri,
            **(r.detail.get("override") or {}),
        }
        for r in records
        if r.detail.get("override")
    ]


# -- controls ----------------------------------------------------------------------------
Figures = Mapping[str, Any]


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    evidence: Callable[[Figures], str]
    files: tuple[str, ...]


def _sev(f: Figures) -> str:
    s = f["findings_by_severity"]
    return ", ".join(f"{s.get(k, 0)} {k}" for k in ("critical", "high", "medium", "low", "unknown"))


def _runs(f: Figures) -> str:
    rate = f"{f['pass_rate']:.1%}" if f["pass_rate"] is not None else "n/a"
    return (
        f"{f['decisions']} signed gate decisions on {f['commits']} commit(s) of "
        f"{f['repositories']} repositor(ies): {f['passed']} passed, {f['failed']} failed "
        f"(pass rate {rate}); {f['incomplete']} incomplete scan(s) failed closed."
    )


def _kind(f: Figures, kind: str, label: str) -> str:
    found = f["findings_by_kind"].get(kind, 0)
    blocking = f["blocking_by_kind"].get(kind, 0)
    return f"{found} {label} finding(s) reported across the decisions, {blocking} of them blocking."


def _waivers(f: Figures) -> str:
    return (
        f"{f['waivers']} waiver(s) weighed, {f['waivers_applied']} applied; every one names "
        f"its reason and expiry ({f['waivers_without_approver']} without an approver, "
        f"{f['waivers_expired_seen']} seen expired and so no longer applied); "
        f"{f['overrides']} break-glass override(s), each with who, when and why."
    )


def _log(f: Figures) -> str:
    checked = (
        f"{f['receipts_verified']} verified against a signed checkpoint, "
        f"{f['receipts_failed']} failed"
        if f["receipts"]
        else "none present"
    )
    signatures = (
        f"{f['signatures_valid']} signature(s) valid, {f['signatures_invalid']} invalid"
        if f["signatures_checked"]
        else "signatures not checked at export (no key given)"
    )
    return (
        f"Each decision is a DSSE-signed in-toto statement ({signatures}); "
        f"{f['receipts']} carry a transparency-log receipt ({checked}); "
        f"{f['checkpoints']} distinct signed checkpoint(s)."
    )


_ALL = ("decisions/", "manifest.json")
_LOG = ("decisions/", "receipts/", "checkpoints/")

CONTROLS: dict[str, tuple[Control, ...]] = {
    "iso27001": (
        Control(
            "A.8.8",
            "Management of technical vulnerabilities",
            lambda f: (
                _kind(f, "vulnerability", "dependency vulnerability")
                + f" Severities: {_sev(f)}. Advisory databases recorded per decision. "
                + _waivers(f)
            ),
            (*_ALL, "waivers.json"),
        ),
        Control("A.8.25", "Secure development life cycle", _runs, _ALL),
        Control(
            "A.8.28",
            "Secure coding",
            lambda f: (
                _kind(f, "code", "static analysis (SARIF)")
                + " "
                + _kind(f, "secret", "leaked credential")
            ),
            _ALL,
        ),
        Control(
            "A.8.29",
            "Security testing in development and acceptance",
            lambda f: _runs(f) + f" Scanners run: {', '.join(f['scanners']) or 'none recorded'}.",
            _ALL,
        ),
        Control(
            "A.8.32",
            "Change management",
            lambda f: _runs(f) + " Each decision names its commit. " + _waivers(f),
            (*_ALL, "overrides.json", "waivers.json", "policies.json"),
        ),
        Control(
            "A.5.21",
            "Managing information security in the ICT supply chain",
            lambda f: (
                f"{f['packages_checked']} third-party package version(s) checked "
                "against advisories across the decisions. "
                + _kind(f, "vulnerability", "dependency vulnerability")
            ),
            _ALL,
        ),
        Control(
            "A.8.9",
            "Configuration management",
            lambda f: (
                _kind(f, "misconfiguration", "infrastructure misconfiguration")
                + f" {f['policies']} gate policy version(s) in force, each by digest."
            ),
            (*_ALL, "policies.json"),
        ),
        Control("A.8.15", "Logging", _log, _LOG),
    ),
    "soc2": (
        Control(
            "CC7.1",
            "Detection and monitoring of vulnerabilities and configuration changes",
            lambda f: (
                _kind(f, "vulnerability", "vulnerability")
                + " "
                + _kind(f, "misconfiguration", "misconfiguration")
                + f" Severities: {_sev(f)}."
            ),
            _ALL,
        ),
        Control(
            "CC8.1",
            "Changes are authorized, tested and approved before implementation",
            lambda f: _runs(f) + " " + _waivers(f) + " " + _log(f),
            (*_ALL, "overrides.json", "waivers.json", "receipts/"),
        ),
    ),
    "pci-dss": (
        Control(
            "6.3.1",
            "Security vulnerabilities are identified and managed",
            lambda f: (
                _kind(f, "vulnerability", "vulnerability")
                + f" Risk ranking by severity: {_sev(f)}."
            ),
            _ALL,
        ),
        Control(
            "6.3.2",
            "An inventory of bespoke and third-party software components is maintained",
            lambda f: (
                f"{f['packages_checked']} component version(s) inventoried in the "
                "gate runs (the JSON report of each run, named by digest, lists them)."
            ),
            _ALL,
        ),
        Control(
            "6.3.3",
            "System components are protected from known vulnerabilities",
            lambda f: (
                f"{f['blocking_by_kind'].get('vulnerability', 0)} vulnerability "
                "finding(s) blocked a release; " + _waivers(f)
            ),
            (*_ALL, "waivers.json"),
        ),
        Control(
            "6.5.1",
            "Changes to system components are managed",
            lambda f: _runs(f) + " " + _log(f),
            (*_ALL, "receipts/", "overrides.json"),
        ),
        Control(
            "8.6.2",
            "Passwords for application and system accounts are not hard-coded",
            lambda f: (
                _kind(f, "secret", "hard-coded credential")
                + " Secrets never leave the gate in clear: findings carry a masked preview "
                "and a keyed hash."
            ),
            _ALL,
        ),
    ),
}

CANNOT_EVIDENCE: dict[str, tuple[str, ...]] = {
    "common": (
        "That every production release went through the gate: the pack holds the decisions "
        "that were made and signed; a pipeline that skipped the gate leaves no decision, so "
        "compare the commits here with your deployment records.",
        "That the deployed artifact is the one gated, unless decisions name artifact "
        "digests (--subject) and your deployment checks them with glasshouse verify.",
        "Findings outside what the scanners read: unsupported ecosystems and formats, "
        "vulnerabilities without a published advisory, runtime and infrastructure state.",
        "That the transparency log was not shown differently to someone else (a split "
        "view): consistency is proved only between the checkpoints someone kept and compared.",
        "Who held the signing key: a valid signature shows the key signed, not which "
        "person or pipeline used it; protect it as a CI secret.",
    ),
    "iso27001": (
        "A.8.8: remediation in production within target times, and asset ownership; "
        "A.8.28 and A.8.25: secure-coding training, design reviews and code review.",
        "A.8.15: logging of production systems; only the gate's own decisions are logged here.",
    ),
    "soc2": (
        "CC8.1: approval of the change itself (code review, change tickets) beyond the "
        "waivers and overrides recorded by the gate.",
        "CC7.1: monitoring of running systems and configuration drift after deployment.",
    ),
    "pci-dss": (
        "6.3.3: installation of patches on production systems within one month; the gate "
        "shows vulnerable versions were blocked or waived, not when systems were patched.",
        "6.3.2: components outside the lockfiles and SBOMs the gate read.",
        "8.6.2: credentials kept outside the repository (interactive logins, vaults) and "
        "rotation of those found.",
    ),
}


def controls(framework: str, f: Figures) -> list[dict[str, Any]]:
    if framework not in CONTROLS:
        raise PackError(f"unknown framework {framework!r} (known: {', '.join(FRAMEWORKS)})")
    return [
        {"id": c.id, "title": c.title, "evidence": c.evidence(f), "files": list(c.files)}
        for c in CONTROLS[framework]
    ]


def cannot_evidence(framework: str) -> list[str]:
    return [*CANNOT_EVIDENCE["common"], *CANNOT_EVIDENCE.get(framework, ())]


FRAMEWORK_NAMES = {
    "iso27001": "ISO/IEC 27001:2022 Annex A",
    "soc2": "SOC 2 (Trust Services Criteria 2017)",
    "pci-dss": "PCI DSS 4.0",
}


# -- the zip -----------------------------------------------------------------------------
def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = [row.get(c) for c in columns]
        cells = [
            "; ".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v)
            for v in values
        ]
        # a cell starting with = + - @ is a formula to a spreadsheet: quote it as text
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
    return out.getvalue().encode("utf-8")


WAIVER_COLUMNS = (
    "id", "rule", "package", "path", "owner", "approver", "ticket", "reason", "created",
    "expires", "statuses", "decisions", "findings_covered", "first_seen", "last_seen", "source",
)  # fmt: skip


def build(
    found: Collection,
    framework: str,
    out: Path,
    *,
    tool_version: str,
    generated_at: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """Write the pack to ``out`` (a zip); its manifest. ``extra_files`` (name: bytes) are
    added as they are and listed in the manifest (the server adds its own data there)."""
    f = figures(found)
    mapped = controls(framework, f)
    generated = generated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    files: dict[str, bytes] = {}
    for number, record in enumerate(found.records, 1):
        commit = (record.decision.commits or ("artifact",))[0][:12]
        stem = f"{number:05d}-{commit}"
        files[f"decisions/{stem}.intoto.json"] = record.envelope.to_json().encode("utf-8")
        if record.receipt is not None:
            files[f"receipts/{stem}.receipt.json"] = record.receipt.to_json().encode("utf-8")
    for note in sorted({r.receipt.checkpoint for r in found.records if r.receipt is not None}):
        try:
            checkpoint = peek(note)
            files[f"checkpoints/{checkpoint.size:012d}-{sha256_hex(note.encode())[:8]}.txt"] = (
                note.encode("utf-8")
            )
        except CheckpointError:
            continue
    register = waiver_register(found.records)
    files["waivers.json"] = _json(register)
    files["waivers.csv"] = _csv(register, WAIVER_COLUMNS)
    files["policies.json"] = _json(policy_versions(found.records))
    files["overrides.json"] = _json(overrides(found.records))
    summary = {
        "schema_version": PACK_SCHEMA_VERSION,
        "framework": framework,
        "framework_name": FRAMEWORK_NAMES[framework],
        "period": {"from": found.start.isoformat(), "to": found.end.isoformat()},
        "generated_at": generated,
        "tool": {"name": "glasshouse", "version": tool_version},
        "figures": f,
        "controls": mapped,
        "cannot_evidence": cannot_evidence(framework),
        "skipped": [{"file": name, "reason": why} for name, why in found.skipped],
    }
    files["controls.json"] = _json(summary)
    files["report.html"] = render_html(summary, found).encode("utf-8")
    for name, data in (extra_files or {}).items():
        if name in files or name == "manifest.json" or name.startswith("/") or ".." in name:
            raise PackError(f"{name}: not a name an extra file may take")
        files[name] = data
    manifest = {
        "schema_version": PACK_SCHEMA_VERSION,
        "framework": framework,
        "period": summary["period"],
        "generated_at": generated,
        "files": {name: sha256_hex(data) for name, data in sorted(files.items())},
    }
    files["manifest.json"] = _json(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    tmp.replace(out)
    return manifest


_STYLE = (
    "body{font:14px/1.5 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#1b1f24}"
    "table{border-collapse:collapse;width:100%;margin:1em 0}"
    "th,td{border:1px solid #d0d7de;padding:.4em .6em;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}.pass{color:#1a7f37}.fail{color:#cf222e}"
    "code{font-size:90%}.cannot{background:#fff8c5;padding:.5em 1em;border-radius:6px}"
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _override_text(override: Mapping[str, Any]) -> str:
    return f"{override.get('actor', '')}: {override.get('reason', '')}" if override else ""


def _cell(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def render_html(summary: Mapping[str, Any], found: Collection) -> str:
    f = summary["figures"]
    rows = []
    for record in found.records:
        result = record.decision.result
        css = "pass" if record.decision.passed else "fail"
        override = record.detail.get("override") or {}
        signature = {True: "valid", False: "INVALID", None: "not checked"}[record.signature]
        logged = {True: "verified", False: "FAILED", None: "-"}[record.logged]
        rows.append(
            "<tr>"
            f"<td>{_e(record.decision.time_verified)}</td>"
            f"<td><code>{_e(', '.join(c[:12] for c in record.decision.commits) or '-')}</code></td>"
            f"<td>{_e(', '.join(s.name for s in record.decision.subjects))}</td>"
            f'<td class="{css}">{_e(result)}</td>'
            f"<td>{_e(_override_text(override))}</td>"
            f"<td>{_e(signature)}</td><td>{_e(logged)}</td>"
            "</tr>"
        )
    control_rows = "".join(
        f"<tr><th>{_e(c['id'])}</th><td>{_e(c['title'])}</td><td>{_e(c['evidence'])}</td>"
        f"<td>{_e(', '.join(c['files']))}</td></tr>"
        for c in summary["controls"]
    )
    waiver_rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_e(_cell(w[k]))}</td>"
            for k in ("id", "rule", "owner", "approver", "expires", "statuses", "reason")
        )
        + "</tr>"
        for w in waiver_register(found.records)
    )
    cannot = "".join(f"<li>{_e(item)}</li>" for item in summary["cannot_evidence"])
    skipped = "".join(
        f"<li><code>{_e(s['file'])}</code>: {_e(s['reason'])}</li>" for s in summary["skipped"]
    )
    period = summary["period"]
    title = f"Evidence pack: {summary['framework_name']}, {period['from']} to {period['to']}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f"<p>Generated {_e(summary['generated_at'])} by Glasshouse "
        f"{_e(summary['tool']['version'])}. "
        "Every file of this pack is listed with its SHA-256 in <code>manifest.json</code>; "
        "each decision can be verified offline with <code>glasshouse verify</code>.</p>"
        "<h2>Figures</h2><table><tbody>"
        f"<tr><th>Gate decisions</th><td>{_e(f['decisions'])} ({_e(f['passed'])} passed, "
        f"{_e(f['failed'])} failed)</td></tr>"
        f"<tr><th>Commits</th><td>{_e(f['commits'])}</td></tr>"
        f"<tr><th>Signatures</th><td>{_e(_log(f))}</td></tr>"
        f"<tr><th>Findings by severity</th><td>{_e(_sev(f))}</td></tr>"
        f"<tr><th>Waivers and overrides</th><td>{_e(_waivers(f))}</td></tr>"
        "</tbody></table>"
        "<h2>Controls</h2><table><thead><tr><th>Control</th><th>Title</th><th>Evidence</th>"
        f"<th>Files</th></tr></thead><tbody>{control_rows}</tbody></table>"
        f'<h2>What this pack cannot evidence</h2><div class="cannot"><ul>{cannot}</ul></div>'
        "<h2>Waiver register</h2><table><thead><tr><th>Id</th><th>Rule</th><th>Owner</th>"
        "<th>Approver</th><th>Expires</th><th>Status</th><th>Reason</th></tr></thead>"
        f"<tbody>{waiver_rows}</tbody></table>"
        "<h2>Decisions</h2><table><thead><tr><th>Time</th><th>Commit</th><th>Subject</th>"
        "<th>Result</th><th>Override</th><th>Signature</th><th>Log</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        + (f"<h2>Files not used</h2><ul>{skipped}</ul>" if skipped else "")
        + "</body></html>\n"
    )
