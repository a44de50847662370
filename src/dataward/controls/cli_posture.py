"""The `dataward posture`, `dataward attest` and `dataward attestations` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, day_option, workspace
from dataward.output import Format, emit, emit_doc, err

attestations_app = typer.Typer(help="Manual attestations of controls, with evidence files.")


def register(cli: typer.Typer) -> None:
    """Attach posture, attest and attestations."""
    cli.command("posture")(posture)
    cli.command("attest")(attest)
    cli.add_typer(attestations_app, name="attestations")


def posture(ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE) -> None:
    """Show the posture score per area and overall, with the trend of recent assessments."""
    ws = workspace(ctx)
    from dataward.controls import catalog_service, posture_service
    from dataward.core import clients

    targets = [clients.get(ws, client)] if client else clients.visible(ws)
    titles = {a.id: a.title for a in catalog_service.catalog().areas}
    rows, docs = [], []
    for target in targets:
        now = posture_service.compute(ws, target)
        history = posture_service.trend(target)
        areas = now["areas"] if isinstance(now["areas"], dict) else {}
        rows += [
            {"client": target.slug, "area": titles.get(a, a), "score": v} for a, v in areas.items()
        ]
        rows.append({"client": target.slug, "area": "overall", "score": now["overall"]})
        docs.append({"client": target.slug, **now, "trend": history})
    if fmt is Format.JSON:
        emit_doc(docs)
    else:
        emit(rows, ["client", "area", "score"], fmt, "Posture (0-100; see docs/controls.md)")


def attest(
    ctx: typer.Context,
    control: Annotated[str, typer.Argument(help="Control id, e.g. TR-01.")],
    client: ClientOpt = None,
    statement: Annotated[str, typer.Option(help="What is in place, in your words.")] = "",
    evidence: Annotated[list[Path], typer.Option(help="Evidence file (repeat).")] = [],  # noqa: B006
    expires: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: in a year).")] = None,
) -> None:
    """Attest that a control is in place, attaching evidence files (hashed into the workspace)."""
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    until = day_option(expires, "--expires")
    ws = workspace(ctx)
    from dataward.controls import attestations
    from dataward.core.clients import get

    record = attestations.add(ws, get(ws, client), control, statement, list(evidence), until)
    files = len(record.files)
    err.print(f"{record.control_id} attested for {client} until {record.expires} ({files} files)")


@attestations_app.command("list")
def attestations_list(
    ctx: typer.Context,
    client: ClientOpt = None,
    due: Annotated[
        bool, typer.Option(help="Only attestations expired or due within 30 days.")
    ] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List the newest attestation of each control for a client, with its state."""
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    ws = workspace(ctx)
    from dataward.controls import attestations
    from dataward.core.clients import get

    emit(attestations.rows(ws, get(ws, client), due), attestations.COLUMNS, fmt, "Attestations")
