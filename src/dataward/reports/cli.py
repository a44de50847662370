"""The `dataward report` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, workspace
from dataward.output import err

FORMATS = ("html", "xlsx", "pdf", "oscal")


def register(cli: typer.Typer) -> None:
    """Attach the report command."""
    cli.command("report")(report)


def report(
    ctx: typer.Context,
    client: ClientOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, xlsx, pdf or oscal.")] = "html",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    assessment: Annotated[
        int | None, typer.Option(help="Assessment number (default: the latest).")
    ] = None,
) -> None:
    """Write a client's report: self-contained HTML, an XLSX workbook, a PDF or OSCAL results."""
    chosen = fmt.lower()
    if chosen not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    if output is None and chosen in ("xlsx", "pdf"):
        raise typer.BadParameter(f"{chosen} needs --output FILE", param_hint="--output")
    ws = workspace(ctx)
    from dataward.core.clients import get
    from dataward.core.engine.permissions import Action
    from dataward.core.engine.workspace import atomic_write
    from dataward.reports import render

    target = get(ws, client)
    ws.require(Action.EXPORT, target.slug)
    data = render.render(ws, target, chosen, assessment)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    atomic_write(output, data, mode=0o600)
    err.print(f"wrote {output} ({len(data):,} bytes)")


def dump_json(doc: object) -> bytes:
    """Return a JSON document as UTF-8 bytes with a final newline."""
    return (json.dumps(doc, indent=2, default=str) + "\n").encode("utf-8")
