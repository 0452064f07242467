"""`glasshouse server ...` (run and administer the glass house) and `glasshouse waiver
request`. Registered from main.py."""

from __future__ import annotations

import os
import sys
from datetime import date
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
@click.pass_context
def server(
    ctx: click.Context,
    database_url: str | None,
    host: str,
    port: int,
    no_worker: bool,
    max_upload_mb: int,
) -> int:
    """Run the glass house (applying migrations first), or administer it."""
    ctx.ensure_object(dict)
    ctx.obj["database_url"] = database_url
    if ctx.invoked_subcommand is not None:
        return 0
    import uvicorn

    from glasshouse.server.app import create_app
    from glasshouse.server.settings import ServerSettings

    db = _open(ctx, database_url)
    settings = ServerSettings(
        database_url=db.url, worker=not no_worker, max_upload_bytes=max_upload_mb << 20
    )
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
