"""The `dataward risks` commands: the register, its history, acceptance, heat map, import/export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataward.cliutil import ClientOpt, FormatOpt, MapOpt, OutputOpt, parse_mapping, workspace
from dataward.output import Format, emit, emit_doc, err, write_xlsx

app = typer.Typer(help="The risk register: raised from failing controls, treated, accepted.")
Opt = typer.Option
Text = Annotated[str | None, Opt()]


def register(cli: typer.Typer) -> None:
    """Attach the risks command group."""
    from dataward.risks import cli_edit

    cli_edit.register(app)
    cli.add_typer(app, name="risks")


@app.command("list")
def list_(
    ctx: typer.Context,
    client: ClientOpt = None,
    status: Annotated[
        str | None, Opt(help="open, proposed_closure, accepted or closed (default: not closed).")
    ] = None,
    category: Text = None,
    owner: Text = None,
    rating: Annotated[str | None, Opt(help="low, medium, high or critical.")] = None,
    all_: Annotated[bool, Opt("--all", help="Include closed risks.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the register (risks of every client you may see, or of one)."""
    ws = workspace(ctx)
    from dataward.risks import service

    rows = service.rows(
        ws, client, status=status, category=category, owner=owner, rating=rating, all=all_
    )
    emit(rows, service.COLUMNS, fmt, "Risk register", output)


@app.command("show")
def show(ctx: typer.Context, ref: str, fmt: FormatOpt = Format.TABLE) -> None:
    """Show one risk with its history (raised, failing again, proposed for closure, ...)."""
    ws = workspace(ctx)
    from dataward.risks import service

    risk, events = service.history(ws, ref)
    if fmt is not Format.TABLE:
        emit_doc({**risk, "history": events})
        return
    emit([{"field": k, "value": v} for k, v in risk.items()], ["field", "value"], fmt, ref)
    emit(events, service.EVENT_COLUMNS, fmt, "History")


@app.command("heatmap")
def heatmap(
    ctx: typer.Context,
    client: ClientOpt = None,
    residual: Annotated[bool, Opt(help="Place risks by residual score where judged.")] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Show the 5 x 5 heat map of risks not closed (likelihood down, impact across)."""
    ws = workspace(ctx)
    from dataward.risks import service

    cells = service.heat_map(ws, client, residual)
    if fmt is not Format.TABLE:
        rows = [
            {"likelihood": c.likelihood, "impact": c.impact, "count": c.count, "risks": c.refs}
            for c in cells
        ]
        emit(rows, ["likelihood", "impact", "count", "risks"], fmt, "Heat map")
        return
    grid: list[dict[str, Any]] = []
    for cell in cells:
        if cell.impact == 1:
            grid.append({"likelihood": cell.likelihood})
        grid[-1][f"impact {cell.impact}"] = cell.count or ""
    emit(grid, ["likelihood", *(f"impact {i}" for i in range(1, 6))], fmt, "Heat map")


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path, Opt("--output", "-o", help="A .csv, .xlsx, .json or .jsonl file.")],
    client: ClientOpt = None,
    all_: Annotated[bool, Opt("--all", help="Include closed risks.")] = False,
) -> None:
    """Export the register with every field, by the output file's suffix."""
    ws = workspace(ctx)
    from dataward.core.engine.permissions import Action
    from dataward.risks import service

    for c in service.visible_clients(ws, client):
        ws.require(Action.EXPORT, None if c.is_operation else c.slug)
    rows = service.rows(ws, client, all=all_)
    suffix = output.suffix.lower().lstrip(".")
    if suffix == "xlsx":
        write_xlsx(rows, service.EXPORT_COLUMNS, output, "Risk register")
        err.print(f"wrote {output}")
    elif suffix in ("csv", "json", "jsonl"):
        emit(rows, service.EXPORT_COLUMNS, Format(suffix), "Risk register", output)
    else:
        raise typer.BadParameter("name a .csv, .xlsx, .json or .jsonl file", param_hint="--output")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Path,
    client: ClientOpt = None,
    mapping: MapOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Import an existing register (CSV or XLSX); all rows or none; re-import updates by id."""
    ws = workspace(ctx)
    from dataward.risks import importer

    summary = importer.run(ws, path, client, parse_mapping(mapping))
    emit([summary], list(summary), fmt, "Imported")
