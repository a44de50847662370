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


pack = typer.Typer(help="One archive of a client's evidence, and its verification.")


def register(cli: typer.Typer) -> None:
    """Attach the report and evidence-pack commands."""
    cli.command("report")(report)
    cli.add_typer(pack, name="evidence-pack")


@pack.callback(invoke_without_command=True)
def evidence_pack(
    ctx: typer.Context,
    client: ClientOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Zip file to write.")
    ] = None,
) -> None:
    """Write one client's evidence pack: reports, results, attestations, files and a manifest."""
    if ctx.invoked_subcommand is not None:
        return
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    ws = workspace(ctx)
    from dataward.core.clients import get
    from dataward.reports import evidence_pack as ep

    target = get(ws, client)
    path = output or Path(f"{target.slug}-evidence-{ws.clock().date()}.zip")
    manifest = ep.build(ws, target, path)
    err.print(f"wrote {path}: {len(manifest['files'])} files and manifest.json")


@pack.command("verify")
def verify(path: Annotated[Path, typer.Argument(help="Evidence pack (zip).")]) -> None:
    """Check every file of a pack against its manifest; exit 1 when anything is off."""
    from dataward.output import Format, emit
    from dataward.reports import evidence_pack as ep

    problems = ep.verify(path)
    if problems:
        emit(problems, ["path", "problem"], Format.TABLE, f"{path}: not intact")
        raise typer.Exit(1)
    err.print(f"{path}: intact, every file matches the manifest")


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
