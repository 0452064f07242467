"""The evidence commands: keys, signed decisions from ``scan``, ``verify``, evidence packs.

Kept apart from ``main.py`` so that each part of the CLI stays small; ``main.py``
registers these commands and calls ``prepare_signing``/``write_attestation`` from scan.
Exit codes of ``verify``: 0 every check held, 1 a check failed (the reason is printed),
3 usage (a missing file, a key that cannot be read).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.text import Text

from glasshouse import __version__
from glasshouse.model import ExitCode, Report

# The evidence modules (and ``cryptography``) are imported where used, not here: a scan
# that signs nothing, and every other command, never pays for loading them.
if TYPE_CHECKING:
    from glasshouse.evidence import attestation as att
    from glasshouse.evidence.keys import SigningKey
    from glasshouse.evidence.verify import LogTrust, Outcome
    from glasshouse.gate.policy import Policy

err = Console(stderr=True, highlight=False, markup=False)
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
FRAMEWORKS = ("iso27001", "soc2", "pci-dss")  # glasshouse.evidence.pack.FRAMEWORKS


class EvidenceUsage(Exception):
    """A usage error of an evidence option: the CLI prints it and exits 3."""


def _fail(message: str, code: ExitCode) -> int:
    err.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    return int(code)


# -- scan --sign-key ---------------------------------------------------------------------
@dataclass(frozen=True)
class SigningPlan:
    key: SigningKey
    attestation: Path
    subjects: tuple[att.Subject, ...]
    resource_uri: str
    source: Mapping[str, object]


def prepare_signing(
    target: Path,
    sign_key: Path | None,
    attestation: Path | None,
    subject_files: Sequence[Path],
    commit: str | None,
) -> SigningPlan | None:
    """Check the signing options before the scan; None when no signing was asked."""
    if sign_key is None and attestation is None and not subject_files and commit is None:
        return None
    from glasshouse.evidence import attestation as att
    from glasshouse.evidence.keys import KeyFileError, load_signing_key, too_open

    if sign_key is None or attestation is None:
        raise EvidenceUsage("--sign-key KEY and --attestation FILE go together")
    try:
        key = load_signing_key(sign_key)
    except KeyFileError as exc:
        raise EvidenceUsage(str(exc)) from None
    if too_open(sign_key):
        err.print(f"warning: {sign_key}: the private key is readable by others (chmod 600)")
    root = target if target.is_dir() else target.parent
    subjects: list[att.Subject] = []
    source: dict[str, object] = {}
    if commit is not None and att.is_commit_id(commit.lower()):
        resolved: str | None = commit.lower()
    else:
        resolved = att.resolve_commit(root, commit or "HEAD")
        if commit is not None and resolved is None:
            raise EvidenceUsage(f"--commit {commit}: not a commit of the repository at {root}")
    resource_uri = ""
    if resolved is not None:
        repository = att.repository_name(root)
        subjects.append(att.commit_subject(resolved, repository))
        resource_uri = att.commit_resource_uri(resolved, repository)
        source = {"repository": repository, "commit": resolved}
        dirty = att.worktree_dirty(root) if commit is None else None
        if dirty is not None:
            source["dirty"] = dirty
    for file in subject_files:
        if not file.is_file():
            raise EvidenceUsage(f"--subject {file}: no such file")
        subjects.append(att.file_subject(file))
    if not subjects:
        raise EvidenceUsage(
            f"{target}: not in a git repository, so the decision has no subject: "
            "give --commit SHA or --subject FILE"
        )
    if not resource_uri:
        resource_uri = f"urn:glasshouse:artifact:sha256:{subjects[0].digest['sha256']}"
    return SigningPlan(key, attestation, tuple(subjects), resource_uri, source)


def policy_inputs(policy: Policy) -> tuple[att.InputFile, ...]:
    from glasshouse.evidence import attestation as att

    return tuple(
        att.InputFile(Path(source).name, digest, uri=source, media_type="application/toml")
        for source, digest in zip(policy.sources, policy.source_digests, strict=False)
    )


def sarif_inputs(files: Sequence[Path]) -> tuple[att.InputFile, ...]:
    from glasshouse.evidence import attestation as att

    return tuple(
        att.InputFile(f.name, att.file_digest(f), uri=str(f), media_type="application/sarif+json")
        for f in files
        if f.is_file()
    )


def write_attestation(
    plan: SigningPlan,
    report: Report,
    report_json: str,
    *,
    report_uri: str | None,
    policy: Policy,
    scanners: Sequence[str],
    sarif: Sequence[Path],
    environ: Mapping[str, str] = os.environ,
) -> tuple[ExitCode, str]:
    """Sign the decision and write it: (PASSED, or INCOMPLETE when it cannot be written;
    the envelope's JSON, which ``scan --upload`` sends with the report)."""
    from glasshouse.evidence import attestation as att

    context = att.DecisionContext(
        subjects=plan.subjects,
        resource_uri=plan.resource_uri,
        report_json=report_json.encode("utf-8"),
        report_uri=report_uri,
        policy_sources=policy_inputs(policy),
        sarif=sarif_inputs(sarif),
        scanners=tuple(scanners),
        pipeline=att.ci_pipeline(environ),
        source=plan.source,
    )
    envelope = att.sign_statement(att.build_statement(report, context), plan.key)
    text = envelope.to_json()
    try:
        _write_atomically(plan.attestation, text)
    except OSError as exc:
        err.print(f"error: cannot write {plan.attestation}: {exc.strerror or exc}")
        return ExitCode.INCOMPLETE, text
    err.print(f"{plan.attestation}: decision signed by key {plan.key.keyid[:16]}...")
    return ExitCode.PASSED, text


def default_receipt_path(attestation: Path) -> Path:
    """Beside the attestation: decision.intoto.json -> decision.receipt.json."""
    name = attestation.name
    for suffix in (".intoto.json", ".json"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return attestation.with_name(name[: -len(suffix)] + ".receipt.json")
    return attestation.with_name(name + ".receipt.json")


def write_receipt(path: Path, receipt: Mapping[str, object]) -> ExitCode:
    try:
        _write_atomically(path, json.dumps(receipt, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        err.print(f"error: cannot write {path}: {exc.strerror or exc}")
        return ExitCode.INCOMPLETE
    err.print(f"{path}: the log's receipt (entry {receipt.get('leaf_index')})", soft_wrap=True)
    return ExitCode.PASSED


def _write_atomically(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(file)


# -- keys --------------------------------------------------------------------------------
@click.group("keys")
def keys_group() -> None:
    """Ed25519 keys for signing gate decisions (and a log's checkpoints)."""


@keys_group.command("generate")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for glasshouse.key (private, mode 0600) and glasshouse.pub.",
)
@click.option("--force", is_flag=True, help="Replace keys that already exist there.")
def keys_generate(out: Path, force: bool) -> int:
    """Write a new key pair: DIR/glasshouse.key (keep it secret) and DIR/glasshouse.pub."""
    from glasshouse.evidence.keys import KeyFileError, write_key_pair

    try:
        private, public, key = write_key_pair(out, force=force)
    except KeyFileError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    except OSError as exc:
        return _fail(f"{out}: cannot write the keys ({exc.strerror or exc})", ExitCode.USAGE)
    click.echo(f"private key: {private} (mode 0600: keep it secret, e.g. in a CI secret)")
    click.echo(f"public key:  {public} (give it to whoever verifies)")
    click.echo(f"key id:      {key.keyid}")
    return int(ExitCode.PASSED)


# -- verify ------------------------------------------------------------------------------
def _read(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise EvidenceUsage(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise EvidenceUsage(f"{path}: the {what} is too large")
    return data


def _log_trust(path: Path, origin: str | None) -> LogTrust:
    """A PEM public key, or a C2SP verifier key (name+hash+key) which also pins the name."""
    from glasshouse.evidence.keys import KeyFileError, load_verifying_key
    from glasshouse.evidence.note import NoteError, parse_vkey
    from glasshouse.evidence.verify import LogTrust

    data = _read(path, "log key")
    text = data.decode("utf-8", "replace").strip()
    if "-----BEGIN" not in text and text.count("+") >= 2:
        try:
            verifier = parse_vkey(text)
        except NoteError as exc:
            raise EvidenceUsage(f"{path}: {exc}") from None
        if origin is not None and origin != verifier.name:
            raise EvidenceUsage(
                f"--log-origin {origin} differs from the key's name {verifier.name}"
            )
        return LogTrust(verifier.key, verifier.name)
    try:
        return LogTrust(load_verifying_key(path), origin)
    except KeyFileError as exc:
        raise EvidenceUsage(str(exc)) from None


def _resolve_commit(value: str) -> str:
    from glasshouse.evidence import attestation as att

    if att.is_commit_id(value.lower()):
        return value.lower()
    resolved = att.resolve_commit(Path.cwd(), value)
    if resolved is None:
        raise EvidenceUsage(
            f"--commit {value}: give a full commit id (40 or 64 hex digits), or a revision "
            "of the git repository in the current directory"
        )
    return resolved


def _print_outcome(outcome: Outcome) -> int:
    for check in outcome.checks:
        mark = "ok    " if check.ok else "FAILED"
        click.echo(f"{mark}  {check.name}: {check.detail}")
    failure = outcome.failure
    if failure is not None:
        return _fail(f"verification failed: {failure.name}: {failure.detail}", ExitCode.FAILED)
    decision = outcome.decision
    if decision is not None:
        commits = ", ".join(decision.commits) or "-"
        click.echo(f"verified: {decision.result} at {decision.time_verified}, commit {commits}")
    else:
        click.echo("verified")
    return int(ExitCode.PASSED)


@click.command("verify")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    help="The signer's public key (PEM) that must have signed the decision.",
)
@click.option("--commit", default=None, help="The commit the decision must be about.")
@click.option(
    "--subject",
    "subject_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A file the decision must be about, by SHA-256 (repeatable).",
)
@click.option(
    "--log-key",
    "log_key",
    type=click.Path(path_type=Path),
    help="The transparency log's public key (PEM, or a name+hash+key verifier key).",
)
@click.option("--log-origin", default=None, help="The log's name its checkpoints must carry.")
@click.option(
    "--allow-failed",
    is_flag=True,
    help="Accept an authentic decision that the gate FAILED (auditing, not deploying).",
)
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Path(path_type=Path),
    help="With --consistency-proof: the older and the newer checkpoint (twice).",
)
@click.option(
    "--consistency-proof",
    "consistency",
    type=click.Path(path_type=Path),
    help="Check that the newer checkpoint's log extends the older one's.",
)
def verify_command(
    file: Path | None,
    key_file: Path | None,
    commit: str | None,
    subject_files: tuple[Path, ...],
    log_key: Path | None,
    log_origin: str | None,
    allow_failed: bool,
    checkpoints: tuple[Path, ...],
    consistency: Path | None,
) -> int:
    """Verify a signed gate decision (envelope or log receipt) or two checkpoints, offline.

    \b
    glasshouse verify decision.intoto.json --key glasshouse.pub --commit SHA
    glasshouse verify receipt.json --key glasshouse.pub --log-key log.pub
    glasshouse verify --checkpoint OLD --checkpoint NEW --consistency-proof P --log-key log.pub

    Exit codes: 0 every check held, 1 one failed (the reason is printed), 3 usage.
    """
    try:
        if consistency is not None or checkpoints:
            return _verify_consistency(file, checkpoints, consistency, log_key, log_origin)
        return _verify_file(
            file, key_file, commit, subject_files, log_key, log_origin, allow_failed
        )
    except EvidenceUsage as exc:
        return _fail(str(exc), ExitCode.USAGE)


def _verify_file(
    file: Path | None,
    key_file: Path | None,
    commit: str | None,
    subject_files: tuple[Path, ...],
    log_key: Path | None,
    log_origin: str | None,
    allow_failed: bool,
) -> int:
    from glasshouse.evidence import attestation as att
    from glasshouse.evidence.keys import KeyFileError, VerifyingKey, load_verifying_key
    from glasshouse.evidence.verify import Expectations, document_kind, verify_document

    if file is None:
        raise EvidenceUsage("give the FILE to verify (an envelope or a receipt)")
    if key_file is None:
        raise EvidenceUsage("--key PUB is required: the public key of whoever signs decisions")
    data = _read(file, "file")
    key: VerifyingKey
    try:
        key = load_verifying_key(key_file)
    except KeyFileError as exc:
        raise EvidenceUsage(str(exc)) from None
    kind = document_kind(data)
    if kind == "receipt" and log_key is None:
        raise EvidenceUsage(f"{file} is a log receipt: give --log-key to check its checkpoint")
    trust = _log_trust(log_key, log_origin) if log_key is not None else None
    artifacts = []
    for subject in subject_files:
        if not subject.is_file():
            raise EvidenceUsage(f"--subject {subject}: no such file")
        artifacts.append((subject.name, att.file_digest(subject)))
    expect = Expectations(
        commit=_resolve_commit(commit) if commit is not None else None,
        artifacts=tuple(artifacts),
        require_pass=not allow_failed,
    )
    return _print_outcome(verify_document(data, key, expect, trust))


def _verify_consistency(
    file: Path | None,
    checkpoints: tuple[Path, ...],
    consistency: Path | None,
    log_key: Path | None,
    log_origin: str | None,
) -> int:
    from glasshouse.evidence.checkpoint import CheckpointError
    from glasshouse.evidence.verify import verify_consistency

    if file is not None:
        raise EvidenceUsage("give either FILE or --checkpoint/--consistency-proof, not both")
    if len(checkpoints) != 2 or consistency is None:
        raise EvidenceUsage(
            "a consistency check takes --checkpoint OLD --checkpoint NEW --consistency-proof FILE"
        )
    if log_key is None:
        raise EvidenceUsage("--log-key PUB is required to check checkpoints")
    trust = _log_trust(log_key, log_origin)
    notes = [_read(p, "checkpoint").decode("utf-8", "replace") for p in checkpoints]
    proof_data = _read(consistency, "consistency proof")
    try:
        proof = json.loads(proof_data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        proof = {"error": str(exc)}
    try:
        outcome = verify_consistency(notes[0], notes[1], proof, trust)
    except CheckpointError as exc:  # pragma: no cover - verify_consistency reports these
        return _fail(str(exc), ExitCode.FAILED)
    return _print_outcome(outcome)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EvidenceUsage(f"{option} {value}: expected a date such as 2026-01-31") from None


# -- evidence export ---------------------------------------------------------------------
@click.group("evidence")
def evidence_group() -> None:
    """Audit evidence packs from signed gate decisions."""


@evidence_group.command("export")
@click.option("--from", "start", required=True, metavar="DATE", help="First day (YYYY-MM-DD).")
@click.option("--to", "end", required=True, metavar="DATE", help="Last day, included.")
@click.option(
    "--framework",
    required=True,
    type=click.Choice(FRAMEWORKS),
    help="The controls to map the evidence to.",
)
@click.option(
    "--receipts",
    "source",
    default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory of decisions: log receipts and/or DSSE envelopes (*.json).",
)
@click.option(
    "--server",
    "server_url",
    default=None,
    metavar="URL",
    help="Or: have the glass house build the pack from its data (token: $GLASSHOUSE_TOKEN, "
    "a personal token of an auditor, security or admin user).",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The zip to write.")
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    help="Check each decision's signature with this public key.",
)
@click.option(
    "--log-key",
    "log_key",
    type=click.Path(path_type=Path),
    help="Check each receipt's checkpoint and inclusion proof with the log's key.",
)
@click.option("--log-origin", default=None, help="The log's name its checkpoints must carry.")
def evidence_export(
    start: str,
    end: str,
    framework: str,
    source: Path | None,
    server_url: str | None,
    out: Path,
    key_file: Path | None,
    log_key: Path | None,
    log_origin: str | None,
) -> int:
    """Write an evidence pack (zip) of every decision from --from to --to, from a
    directory of receipts (--receipts) or from the glass house (--server).

    Exit codes: 0 written, 1 written but a decision's signature or log proof failed
    (named in the pack and here), 2 the server could not be asked, 3 usage.
    """
    from glasshouse.evidence import pack
    from glasshouse.evidence.keys import KeyFileError, load_verifying_key

    if (source is None) == (server_url is None):
        return _fail("give --receipts DIR or --server URL", ExitCode.USAGE)
    if server_url is not None:
        if key_file is not None or log_key is not None:
            return _fail(
                "--server checks every signature and log proof itself; "
                "verify the pack's receipts offline with glasshouse verify",
                ExitCode.USAGE,
            )
        return _export_from_server(server_url, start, end, framework, out)
    assert source is not None
    try:
        first, last = parse_day(start, "--from"), parse_day(end, "--to")
        key = None
        if key_file is not None:
            try:
                key = load_verifying_key(key_file)
            except KeyFileError as exc:
                raise EvidenceUsage(str(exc)) from None
        if log_key is not None and key is None:
            raise EvidenceUsage("--log-key checks receipts of signed decisions: give --key too")
        trust = _log_trust(log_key, log_origin) if log_key is not None else None
        found = pack.collect(source, first, last, key=key, log=trust)
    except (EvidenceUsage, pack.PackError) as exc:
        return _fail(str(exc), ExitCode.USAGE)
    try:
        pack.build(found, framework, out, tool_version=__version__)
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc.strerror or exc}", ExitCode.INCOMPLETE)
    figures = pack.figures(found)
    click.echo(
        f"{out}: {figures['decisions']} decision(s) ({figures['passed']} passed, "
        f"{figures['failed']} failed), {figures['receipts']} receipt(s), "
        f"{figures['waivers']} waiver(s), {figures['overrides']} override(s)"
    )
    for name, why in found.skipped:
        err.print(f"warning: {name}: not used: {why}", soft_wrap=True)
    bad = [r for r in found.records if r.signature is False or r.logged is False]
    for record in bad:
        what = "signature" if record.signature is False else "log proof"
        err.print(f"error: {record.source}: the {what} does not verify", soft_wrap=True)
    return int(ExitCode.FAILED if bad else ExitCode.PASSED)


def _export_from_server(url: str, start: str, end: str, framework: str, out: Path) -> int:
    import zipfile

    from glasshouse.client import TOKEN_VARIABLE, Client, ClientError

    try:
        first, last = parse_day(start, "--from"), parse_day(end, "--to")
    except EvidenceUsage as exc:
        return _fail(str(exc), ExitCode.USAGE)
    try:
        with Client(url, os.environ.get(TOKEN_VARIABLE, ""), timeout=600) as client:
            data = client.evidence_pack(first.isoformat(), last.isoformat(), framework)
    except ClientError as exc:
        return _fail(str(exc), ExitCode.INCOMPLETE)
    try:
        _write_bytes_atomically(out, data)
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc.strerror or exc}", ExitCode.INCOMPLETE)
    try:
        with zipfile.ZipFile(out) as archive:
            summary = json.loads(archive.read("controls.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        return _fail(f"{out}: the server's answer is not an evidence pack ({exc})", ExitCode.FAILED)
    figures = summary.get("figures", {})
    click.echo(
        f"{out}: {figures.get('decisions')} decision(s) ({figures.get('passed')} passed, "
        f"{figures.get('failed')} failed), {figures.get('receipts_verified')} receipt(s) "
        f"verified, {figures.get('waivers')} waiver(s), {figures.get('overrides')} override(s)"
    )
    bad = int(figures.get("signatures_invalid") or 0) + int(figures.get("receipts_failed") or 0)
    if bad:
        return _fail(f"{bad} decision(s) failed their signature or log proof", ExitCode.FAILED)
    return int(ExitCode.PASSED)


def _write_bytes_atomically(file: Path, data: bytes) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(file)


def register(cli: click.Group) -> None:
    cli.add_command(keys_group)
    cli.add_command(verify_command)
    cli.add_command(evidence_group)
