"""`glasshouse server ...` (run and administer the glass house) and `glasshouse waiver
request`. Registered from main.py."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from glasshouse.client import TOKEN_VARIABLE, Client, ClientError
from glasshouse.model import ExitCode
from glasshouse.storage import accounts, notify
from glasshouse.storage.db import (
    DATABASE_URL_VARIABLE,
    Database,
    DatabaseError,
    default_database_url,
    migrate,
    utcnow,
)
from glasshouse.storage.models import ROLES, User
from glasshouse.storage.notify import EVENTS, WebhookError

err = Console(stderr=True, highlight=False, markup=False)


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> int:
    err.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    return int(code)


def _database_option(command: Any) -> Any:
    return click.option(
        "--database-url",
        default=None,
        metavar="URL",
        help=f"postgresql://... or sqlite:///FILE (default: ${DATABASE_URL_VARIABLE}, "
        "else a SQLite file in the user data directory).",
    )(command)


def _database(ctx: click.Context, url: str | None) -> Database:
    chosen = url or (ctx.obj or {}).get("database_url") or default_database_url()
    try:
        return Database(chosen)
    except DatabaseError as exc:
        raise click.UsageError(str(exc)) from None


def _open(ctx: click.Context, url: str | None) -> Database:
    """The database, migrated to the newest schema."""
    db = _database(ctx, url)
    try:
        migrate(db)
    except Exception as exc:
        db.dispose()
        raise click.ClickException(f"{db.display_url()}: cannot migrate: {exc}") from None
    return db


@click.group("server", invoke_without_command=True)
@_database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-worker", is_flag=True, help="Do not run the job queue in this process.")
@click.option(
    "--max-upload-mb", default=32, show_default=True, type=int, help="Largest report accepted."
)
@click.option(
    "--log-origin",
    default=None,
    envvar="GLASSHOUSE_LOG_ORIGIN",
    metavar="NAME",
    help="The transparency log's name in its checkpoints, set on first start "
    "(default: <host name>/glasshouse-log); it never changes after.",
)
@click.option(
    "--log-key-file",
    default=None,
    envvar="GLASSHOUSE_LOG_KEY_FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The log's Ed25519 private key (PEM, mode 0600), kept out of the database; "
    "default: generated on first start and kept in the database.",
)
@click.pass_context
def server(
    ctx: click.Context,
    database_url: str | None,
    host: str,
    port: int,
    no_worker: bool,
    max_upload_mb: int,
    log_origin: str | None,
    log_key_file: Path | None,
) -> int:
    """Run the glass house (applying migrations first), or administer it."""
    ctx.ensure_object(dict)
    ctx.obj["database_url"] = database_url
    if ctx.invoked_subcommand is not None:
        return 0
    import uvicorn

    from glasshouse.server.app import create_app
    from glasshouse.server.settings import ServerSettings

    log_key = None
    if log_key_file is not None:
        from glasshouse.evidence.keys import KeyFileError, load_signing_key, too_open

        if too_open(log_key_file):
            return _fail(f"{log_key_file}: the log's private key is readable by others (chmod 600)")
        try:
            log_key = load_signing_key(log_key_file)
        except KeyFileError as exc:
            return _fail(str(exc))
    db = _open(ctx, database_url)
    try:
        from glasshouse.storage import tlog

        with db.write() as session:
            identity = tlog.ensure_identity(session, origin=log_origin, key=log_key)
    except tlog.LogSetupError as exc:
        db.dispose()
        return _fail(str(exc))
    settings = ServerSettings(
        database_url=db.url,
        worker=not no_worker,
        max_upload_bytes=max_upload_mb << 20,
        log_origin=identity.origin,
        log_key=log_key,
    )
    err.print(f"transparency log {identity.origin} (key {identity.key.keyid[:16]}...)")
    err.print(f"glass house on http://{host}:{port} with {db.display_url()}")
    uvicorn.run(
        create_app(settings, db),
        host=host,
        port=port,
        proxy_headers=True,
        log_level="info",
        server_header=False,
    )
    db.dispose()
    return 0


@server.command("migrate")
@_database_option
@click.pass_context
def migrate_command(ctx: click.Context, database_url: str | None) -> int:
    """Create or upgrade the schema, then exit."""
    db = _database(ctx, database_url)
    try:
        revision = migrate(db)
    except Exception as exc:
        return _fail(f"{db.display_url()}: cannot migrate: {exc}", ExitCode.INCOMPLETE)
    finally:
        db.dispose()
    err.print(f"{db.display_url()}: schema at revision {revision}")
    return 0


def _password() -> str:
    value = os.environ.get("GLASSHOUSE_PASSWORD")
    if value:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError("set GLASSHOUSE_PASSWORD (no terminal to ask on)")
    text: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return text


@server.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--project", "projects", multiple=True, metavar="SLUG", help="Member of (repeatable)."
)
@_database_option
@click.pass_context
def create_user(
    ctx: click.Context, name: str, role: str, projects: tuple[str, ...], database_url: str | None
) -> int:
    """Create a user; the password comes from GLASSHOUSE_PASSWORD or a prompt."""
    password = _password()
    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            now = utcnow()
            user = accounts.create_user(session, name, role, password, at=now)
            for slug in projects:
                project = accounts.get_or_create_project(session, slug, at=now)
                accounts.add_member(session, user, project, at=now)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    finally:
        db.dispose()
    err.print(f"user {name} ({role}) created")
    return 0


@server.command("add-member")
@click.argument("name")
@click.option("--project", "slug", required=True, metavar="SLUG")
@_database_option
@click.pass_context
def add_member(ctx: click.Context, name: str, slug: str, database_url: str | None) -> int:
    """Make a user a member of a project (developers see only their projects)."""
    from sqlalchemy import select

    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            now = utcnow()
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                return _fail(f"no user {name!r}")
            project = accounts.get_or_create_project(session, slug, at=now)
            accounts.add_member(session, user, project, at=now)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    finally:
        db.dispose()
    err.print(f"{name} is a member of {slug}")
    return 0


@server.command("create-token")
@click.option("--project", "slug", default=None, metavar="SLUG", help="A CI token for a project.")
@click.option("--user", "user_name", default=None, metavar="NAME", help="A personal API token.")
@click.option("--name", "label", default=None, help="What the token is for.")
@_database_option
@click.pass_context
def create_token(
    ctx: click.Context,
    slug: str | None,
    user_name: str | None,
    label: str | None,
    database_url: str | None,
) -> int:
    """Create an API token and print it once (only its hash is stored).

    A --project token uploads runs and reads that project's gate (set it as
    GLASSHOUSE_TOKEN in the pipeline); a --user token acts as that user (for
    `glasshouse waiver request`). The project is created if it does not exist.
    """
    from sqlalchemy import select

    if (slug is None) == (user_name is None):
        return _fail("give --project SLUG or --user NAME")
    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            now = utcnow()
            if slug is not None:
                project = accounts.get_or_create_project(session, slug, at=now)
                made = accounts.create_token(
                    session, label or f"CI of {slug}", at=now, project=project
                )
            else:
                user = session.scalar(select(User).where(User.name == user_name))
                if user is None:
                    return _fail(f"no user {user_name!r}")
                made = accounts.create_token(
                    session, label or f"personal token of {user.name}", at=now, user=user
                )
    except accounts.AccountError as exc:
        return _fail(str(exc))
    finally:
        db.dispose()
    err.print(f"token {made.record.id} created; it is shown once, store it now:")
    click.echo(made.token)
    return 0


@server.command("revoke-token")
@click.argument("token_id")
@_database_option
@click.pass_context
def revoke_token(ctx: click.Context, token_id: str, database_url: str | None) -> int:
    """Revoke a token by its id (the 16 hex digits after gh_)."""
    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            done = accounts.revoke_token(session, token_id, at=utcnow())
    finally:
        db.dispose()
    if not done:
        return _fail(f"no active token {token_id!r}")
    err.print(f"token {token_id} revoked")
    return 0


@server.command("add-webhook")
@click.argument("url")
@click.option(
    "--events",
    default="*",
    show_default=True,
    help=f"Comma-separated: {', '.join(EVENTS)}; or * for all.",
)
@_database_option
@click.pass_context
def add_webhook(ctx: click.Context, url: str, events: str, database_url: str | None) -> int:
    """Send notifications (Slack-compatible JSON) to URL, signed with the shared secret
    from GLASSHOUSE_WEBHOOK_SECRET (header X-Glasshouse-Signature: sha256=HMAC)."""
    secret = os.environ.get("GLASSHOUSE_WEBHOOK_SECRET", "")
    if len(secret) < 16:
        return _fail("set GLASSHOUSE_WEBHOOK_SECRET to a shared secret of 16 characters or more")
    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            hook = notify.add_webhook(session, url, events, secret, at=utcnow(), actor="cli")
    except WebhookError as exc:
        return _fail(str(exc))
    finally:
        db.dispose()
    err.print(f"webhook {hook.id} added")
    return 0


@server.command("add-signing-key")
@click.argument("public_key", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--project", "slug", required=True, metavar="SLUG")
@click.option("--name", "label", default=None, help="Whose key it is (e.g. the pipeline).")
@_database_option
@click.pass_context
def add_signing_key(
    ctx: click.Context, public_key: Path, slug: str, label: str | None, database_url: str | None
) -> int:
    """Accept gate decisions signed by this public key (PEM) in uploads to a project.

    Uploads of the project may then carry decisions signed with the matching private key
    (`glasshouse scan --sign-key KEY --attestation FILE --upload URL`): each is checked,
    appended to the transparency log and answered with a receipt.
    """
    from glasshouse.evidence.keys import KeyFileError, load_verifying_key
    from glasshouse.storage import signing

    try:
        key = load_verifying_key(public_key)
    except KeyFileError as exc:
        return _fail(str(exc))
    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            now = utcnow()
            project = accounts.get_or_create_project(session, slug, at=now)
            signing.add_key(
                session, project, key, name=label or public_key.name, actor="cli", at=now
            )
    except accounts.AccountError as exc:
        return _fail(str(exc))
    finally:
        db.dispose()
    err.print(f"decisions signed by key {key.keyid} are accepted for {slug}")
    return 0


@server.command("require-signatures")
@click.option("--project", "slug", required=True, metavar="SLUG")
@click.option("--off", is_flag=True, help="Accept unsigned uploads again.")
@_database_option
@click.pass_context
def require_signatures(ctx: click.Context, slug: str, off: bool, database_url: str | None) -> int:
    """Refuse (403) uploads to a project that carry no signed gate decision."""
    from sqlalchemy import select

    from glasshouse.storage import signing
    from glasshouse.storage.models import Project

    db = _open(ctx, database_url)
    try:
        with db.write() as session:
            project = session.scalar(select(Project).where(Project.slug == slug))
            if project is None:
                return _fail(f"no project {slug!r}")
            if not off and not signing.project_keys(session, project.id):
                return _fail(f"register a signing key for {slug} first (add-signing-key)")
            project.require_signed = not off
            accounts.log(
                session,
                "cli",
                "signatures_required" if not off else "signatures_optional",
                slug,
                at=utcnow(),
                project_id=project.id,
            )
    finally:
        db.dispose()
    err.print(f"{slug}: uploads {'may be unsigned' if off else 'must carry a signed decision'}")
    return 0


@server.command("log-key")
@click.option("--pem", is_flag=True, help="Print the PEM public key instead of the verifier key.")
@_database_option
@click.pass_context
def log_key(ctx: click.Context, pem: bool, database_url: str | None) -> int:
    """Print the transparency log's public key, for auditors to verify receipts offline.

    The default form is the C2SP verifier key (<origin>+<hash>+<key>), which also pins
    the log's name: save it and give it to `glasshouse verify --log-key FILE`.
    """
    from glasshouse.evidence.keys import public_pem
    from glasshouse.evidence.note import NoteVerifier
    from glasshouse.storage import tlog

    db = _open(ctx, database_url)
    try:
        with db.read() as session:
            published = tlog.published_identity(session)
    finally:
        db.dispose()
    if published is None:
        return _fail("the log has no key yet: it is made when the server first starts")
    origin, key = published
    err.print(f"transparency log {origin}, key id {key.keyid}")
    click.echo(public_pem(key).decode("ascii").strip() if pem else NoteVerifier(origin, key).vkey())
    return 0


@server.command("audit-log")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A checkpoint someone kept (from a receipt, say) that the log must still match "
    "(repeatable).",
)
@_database_option
@click.pass_context
def audit_log(ctx: click.Context, checkpoints: tuple[Path, ...], database_url: str | None) -> int:
    """Recompute the whole transparency log from its stored entries and check every
    node, every stored checkpoint and the ones given; exit 1 naming what broke."""
    from glasshouse.storage import tlog

    notes = []
    for path in checkpoints:
        try:
            notes.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            return _fail(f"{path}: cannot read the checkpoint ({exc})")
    db = _open(ctx, database_url)
    try:
        with db.read() as session:
            log = tlog.public_log(session)
            if log is None:
                return _fail("the log has no key yet: it is made when the server first starts")
            result = log.audit(notes)
    finally:
        db.dispose()
    from glasshouse.evidence._codec import b64encode

    for problem in result.problems:
        click.echo(f"FAILED  {problem}")
    if not result.ok:
        return _fail(f"the log {log.origin} does not hold: {result.problems[0]}", ExitCode.FAILED)
    click.echo(
        f"ok  log {log.origin}: {result.size} entries, root {b64encode(result.root)}; every "
        f"entry, node and checkpoint ({len(notes)} given) matches"
    )
    return 0


@click.group("waiver")
def waiver() -> None:
    """Ask the glass house for exceptions."""


@waiver.command("request")
@click.argument("rule", required=False)
@click.option("--reason", required=True, help="Why the finding may stay for now.")
@click.option("--expires", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--project", "slug", default=None, envvar="GLASSHOUSE_PROJECT", metavar="SLUG")
@click.option("--package", default=None, help="Only this package.")
@click.option("--path", default=None, help="Only paths matching this glob.")
@click.option("--fingerprint", default=None, help="Only this finding (32 hex digits).")
@click.option("--ticket", default=None)
@click.option(
    "--server",
    "url",
    required=True,
    envvar="GLASSHOUSE_SERVER",
    metavar="URL",
    help="The glass house ($GLASSHOUSE_SERVER).",
)
def waiver_request(
    rule: str | None,
    reason: str,
    expires: Any,
    slug: str | None,
    package: str | None,
    path: str | None,
    fingerprint: str | None,
    ticket: str | None,
    url: str,
) -> int:
    """Ask security to waive RULE (an advisory id or rule id) in a project, until a date.

    Uses your personal token from GLASSHOUSE_TOKEN (`glasshouse server create-token --user`).
    """
    if not rule and not fingerprint:
        return _fail("name a RULE or give --fingerprint")
    until: date = expires.date()
    try:
        with Client(url, os.environ.get(TOKEN_VARIABLE, "")) as client:
            project = client.project(slug)
            made = client.request_waiver(
                project,
                {
                    "rule": rule,
                    "reason": reason,
                    "expires": until.isoformat(),
                    "package": package,
                    "path": path,
                    "fingerprint": fingerprint,
                    "ticket": ticket,
                },
            )
    except ClientError as exc:
        return _fail(str(exc), ExitCode.INCOMPLETE)
    err.print(
        f"waiver {made['label']} requested in {project} until {made['expires']}; "
        "it applies once security approves it"
    )
    return 0


__all__ = ["server", "waiver"]
