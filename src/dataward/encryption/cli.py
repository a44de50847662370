"""The `dataward tls` commands: check endpoints with sslyze, keep the in-scope list, results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.output import Format, emit, emit_doc, err

app = typer.Typer(help="TLS endpoints: check them with sslyze against the Mozilla profile.")
endpoints_app = typer.Typer(help="The TLS endpoints in scope per client.")
app.add_typer(endpoints_app, name="endpoints")
TargetArg = Annotated[str, typer.Argument(help="HOST:PORT ([IPv6]:PORT; port 443 if omitted).")]
CaFileOpt = Annotated[
    Path | None,
    typer.Option("--ca-file", help="PEM file of a private CA to trust besides Mozilla's store."),
]


def register(cli: typer.Typer) -> None:
    """Attach the tls and encryption command groups."""
    from dataward.encryption import cli_registers

    cli.add_typer(app, name="tls")
    cli_registers.register(cli)


@app.command("check")
def check(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None, typer.Argument(help="HOST:PORT ... (default: the client's endpoints).")
    ] = None,
    client: ClientOpt = None,
    sslyze: Annotated[
        str | None,
        typer.Option(help="sslyze to run: its venv, its python, or the sslyze script."),
    ] = None,
    ca_file: CaFileOpt = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """Check TLS endpoints with sslyze and judge them against the Mozilla intermediate profile.

    With only --client, checks every in-scope endpoint of the client; this is what keeps the
    results of encryption_tls_endpoints_meet_profile current (dataward assess never connects
    anywhere; `dataward assess --refresh DAYS` calls this for results older than DAYS).
    Every result is stored. Exits 1 when an endpoint fails the profile or cannot be checked.
    sslyze runs in its own environment: see docs/encryption.md for how to install it.
    """
    ws = workspace(ctx)
    from dataward.encryption import service

    def announce(count: int) -> None:
        err.print(f"checking {count} endpoint(s) with sslyze; this takes a few seconds")

    rows = service.check(ws, list(targets or []), client, sslyze, ca_file, announce)
    if fmt is Format.JSON:
        emit_doc(rows, output)
    else:
        emit(rows, service.CHECK_COLUMNS, fmt, "TLS check (Mozilla intermediate)", output)
    if any(r["verdict"] in ("fail", "error") for r in rows):
        raise typer.Exit(1)


@app.command("results")
def results(
    ctx: typer.Context,
    client: ClientOpt = None,
    latest: Annotated[bool, typer.Option(help="Only each endpoint's latest result.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List stored TLS check results, newest first."""
    ws = workspace(ctx)
    from dataward.encryption import service

    rows = service.result_rows(ws, client, latest)
    emit(rows, service.RESULT_COLUMNS, fmt, "TLS check results", output)


@endpoints_app.command("add")
def endpoints_add(
    ctx: typer.Context,
    target: TargetArg,
    client: Annotated[str, typer.Option("--client", "-c", help="Client slug.")],
    purpose: Annotated[str, typer.Option(help="What the endpoint is for.")] = "",
    protocol: Annotated[
        str, typer.Option(help="https (HSTS judged) or tls; default https on 443 and 8443.")
    ] = "",
    ca_file: CaFileOpt = None,
) -> None:
    """Put an endpoint in the client's scope (or change its details)."""
    ws = workspace(ctx)
    from dataward.encryption import endpoints
    from dataward.encryption.engine.endpoints import Endpoint, parse_target, protocol_for

    host, port = parse_target(target)
    spec = Endpoint(host, port, purpose, protocol_for(port, protocol), "manual")
    outcome = endpoints.add(ws, client, spec, ca_file)
    err.print(f"{spec.label}: {outcome}")


@endpoints_app.command("import")
def endpoints_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV or XLSX: host, port, purpose, protocol.")],
    client: Annotated[str, typer.Option("--client", "-c", help="Client slug.")],
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Add or update the endpoints listed in a file, all or nothing."""
    ws = workspace(ctx)
    from dataward.encryption import endpoints

    row = endpoints.import_file(ws, client, path)
    emit([row], ["client", "file", "rows", "added", "updated", "unchanged"], fmt, "Endpoints")


@endpoints_app.command("remove")
def endpoints_remove(
    ctx: typer.Context,
    target: TargetArg,
    client: Annotated[str, typer.Option("--client", "-c", help="Client slug.")],
) -> None:
    """Take an endpoint out of the client's scope (its results stay in the history)."""
    ws = workspace(ctx)
    from dataward.encryption import endpoints

    endpoints.remove(ws, client, target)
    err.print(f"{target}: removed from {client}'s scope")


@endpoints_app.command("list")
def endpoints_list(
    ctx: typer.Context,
    client: ClientOpt = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the in-scope endpoints with their latest verdict."""
    ws = workspace(ctx)
    from dataward.encryption import endpoints

    rows = endpoints.list_rows(ws, client)
    emit(rows, endpoints.LIST_COLUMNS, fmt, "TLS endpoints in scope", output)
