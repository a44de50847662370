"""Commands for workspaces, clients, users, the audit trail and keys."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.core.engine.clients import ClientSpec, parse_retention
from dataward.output import Format, emit, emit_doc, err

clients_app = typer.Typer(
    help="Client accounts (tenants) and their contract terms.", no_args_is_help=True
)
users_app = typer.Typer(help="dataward's own users, roles and client scope.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
keys_app = typer.Typer(help="The workspace key.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    """Attach the core commands to the root command."""
    cli.command("init")(init)
    cli.command("migrate")(migrate)
    cli.add_typer(clients_app, name="clients")
    cli.add_typer(users_app, name="users")
    cli.add_typer(audit_app, name="audit")
    cli.add_typer(keys_app, name="keys")
    from dataward.core import cli_backup
    from dataward.core.cli_remind import remind

    cli.command("remind")(remind)
    cli_backup.register(cli)


def init(
    ctx: typer.Context,
    database_url: Annotated[
        str, typer.Option(help="PostgreSQL URL to store records in instead of SQLite.")
    ] = "",
) -> None:
    """Create a workspace: database, 0600 key file and dataward.toml."""
    from dataward.core.workspace import init_workspace

    ws = init_workspace(ctx.find_root().obj.workspace, database_url=database_url)
    err.print(f"created workspace {ws.paths.root}")
    if ws.paths.key.exists():
        err.print(f"key file {ws.paths.key} (mode 600): back it up; without it, data is unreadable")
    else:
        err.print("key taken from DATAWARD_KEY: keep it in your secret store; it is not on disk")


def migrate(ctx: typer.Context) -> None:
    """Apply pending database migrations (also done on first use)."""
    ws = workspace(ctx)
    err.print(f"workspace {ws.paths.root} is up to date")


@clients_app.command("add")
def clients_add(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short id, e.g. northbank.")],
    name: Annotated[str, typer.Option(help="Client company name.")],
    category: Annotated[list[str], typer.Option(help="Data category entrusted (repeat).")] = [],  # noqa: B006
    framework: Annotated[list[str], typer.Option(help="Framework audited against (repeat).")] = [],  # noqa: B006
    breach_hours: Annotated[int | None, typer.Option(help="Breach notification deadline.")] = None,
    retention: Annotated[list[str], typer.Option(help="Retention rule CATEGORY=DAYS.")] = [],  # noqa: B006
    approved_location: Annotated[
        list[str],
        typer.Option(
            help="Approved data location: PATH, or PATH=CAT,CAT for some categories only."
        ),
    ] = [],  # noqa: B006
    region: Annotated[list[str], typer.Option(help="Phone region code, e.g. US.")] = [],  # noqa: B006
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "UTC",
    working_hours: Annotated[str, typer.Option(help="Working hours, e.g. 08:00-20:00.")] = "",
    industry: Annotated[str, typer.Option(help="Industry.")] = "",
    security_contact: Annotated[str, typer.Option(help="Security contact (kept encrypted).")] = "",
    update: Annotated[bool, typer.Option(help="Replace an existing client's record.")] = False,
) -> None:
    """Add a client (or --update one) with its data categories, frameworks and terms."""
    ws = workspace(ctx)
    from dataward.core import clients

    spec = ClientSpec(
        slug=slug,
        name=name,
        industry=industry,
        data_categories=[c.upper() for c in category],
        frameworks=[f.upper() for f in framework],
        breach_notification_hours=breach_hours,
        retention_rules=[parse_retention(r) for r in retention],
        approved_locations=approved_location,
        phone_regions=[r.upper() for r in region],
        timezone=timezone,
        working_hours=working_hours,
        security_contact=security_contact,
    )
    client, changed = clients.add(ws, spec, update=update)
    err.print(f"{'saved' if changed else 'unchanged'} client {client.slug}")


@clients_app.command("import")
def clients_import(ctx: typer.Context, path: Path) -> None:
    """Add or update clients from a JSON or YAML file, all or nothing."""
    ws = workspace(ctx)
    from dataward.core import clients

    changed, same = clients.import_file(ws, path)
    err.print(f"{changed} clients added or updated, {same} unchanged")


CLIENT_COLUMNS = [
    "slug",
    "name",
    "industry",
    "data_categories",
    "frameworks",
    "breach_notification_hours",
    "approved_locations",
]


@clients_app.command("list")
def clients_list(
    ctx: typer.Context, fmt: FormatOpt = Format.TABLE, output: OutputOpt = None
) -> None:
    """List the clients you may see."""
    ws = workspace(ctx)
    from dataward.core import clients

    rows = [{k: v for k, v in c.as_state().items()} for c in clients.visible(ws)]
    emit(rows, CLIENT_COLUMNS, fmt, "Clients", output)


@clients_app.command("show")
def clients_show(
    ctx: typer.Context, slug: str, fmt: FormatOpt = Format.TABLE, output: OutputOpt = None
) -> None:
    """Show one client's full record."""
    ws = workspace(ctx)
    from dataward.core import clients

    client = clients.get(ws, slug)
    state = client.as_state()
    if fmt is Format.TABLE:
        rows = [{"field": k, "value": v} for k, v in state.items()]
        emit(rows, ["field", "value"], fmt, f"Client {slug}", output)
    else:
        emit_doc(state, output)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: str,
    role: Annotated[str, typer.Option(help="admin, analyst, manager, auditor or client-viewer.")],
    client: Annotated[list[str], typer.Option(help="Client in scope (repeat); none = all.")] = [],  # noqa: B006
    email: Annotated[str, typer.Option(help="Email address.")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
) -> None:
    """Add a user with a role and client scope (password hashed with argon2)."""
    ws = workspace(ctx)
    from dataward.core import users

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = typer.prompt(
            "Password (empty: none, sign-in disabled)",
            default="",
            hide_input=True,
            confirmation_prompt=True,
            show_default=False,
        )
    user = users.add(ws, username, role, client, email, password or None)
    err.print(f"added user {user.username} ({user.role})")


@users_app.command("list")
def users_list(ctx: typer.Context, fmt: FormatOpt = Format.TABLE, output: OutputOpt = None) -> None:
    """List dataward's users with their roles and scope."""
    ws = workspace(ctx)
    from dataward.core import users

    rows = [u.as_state() for u in users.visible(ws)]
    for row in rows:
        row["clients"] = row["clients"] or ["(all)"]
    emit(rows, ["username", "role", "clients", "active", "email"], fmt, "Users", output)


@users_app.command("disable")
def users_disable(ctx: typer.Context, username: str) -> None:
    """Disable a user; their history stays."""
    ws = workspace(ctx)
    from dataward.core import users

    users.set_active(ws, username, False)
    err.print(f"disabled user {username}")


@users_app.command("enable")
def users_enable(ctx: typer.Context, username: str) -> None:
    """Re-enable a disabled user."""
    ws = workspace(ctx)
    from dataward.core import users

    users.set_active(ws, username, True)
    err.print(f"enabled user {username}")


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """Check every link of the audit chain; exit 1 at the first broken one."""
    ws = workspace(ctx)
    from dataward.core import audit
    from dataward.core.engine.permissions import Action

    ws.require(Action.VIEW_AUDIT, None)
    report = audit.verify(ws)
    doc = {
        "ok": report.ok,
        "checked": report.checked,
        "broken_seq": report.broken_seq,
        "reason": report.reason,
    }
    if fmt is not Format.TABLE:
        emit_doc(doc)
    elif report.ok:
        print(f"audit trail intact: {report.checked} events verified")
    else:
        print(
            f"audit trail BROKEN at event {report.broken_seq}: {report.reason} "
            f"({report.checked} events verified before it)"
        )
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("log")
def audit_log(
    ctx: typer.Context,
    client: ClientOpt = None,
    limit: Annotated[int | None, typer.Option(help="Show only the newest N events.")] = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List audit events, optionally for one client."""
    ws = workspace(ctx)
    from dataward.core import audit

    rows = [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "client": e.client or "(operation)",
            "object": f"{e.object_type}:{e.object_id}",
            "detail": e.detail,
        }
        for e in audit.events(ws, client, limit)
    ]
    emit(
        rows,
        ["seq", "at", "actor", "action", "client", "object", "detail"],
        fmt,
        "Audit trail",
        output,
    )


@keys_app.command("rotate")
def keys_rotate(ctx: typer.Context) -> None:
    """Make a new key active and re-encrypt every encrypted field; old keys stay to resolve."""
    ws = workspace(ctx)
    from dataward.core import keys

    key_id, rows = keys.rotate(ws, from_env=bool(os.environ.get("DATAWARD_KEY")))
    err.print(f"new active key {key_id}; {rows} records re-encrypted; back up the key file now")


@keys_app.command("list")
def keys_list(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """List key ids (never the secrets), marking the active one."""
    ws = workspace(ctx)
    rows = [
        {"id": k.id, "created": k.created, "active": k.id == ws.keyring.active_id}
        for k in ws.keyring.keys
    ]
    emit(rows, ["id", "created", "active"], fmt, "Workspace keys")
