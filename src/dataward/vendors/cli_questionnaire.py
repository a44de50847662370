"""The `dataward vendors questionnaire` commands: template, answer, status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import FormatOpt, OutputOpt, workspace
from dataward.output import Format, emit, err

questionnaire = typer.Typer(help="The due-diligence questionnaire: template, answers, gaps.")


def register(app: typer.Typer) -> None:
    """Attach the questionnaire group to `dataward vendors`."""
    app.add_typer(questionnaire, name="questionnaire")


@questionnaire.command("template")
def template(
    skeleton: Annotated[
        bool, typer.Option(help="Print an answers file to fill in instead of the template.")
    ] = False,
    vendor: Annotated[str, typer.Option(help="Vendor name to put in the skeleton.")] = "",
    output: OutputOpt = None,
) -> None:
    """Print the questionnaire template (YAML): sections, questions, tiers, bad answers."""
    from dataward.core.engine.workspace import atomic_write
    from dataward.vendors.engine import questionnaire as q

    text = q.TEMPLATE.read_text(encoding="utf-8")
    if skeleton:
        text = q.skeleton(q.load_template(), vendor)
    if output is not None:
        atomic_write(output, text.encode(), mode=0o600)
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


@questionnaire.command("answer")
def answer(
    ctx: typer.Context,
    vendor: Annotated[str, typer.Argument(help="Vendor name.")],
    answers: Annotated[Path, typer.Argument(help="Answers file (YAML).")],
    evidence: Annotated[
        list[Path] | None,
        typer.Option("--evidence", help="Evidence file an answer cites by name (repeatable)."),
    ] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Record a vendor's answers with their evidence, then list what is still missing or bad.

    The file holds `answers:` mapping question ids to an answer, or to {answer, comment,
    evidence: [file names]}; each cited file must be given with --evidence. Evidence files are
    kept in the workspace under their SHA-256. A later file replaces the answers it gives.
    """
    ws = workspace(ctx)
    from dataward.vendors import diligence

    row = diligence.answer(ws, vendor, answers, list(evidence or []))
    err.print(f"{row['vendor']} ({row['tier']} tier): {row['answers']} answers recorded")
    emit(row["gaps"], diligence.GAP_COLUMNS, fmt, "Still missing or bad")
    if not row["gaps"]:
        err.print("due diligence complete for this tier")


@questionnaire.command("status")
def status(
    ctx: typer.Context,
    vendor: Annotated[str, typer.Argument(help="Vendor name.")],
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List every question that concerns the vendor with its answer and state."""
    ws = workspace(ctx)
    from dataward.vendors import diligence

    tier, rows = diligence.status_rows(ws, vendor)
    emit(rows, diligence.STATUS_COLUMNS, fmt, f"Questionnaire: {vendor} ({tier} tier)", output)
