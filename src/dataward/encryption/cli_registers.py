"""The `dataward encryption` commands: the transfer-channel and at-rest registers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.output import Format, emit, err

app = typer.Typer(help="Encryption registers: transfer channels and storage encrypted at rest.")
channels_app = typer.Typer(help="Transfer channels per client, judged for encryption in transit.")
locations_app = typer.Typer(help="Which storage holding client data is encrypted at rest.")
app.add_typer(channels_app, name="channels")
app.add_typer(locations_app, name="locations")
ClientReq = Annotated[str, typer.Option("--client", "-c", help="Client slug.")]


def register(cli: typer.Typer) -> None:
    """Attach the encryption command group."""
    cli.add_typer(app, name="encryption")


@channels_app.command("import")
def channels_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Channel register: JSON, CSV or XLSX.")],
    client: ClientReq,
    endpoints: Annotated[
        bool,
        typer.Option(help="Put the HTTPS channels' host:port in scope as TLS endpoints."),
    ] = True,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Replace the client's channel register with the file's records for it, all or nothing.

    Fields: id, client, protocol (or from url), url, host, port, transport_encryption
    (tls/ssh/none), tls_min_version, direction, purpose, approved. Records naming another
    client are left out and counted; a bad record changes nothing and names its field.
    """
    ws = workspace(ctx)
    from dataward.encryption import registers

    row = registers.import_channels(ws, client, path, endpoints)
    emit([row], registers.IMPORT_COLUMNS, fmt, "Imported channels")


@channels_app.command("list")
def channels_list(
    ctx: typer.Context,
    client: ClientOpt = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the channels with what their record says about encryption."""
    ws = workspace(ctx)
    from dataward.encryption import registers

    rows = registers.channel_rows(ws, client)
    emit(rows, registers.CHANNEL_COLUMNS, fmt, "Transfer channels", output)


@locations_app.command("set")
def locations_set(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Folder, share, database URL or bucket prefix.")],
    at_rest: Annotated[str, typer.Option("--at-rest", help="encrypted, unencrypted or unknown.")],
    client: ClientReq,
    method: Annotated[str, typer.Option(help="How: BitLocker, LUKS, TDE, SSE-KMS, ...")] = "",
    note: Annotated[str, typer.Option(help="Evidence or a reference.")] = "",
) -> None:
    """Record whether the storage under PATH is encrypted at rest.

    An absolute path or URL covers everything under it; a relative one (shares/acme) covers
    every location where those folders appear. The most specific entry decides.
    """
    ws = workspace(ctx)
    from dataward.encryption import registers

    changed = registers.set_location(ws, client, path, at_rest, method, note)
    err.print(f"{path}: {at_rest}" + ("" if changed else " (unchanged)"))


@locations_app.command("import")
def locations_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV or XLSX: client, path, at_rest, method, note.")],
    client: ClientReq,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Add or change the at-rest entries a file lists for the client, all or nothing.

    at_rest is encrypted, unencrypted or unknown (yes/no accepted). Rows naming another client
    are left out and counted; entries not in the file are kept.
    """
    ws = workspace(ctx)
    from dataward.encryption import registers

    row = registers.import_locations(ws, client, path)
    emit([row], registers.LOCATION_IMPORT_COLUMNS, fmt, "Imported at-rest register")


@locations_app.command("list")
def locations_list(
    ctx: typer.Context,
    client: ClientOpt = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the at-rest register."""
    ws = workspace(ctx)
    from dataward.encryption import registers

    rows = registers.location_rows(ws, client)
    emit(rows, registers.LOCATION_COLUMNS, fmt, "At-rest register", output)
