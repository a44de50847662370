"""`dataward serve`, API tokens, and the sign-in chores of users (password, MFA reset, unlock)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from dataward.cliutil import FormatOpt, workspace
from dataward.output import Format, emit, err

tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    """Attach `serve`, `tokens` and the users' sign-in commands."""
    cli.command("serve")(serve)
    cli.add_typer(tokens_app, name="tokens")
    from dataward.core.cli import users_app

    users_app.command("password")(users_password)
    users_app.command("mfa-reset")(users_mfa_reset)
    users_app.command("unlock")(users_unlock)
    users_app.command("signin-link")(users_signin_link)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
) -> None:
    """Run the dashboard and API under gunicorn (static files served by whitenoise)."""
    ws = workspace(ctx)
    from dataward.web.server import run

    run(ws, host, port, workers)


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    client: Annotated[list[str], typer.Option(help="Narrow to this client (repeat).")] = [],  # noqa: B006
    read_only: Annotated[bool, typer.Option(help="Refuse write actions.")] = False,
    days: Annotated[int, typer.Option(help="Days until it expires (1-366).")] = 90,
) -> None:
    """Create a token and print it once on stdout (only its hash is stored)."""
    ws = workspace(ctx)
    from dataward.web import tokens

    token, text = tokens.create(ws, user, name, client, read_only, days)
    print(text)
    err.print(f"token {token.prefix}… for {user} expires {token.expires_at:%Y-%m-%d}; store it now")


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """List tokens (yours, or everyone's for an admin); never the token text."""
    ws = workspace(ctx)
    from dataward.web import tokens

    rows: list[dict[str, Any]] = [
        {
            "prefix": t.prefix,
            "user": t.user.username,
            "name": t.name,
            "clients": t.clients or ["(user's scope)"],
            "read_only": t.read_only,
            "expires": t.expires_at,
            "last_used": t.last_used_at,
            "revoked": t.revoked_at,
        }
        for t in tokens.listed(ws)
    ]
    emit(rows, list(rows[0]) if rows else ["prefix"], fmt, "API tokens")


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context, prefix: str) -> None:
    """Revoke a token by the prefix `tokens list` shows."""
    ws = workspace(ctx)
    from dataward.web import tokens

    tokens.revoke(ws, prefix)
    err.print(f"revoked {prefix}")


def users_password(
    ctx: typer.Context,
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
    remove: Annotated[bool, typer.Option(help="Remove the password (SSO or links only).")] = False,
) -> None:
    """Set a user's password (argon2), read from stdin or a hidden prompt."""
    ws = workspace(ctx)
    from dataward.core import users

    password = None
    if not remove:
        if password_stdin or not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    users.set_password(ws, username, password)
    err.print(f"password of {username} {'removed' if remove else 'set'}")


def users_mfa_reset(ctx: typer.Context, username: str) -> None:
    """Remove a user's authenticator so they enrol again at next sign-in (lost phone)."""
    ws = workspace(ctx)
    from dataward.web import accounts

    count = accounts.mfa_reset(ws, username)
    err.print(f"removed {count} authenticator(s) of {username}; they enrol again at next sign-in")


def users_unlock(ctx: typer.Context, username: str) -> None:
    """Lift a lockout after repeated failed sign-ins."""
    ws = workspace(ctx)
    from dataward.web import accounts

    count = accounts.unlock(ws, username)
    err.print(f"cleared {count} lockout record(s) of {username}")


def users_signin_link(
    ctx: typer.Context,
    username: str,
    minutes: Annotated[int, typer.Option(help="Minutes the link stays valid.")] = 30,
    base_url: Annotated[
        str, typer.Option(help="The dashboard's address.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print a one-time sign-in link for a user (MFA roles still pass TOTP after it)."""
    ws = workspace(ctx)
    from dataward.web import links

    print(base_url.rstrip("/") + links.create(ws, username, minutes))
