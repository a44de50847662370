"""The `dataward access` commands: import, matrix, people, accounts, links, violations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from dataward.cliutil import ClientOpt, FormatOpt, MapOpt, OutputOpt, parse_mapping, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, err

app = typer.Typer(help="Identities, entitlements, role matrices, access rules and reviews.")
KINDS = ("hr", "directory", "scim", "entra", "ldap", "entitlements")
IMPORT_COLUMNS = ["client", "kind", "source", "rows", "replaced", "unchanged"]


def register(cli: typer.Typer) -> None:
    """Attach the access command group (reviews and exceptions live in their own modules)."""
    from dataward.access import cli_review

    cli_review.register(app)
    cli.add_typer(app, name="access")


def _secret(password_env: str | None, password_file: Path | None) -> str | None:
    """Return the LDAP bind password from an environment variable or a file (never an option)."""
    if password_env:
        value = os.environ.get(password_env)
        if value is None:
            raise DatawardError(f"{password_env} is not set", "--password-env", "export it first")
        return value
    if password_file:
        try:
            return password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DatawardError(f"cannot read ({exc.strerror})", str(password_file)) from None
    return None


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="hr, directory, scim, entra, ldap or entitlements.")],
    targets: Annotated[list[str], typer.Argument(help="Export files (an ldap:// URL for ldap).")],
    client: ClientOpt = None,
    source: Annotated[
        str | None, typer.Option(help="Name of this directory source (default: the kind).")
    ] = None,
    system: Annotated[
        str | None, typer.Option(help="Client system key for entitlements (default: file name).")
    ] = None,
    mapping: MapOpt = None,
    privileged_group: Annotated[
        list[str],
        typer.Option(help="Directory group (or Entra role) that makes an account privileged."),
    ] = [],  # noqa: B006
    login_lag_days: Annotated[
        int, typer.Option(help="Days a directory's last-login may lag (Active Directory: 14).")
    ] = 0,
    base_dn: Annotated[str | None, typer.Option(help="LDAP search base.")] = None,
    bind_dn: Annotated[str | None, typer.Option(help="LDAP bind DN (omit: anonymous).")] = None,
    password_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the LDAP bind password.")
    ] = None,
    password_file: Annotated[
        Path | None, typer.Option(help="File holding the LDAP bind password.")
    ] = None,
    flavor: Annotated[str, typer.Option(help="LDAP flavor: auto, ad or openldap.")] = "auto",
    ldap_filter: Annotated[str | None, typer.Option("--filter", help="LDAP user filter.")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Import an HR roster, a directory export or a client system's entitlements.

    Each import replaces what the same source imported before, in one transaction: importing
    the same export twice changes nothing, and a bad file changes nothing and names the row and
    field at fault. HR rosters and directories belong to the operation; entitlements belong to
    the client whose system they come from (--client).
    """
    kind = kind.lower()
    if kind not in KINDS:
        raise typer.BadParameter(f"use one of {', '.join(KINDS)}", param_hint="KIND")
    ws = workspace(ctx)
    from dataward.access import service

    options: dict[str, Any] = {
        "client": client, "source": source, "system": system, "mapping": parse_mapping(mapping),
        "privileged_groups": tuple(privileged_group), "login_lag_days": login_lag_days,
        "base_dn": base_dn, "bind_dn": bind_dn, "flavor": flavor, "ldap_filter": ldap_filter,
        "password": _secret(password_env, password_file) if kind == "ldap" else None,
    }  # fmt: skip
    shown = [t.split("@", 1)[-1] if "://" in t else t for t in targets]  # no user:password@
    with err.status(f"importing {kind} from {', '.join(shown)}"):
        row = service.run_import(ws, kind, targets, **options)
    for note in row.pop("notes", [])[:20]:
        err.print(f"note: {note}")
    emit([row], IMPORT_COLUMNS, fmt, "Imported")


@app.command("matrix")
def matrix(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Role matrix, YAML or CSV.")],
    client: ClientOpt = None,
) -> None:
    """Load a client's role matrix: allowed access per job role, privilege, SoD pairs, cadence."""
    ws = workspace(ctx)
    from dataward.access import service

    row = service.load_matrix(ws, path, client)
    err.print(
        f"{row['client']}: role matrix with {row['roles']} roles and {row['conflicts']} "
        "conflicting pairs loaded"
    )


@app.command("people")
def people(ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE,
           output: OutputOpt = None) -> None:  # fmt: skip
    """List the people on the HR roster (those assigned to --client, if given)."""
    ws = workspace(ctx)
    from dataward.access import service

    rows = service.people_rows(ws, client)
    emit(rows, service.PEOPLE_COLUMNS, fmt, "People", output)


@app.command("accounts")
def accounts(ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE,
             output: OutputOpt = None) -> None:  # fmt: skip
    """List directory accounts with the person each links to and how (employee id, email...)."""
    ws = workspace(ctx)
    from dataward.access import service

    rows = service.account_rows(ws, client)
    emit(rows, service.ACCOUNT_COLUMNS, fmt, "Accounts", output)


@app.command("violations")
def violations(
    ctx: typer.Context,
    client: ClientOpt = None,
    rule: Annotated[list[str], typer.Option(help="Only this rule (check id).")] = [],  # noqa: B006
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """Evaluate the access rules now and list what fails, without storing an assessment."""
    ws = workspace(ctx)
    from dataward.access import service

    rows = service.violation_rows(ws, client, rule)
    emit(rows, service.VIOLATION_COLUMNS, fmt, "Access violations", output)
    if not rows:
        err.print("no access rule fails")


link_app = typer.Typer(help="Confirm or list how accounts link to people.")
app.add_typer(link_app, name="link")


@link_app.command("confirm")
def link_confirm(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Directory account username.")],
    employee_id: Annotated[str, typer.Argument(help="Employee id it belongs to.")],
) -> None:
    """Confirm that an account belongs to an employee (for example a suggested fuzzy match)."""
    ws = workspace(ctx)
    from dataward.access import service

    service.confirm_link(ws, account, employee_id)
    err.print(f"{account} now links to {employee_id}")


@link_app.command("list")
def link_list(
    ctx: typer.Context,
    pending: Annotated[bool, typer.Option(help="Only suggestions awaiting confirmation.")] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List every directory account's link (or only fuzzy suggestions awaiting confirmation)."""
    ws = workspace(ctx)
    from dataward.access import service

    rows = [r for r in service.account_rows(ws, None) if not pending or r["link"] == "suggested"]
    emit(rows, service.ACCOUNT_COLUMNS, fmt, "Links")
