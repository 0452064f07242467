"""The command line: the only place that prints and exits.

Exit codes of ``scan`` (DESIGN.md): 0 gate passed, 1 gate failed on policy,
2 incomplete, 3 usage or configuration error.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from glasshouse import __version__
from glasshouse.advisories.store import AdvisoryStore, StoreError
from glasshouse.cli import evidence as evidence_cli
from glasshouse.cli import progress as progress_display
from glasshouse.cli import remote
from glasshouse.config import DEFAULT_MAX_DB_AGE_HOURS, cache_dir, ci_actor, osv_base_url
from glasshouse.ecosystems import DEFAULT_UPDATE_ECOSYSTEMS
from glasshouse.gate.baseline import Baseline, BaselineError, load_baseline, render_baseline
from glasshouse.gate.policy import (
    POLICY_FILENAME,
    Policy,
    PolicyError,
    find_repository_policy,
    load_policy,
    render_policy,
)
from glasshouse.iac import catalogue as iac_catalogue
from glasshouse.model import ExitCode, Report
from glasshouse.report.registry import RENDERERS
from glasshouse.report.table import write as write_table
from glasshouse.scan import ScanOptions, run_scan
from glasshouse.scanners.base import Scanner
from glasshouse.scanners.registry import SCANNERS
from glasshouse.secrets.git import RevisionError, revision_arguments

# markup=False everywhere: messages carry user paths and advisory text, never rich markup
err = Console(stderr=True, highlight=False, markup=False)


def _fail(message: str, code: ExitCode) -> int:
    err.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    return int(code)


def _parse_outputs(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    outputs = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or not file:
            raise click.BadParameter(f"{value!r}: expected FORMAT=FILE", param_hint="--output")
        if fmt not in RENDERERS:
            known = ", ".join(sorted(RENDERERS))
            raise click.BadParameter(
                f"unknown format {fmt!r} (known: {known})", param_hint="--output"
            )
        outputs.append((fmt, Path(file)))
    return outputs


class _LazyGroup(click.Group):
    """Loads the modules of some commands only when they run or are listed: the
    server's (SQLAlchemy, FastAPI, argon2) would add half a second to every scan."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "server": ("glasshouse.cli.server", "server"),
        "waiver": ("glasshouse.cli.server", "waiver"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, name = self.LAZY[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="glasshouse")
def cli() -> None:
    """Glasshouse: a security quality gate for the delivery pipeline."""


def _scan_options(command: Callable[..., int]) -> Callable[..., int]:
    """The options every command that runs a scan shares (scan, baseline create)."""
    options = [
        click.argument("path", default=".", type=click.Path(path_type=Path)),
        click.option("--offline", is_flag=True, help="Never touch the network."),
        click.option(
            "--max-db-age",
            type=float,
            default=DEFAULT_MAX_DB_AGE_HOURS,
            show_default=True,
            metavar="HOURS",
            help="Refresh downloaded advisories older than this (unless --offline).",
        ),
        click.option(
            "--policy",
            "policy_file",
            type=click.Path(path_type=Path),
            default=None,
            help=f"Repository policy (default: {POLICY_FILENAME} at the root of PATH).",
        ),
        click.option(
            "--org-policy",
            default=None,
            envvar="GLASSHOUSE_ORG_POLICY",
            metavar="PATH|URL",
            help="Organization policy that the repository policy may only tighten "
            "($GLASSHOUSE_ORG_POLICY).",
        ),
        click.option(
            "--sarif",
            "sarif",
            multiple=True,
            type=click.Path(path_type=Path),
            metavar="FILE",
            help="Judge another tool's SARIF 2.1.0 findings under the same policy (repeatable).",
        ),
        click.option(
            "--scanners",
            default=None,
            metavar="NAMES",
            help="Run only these scanners, comma-separated "
            f"({', '.join(s.name for s in SCANNERS)}).",
        ),
        click.option(
            "--staged",
            is_flag=True,
            help="Look for secrets in what the git index adds, not the working tree "
            "(a pre-commit hook).",
        ),
        click.option(
            "--history",
            default=None,
            is_flag=False,
            flag_value="",
            metavar="[A..B]",
            help="Also look for secrets in every line git history added: all refs, or a "
            "range such as origin/main..HEAD.",
        ),
        click.option("--no-progress", is_flag=True, help="Never show a progress display."),
    ]

    @functools.wraps(command)
    def with_shared(**kwargs: Any) -> int:
        shared = SharedScanOptions(**{name: kwargs.pop(name) for name in _SHARED_NAMES})
        return command(shared, **kwargs)

    wrapped: Callable[..., int] = with_shared
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


@dataclass(frozen=True, slots=True)
class SharedScanOptions:
    """What every command that runs a scan takes from its command line."""

    path: Path
    offline: bool
    max_db_age: float
    policy_file: Path | None
    org_policy: str | None
    sarif: tuple[Path, ...]
    scanners: str | None
    staged: bool
    history: str | None
    no_progress: bool


_SHARED_NAMES = tuple(f.name for f in fields(SharedScanOptions))


def _usage_problem(shared: SharedScanOptions) -> str | None:
    """What is wrong with the shared options, before any work."""
    if not shared.path.exists():
        return f"{shared.path}: no such file or directory"
    if shared.staged and shared.history is not None:
        return "--staged and --history look at different things: use one"
    try:
        revision_arguments(shared.history or None)
        select_scanners(shared.scanners)
    except RevisionError as exc:
        return f"--history: {exc}"
    except ValueError as exc:
        return f"--scanners: {exc}"
    return None


def select_scanners(names: str | None) -> tuple[Scanner, ...]:
    """The registered scanners named (all when ``names`` is None); ValueError if unknown."""
    if names is None:
        return SCANNERS
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {s.name: s for s in SCANNERS}
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        raise ValueError(f"unknown {unknown or names!r}; known: {', '.join(known)}")
    return tuple(known[n] for n in wanted)


def _policy(path: Path, policy_file: Path | None, org_policy: str | None) -> Policy:
    repository = policy_file or find_repository_policy(path)
    return load_policy(str(repository) if repository else None, org_policy)


def _run(
    shared: SharedScanOptions,
    policy: Policy,
    *,
    baseline: Baseline | None = None,
    override: str | None = None,
) -> Report:
    options = ScanOptions(
        target=shared.path,
        cache_dir=cache_dir(),
        offline=shared.offline,
        base_url=osv_base_url(),
        max_db_age_hours=shared.max_db_age,
        policy=policy,
        baseline=baseline,
        override=override,
        actor=ci_actor(),
        sarif=shared.sarif,
        staged=shared.staged,
        history=shared.history,
    )
    with progress_display.display(progress_display.wanted(shared.no_progress)) as hook:
        return run_scan(options, progress=hook, scanners=select_scanners(shared.scanners))


@cli.command()
@_scan_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="table",
    show_default=True,
    help="What to print on stdout.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT=FILE",
    help="Also write a report to FILE (repeatable), e.g. --output json=report.json.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Compare with this baseline: new, existing and fixed findings "
    '(with scope = "new", only new ones block).',
)
@click.option(
    "--override",
    default=None,
    metavar="REASON",
    help="Break-glass: pass a failing gate, if the policy allows it; recorded with who and why.",
)
@click.option(
    "--sign-key",
    type=click.Path(path_type=Path),
    default=None,
    metavar="KEY",
    help="Sign the decision with this Ed25519 private key (PEM; see `glasshouse keys`).",
)
@click.option(
    "--attestation",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the signed decision (DSSE envelope of an in-toto statement) to FILE.",
)
@click.option(
    "--subject",
    "subject_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="An artifact the decision is about, by SHA-256 (repeatable).",
)
@click.option(
    "--commit",
    default=None,
    metavar="SHA",
    help="The commit the decision is about (default: HEAD of the scanned repository).",
)
@click.option(
    "--server",
    "server_url",
    default=None,
    metavar="URL",
    help="Take the organization policy, approved waivers and branch baseline from the glass "
    "house (token: $GLASSHOUSE_TOKEN).",
)
@click.option(
    "--upload",
    "upload_url",
    default=None,
    metavar="URL",
    help="Send the report to the glass house (token: $GLASSHOUSE_TOKEN).",
)
@click.option(
    "--receipt",
    "receipt_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="With --upload and --sign-key: write the log's receipt of the decision to FILE "
    "(default: beside --attestation, NAME.receipt.json).",
)
@click.option("--project", default=None, envvar="GLASSHOUSE_PROJECT", metavar="SLUG")
def scan(
    shared: SharedScanOptions,
    fmt: str,
    outputs: tuple[str, ...],
    baseline_file: Path | None,
    override: str | None,
    sign_key: Path | None,
    attestation: Path | None,
    subject_files: tuple[Path, ...],
    commit: str | None,
    server_url: str | None,
    upload_url: str | None,
    receipt_file: Path | None,
    project: str | None,
) -> int:
    """Scan PATH (default: the current directory) and exit with the gate's verdict.

    Exit codes: 0 passed, 1 failed on policy, 2 incomplete, 3 usage error.
    """
    targets = _parse_outputs(outputs)
    if override is not None and not override.strip():
        return _fail("--override needs a reason", ExitCode.USAGE)
    wrong = _usage_problem(shared)
    if wrong:
        return _fail(wrong, ExitCode.USAGE)
    if server_url and shared.org_policy:
        return _fail("--server brings the organization policy: drop --org-policy", ExitCode.USAGE)
    if receipt_file is not None and not (upload_url and sign_key):
        return _fail(
            "--receipt comes from --upload of a decision signed with --sign-key", ExitCode.USAGE
        )
    try:
        policy = _policy(shared.path, shared.policy_file, shared.org_policy)
        baseline = load_baseline(baseline_file) if baseline_file else None
        if server_url:
            gate = remote.fetch_gate(server_url, project, shared.path, shared.policy_file)
            policy, baseline = gate.policy, baseline or gate.baseline
        signing = evidence_cli.prepare_signing(
            shared.path, sign_key, attestation, subject_files, commit
        )
    except (PolicyError, BaselineError, evidence_cli.EvidenceUsage) as exc:
        return _fail(str(exc), ExitCode.USAGE)
    except remote.ClientError as exc:  # fail closed: no policy, no gate
        return _fail(str(exc), ExitCode.INCOMPLETE)
    report = _run(shared, policy, baseline=baseline, override=override)
    rendered: dict[str, str] = {}

    def render(out_fmt: str) -> str:
        if out_fmt not in rendered:
            rendered[out_fmt] = RENDERERS[out_fmt](report)
        return rendered[out_fmt]

    if fmt == "table":
        # CI logs are wide: rich's 80-column default for non-terminals would fold titles
        width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
        write_table(report, Console(highlight=False, markup=False, width=width))
    else:
        sys.stdout.write(render(fmt))
    code = report.decision.exit_code
    for out_fmt, file in targets:
        try:
            _write_atomically(file, render(out_fmt))
        except OSError as exc:
            err.print(f"error: cannot write {file}: {exc.strerror or exc}")
            code = max(code, ExitCode.INCOMPLETE)
    scanners = [s.name for s in select_scanners(shared.scanners)]
    scanners += ["sarif"] if shared.sarif else []
    envelope_json = None
    if signing is not None:
        json_files = [str(file) for out_fmt, file in targets if out_fmt == "json"]
        written, envelope_json = evidence_cli.write_attestation(
            signing,
            report,
            render("json"),
            report_uri=json_files[0] if json_files else None,
            policy=policy,
            scanners=scanners,
            sarif=shared.sarif,
        )
        code = max(code, written)
    if upload_url:
        try:
            uploaded = remote.upload(
                upload_url,
                project,
                render("json"),
                shared.path,
                tuple(scanners),
                envelope_json=envelope_json,
            )
            err.print(uploaded.line, soft_wrap=True)
        except remote.ClientError as exc:
            err.print(f"error: {exc}", soft_wrap=True)
            code = max(code, ExitCode.INCOMPLETE)
        else:
            if signing is not None:
                if uploaded.receipt is None:
                    err.print("error: the server answered without a receipt for the decision")
                    code = max(code, ExitCode.INCOMPLETE)
                else:
                    target = receipt_file or evidence_cli.default_receipt_path(signing.attestation)
                    code = max(code, evidence_cli.write_receipt(target, uploaded.receipt))
    return int(code)


@cli.group()
def baseline() -> None:
    """Record today's findings, so that a gate can judge only new ones."""


@baseline.command("create")
@_scan_options
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write the baseline (JSON).",
)
def baseline_create(shared: SharedScanOptions, output: Path) -> int:
    """Scan PATH and write the fingerprints of every finding to a baseline file.

    Exits 2 (and writes nothing) when the scan is incomplete: a baseline that
    misses findings would let them through later as "existing".
    """
    wrong = _usage_problem(shared)
    if wrong:
        return _fail(wrong, ExitCode.USAGE)
    try:
        policy = _policy(shared.path, shared.policy_file, shared.org_policy)
    except PolicyError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    report = _run(shared, policy)
    blocking = [p for p in report.problems if p.blocking]
    if blocking:
        for problem in blocking:
            err.print(f"error: {problem}", soft_wrap=True)
        return _fail("the scan is incomplete; no baseline written", ExitCode.INCOMPLETE)
    try:
        _write_atomically(output, render_baseline(report))
    except OSError as exc:
        return _fail(f"cannot write {output}: {exc.strerror or exc}", ExitCode.INCOMPLETE)
    err.print(f"{output}: baseline of {len(report.findings)} finding(s)")
    return int(ExitCode.PASSED)


@cli.group("policy")
def policy_group() -> None:
    """Inspect the policy in force."""


@policy_group.command("show")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--policy", "policy_file", type=click.Path(path_type=Path), default=None)
@click.option("--org-policy", default=None, envvar="GLASSHOUSE_ORG_POLICY", metavar="PATH|URL")
def policy_show(path: Path, policy_file: Path | None, org_policy: str | None) -> int:
    """Print the merged policy for PATH: every setting, where it came from, and any
    repository setting the organization policy did not allow."""
    try:
        policy = _policy(path, policy_file, org_policy)
    except PolicyError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    sys.stdout.write(render_policy(policy))
    return int(ExitCode.PASSED)


def _write_atomically(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(file)


@cli.group()
def db() -> None:
    """Manage the local OSV advisory database."""


@db.command("update")
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Where the exports live: <URL>/<ECOSYSTEM>/all.zip (default: osv.dev's bucket, "
    "or $GLASSHOUSE_OSV_URL).",
)
@click.option(
    "--ecosystem",
    "ecosystems",
    multiple=True,
    metavar="NAME",
    help="Ecosystem to fetch (repeatable; default: every one a lockfile parser reads).",
)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def db_update(
    base_url: str | None, ecosystems: tuple[str, ...], timeout: float, no_progress: bool
) -> int:
    """Download the advisory exports that changed since the last update."""
    # Imported here, like the other commands' own modules: `scan` starts faster.
    from glasshouse.advisories.update import UpdateError, check_base_url, update_ecosystem

    url = base_url or osv_base_url()
    try:
        check_base_url(url)
    except ValueError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    store = AdvisoryStore.in_dir(cache_dir())
    failed = False
    with (
        store,
        progress_display.display(progress_display.wanted(no_progress), transfer=True) as hook,
    ):
        for ecosystem in ecosystems or DEFAULT_UPDATE_ECOSYSTEMS:
            try:
                result = update_ecosystem(store, url, ecosystem, timeout=timeout, progress=hook)
            except (UpdateError, StoreError) as exc:
                hook.print(f"error: {ecosystem}: {exc}")
                failed = True
                continue
            for line in result.errors:
                hook.print(f"warning: {ecosystem}: {line}")
            if result.imported is None:
                hook.print(f"{ecosystem}: unchanged")
            else:
                hook.print(
                    f"{ecosystem}: {result.imported.imported} advisories"
                    f" ({result.imported.withdrawn} withdrawn skipped)"
                )
    return int(ExitCode.INCOMPLETE if failed else ExitCode.PASSED)


@db.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def db_import(paths: tuple[Path, ...], no_progress: bool) -> int:
    """Import OSV zips, directories of OSV JSON files, or single JSON files."""
    from glasshouse.advisories.importer import ArchiveError, import_path

    store = AdvisoryStore.in_dir(cache_dir())
    incomplete = False
    with store, progress_display.display(progress_display.wanted(no_progress)) as hook:
        for path in paths:
            started = time.perf_counter()
            label = str(path)

            def on_entry(done: int, total: int, label: str = label) -> None:
                hook(label, done, total)

            try:
                result = import_path(store, path, progress=on_entry)
            except (ArchiveError, StoreError) as exc:
                hook.print(f"error: {exc}")
                incomplete = True
                continue
            for line in result.errors:
                hook.print(f"error: {path}: {line}")
            incomplete = incomplete or bool(result.errors)
            hook.print(
                f"{path}: {result.imported} advisories imported"
                f" ({result.withdrawn} withdrawn skipped, {len(result.errors)} rejected)"
                f" in {time.perf_counter() - started:.2f}s"
            )
    return int(ExitCode.INCOMPLETE if incomplete else ExitCode.PASSED)


@db.command("status")
def db_status() -> int:
    """Show the ecosystems, advisory counts and age of the local database."""
    store = AdvisoryStore.in_dir(cache_dir())
    out = Console(highlight=False, markup=False)
    if not store.path.exists():
        return _fail(
            f"no advisory database at {store.path}: run `glasshouse db update` "
            "(or `glasshouse db import PATH` offline)",
            ExitCode.INCOMPLETE,
        )
    try:
        with store:
            sources = store.sources()
            counts = store.ecosystem_counts()
    except StoreError as exc:
        return _fail(str(exc), ExitCode.INCOMPLETE)
    out.print(f"database: {store.path}")
    table = Table("ecosystem", "advisories", box=None, pad_edge=False)
    for ecosystem, count in sorted(counts.items()):
        table.add_row(ecosystem, str(count))
    out.print(table)
    table = Table(
        "source", "kind", "advisories", "checked", "newest advisory", box=None, pad_edge=False
    )
    now = time.time()
    for source in sources:
        hours = (now - source.fetched_at) / 3600
        age = f"{hours:.1f} h ago" if hours < 48 else f"{hours / 24:.0f} days ago"
        table.add_row(
            source.name, source.kind, str(source.advisory_count), age, source.newest_modified
        )
    out.print(table)
    return int(ExitCode.PASSED)


@cli.command()
@click.argument("ident", metavar="ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json: the OSV record(s) as stored, as one array.",
)
def explain(ident: str, fmt: str) -> int:
    """Show an advisory's details and fix from the local database, offline.

    ID is the advisory's own id or any alias: CVE-2023-43804 finds PYSEC-2023-192
    and every other record naming that CVE.

    An infrastructure check id (k8s-privileged-container) shows the catalogue entry:
    the fix, CWE and ISO/IEC 27001 mappings, and examples that fail and pass.

    Exit codes: 0 shown, 2 no advisory database, 3 unknown or not an advisory id.
    """
    from glasshouse.explain import ExplainError, find_records, render_json, render_text

    check = iac_catalogue.BY_ID.get(ident.strip())
    if check is not None:
        if fmt == "json":
            sys.stdout.write(iac_catalogue.render_json((check,)))
        else:
            sys.stdout.write(iac_catalogue.render_text(check))
        return int(ExitCode.PASSED)
    try:
        with AdvisoryStore.in_dir(cache_dir()) as store:
            records = find_records(store, ident)
    except StoreError as exc:
        return _fail(str(exc), ExitCode.INCOMPLETE)
    except ExplainError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    if fmt == "json":
        sys.stdout.write(render_json(records))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 100)
        sys.stdout.write(render_text(ident, records, width=width))
    return int(ExitCode.PASSED)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="table for people; markdown: the catalogue document; json: every field and example.",
)
def checks(fmt: str) -> int:
    """List the infrastructure checks: id, severity, format, title and mappings."""
    if fmt == "json":
        sys.stdout.write(iac_catalogue.render_json())
    elif fmt == "markdown":
        sys.stdout.write(iac_catalogue.render_markdown())
    else:
        table = Table(box=None, header_style="bold")
        for column in ("id", "severity", "format", "title", "CWE", "ISO/IEC 27001"):
            table.add_column(column, no_wrap=column != "title")
        for check in iac_catalogue.BY_ID.values():
            table.add_row(
                check.id,
                check.severity.label,
                iac_catalogue.format_name(check),
                check.title,
                check.cwe,
                ", ".join(check.iso27001),
            )
        Console(highlight=False, markup=False).print(table)
    return int(ExitCode.PASSED)


evidence_cli.register(cli)


def main() -> None:
    try:
        code = cli.main(prog_name="glasshouse", standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(int(ExitCode.USAGE))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug must not pass the gate, nor bury the log in a traceback
        if os.environ.get("GLASSHOUSE_DEBUG"):
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set GLASSHOUSE_DEBUG=1 for the traceback; please report it)",
            soft_wrap=True,
        )
        sys.exit(int(ExitCode.INCOMPLETE))
    sys.exit(code if isinstance(code, int) else 0)
