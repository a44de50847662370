"""The `dataward training` commands: import, requirements, status, phishing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, MapOpt, OutputOpt, parse_mapping, workspace
from dataward.output import Format, emit, err

app = typer.Typer(help="Courses, required training, LMS completions and phishing simulations.")
requirements_app = typer.Typer(help="The training requirements file: who must take which course.")
app.add_typer(requirements_app, name="requirements")
KINDS = ("completions", "phishing")
EXAMPLE = Path(__file__).with_name("requirements.yaml")


def register(cli: typer.Typer) -> None:
    """Attach the training command group."""
    cli.add_typer(app, name="training")


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="completions or phishing.")],
    path: Annotated[Path, typer.Argument(help="LMS or phishing-platform export, CSV or XLSX.")],
    mapping: MapOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Import LMS course completions or phishing-simulation results.

    Each import replaces every row of its kind in one transaction: importing the same export
    twice reports it unchanged, and a bad row changes nothing and names the file, row and field.
    People are matched to the HR roster by employee id, else by email.
    """
    kind = kind.lower()
    if kind not in KINDS:
        raise typer.BadParameter(f"use one of {', '.join(KINDS)}", param_hint="KIND")
    ws = workspace(ctx)
    from dataward.training import service

    with err.status(f"importing {kind} from {path}"):
        row = service.run_import(ws, kind, path, parse_mapping(mapping))
    for note in row.pop("notes", []):
        err.print(f"note: {note}")
    emit([row], service.IMPORT_COLUMNS, fmt, "Imported")


@requirements_app.command("load")
def requirements_load(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Requirements YAML (see requirements example).")],
) -> None:
    """Validate a requirements file and make it the one in force (replacing the previous one)."""
    ws = workspace(ctx)
    from dataward.training import service

    row = service.load_requirements(ws, path)
    state = "unchanged" if row["unchanged"] else "loaded"
    err.print(f"{row['courses']} courses and {row['requirements']} requirements {state}")
    for note in row["notes"]:
        err.print(f"note: {note}")


@requirements_app.command("show")
def requirements_show(
    ctx: typer.Context,
    client: ClientOpt = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the requirements in force (the workforce-wide ones and --client's, if given)."""
    ws = workspace(ctx)
    from dataward.training import service

    rows, settings = service.requirement_rows(ws, client)
    emit(rows, service.REQUIREMENT_COLUMNS, fmt, "Training requirements", output)
    err.print(
        settings or "no training requirements loaded: run dataward training requirements load FILE"
    )


@requirements_app.command("example")
def requirements_example() -> None:
    """Print the example requirements file shipped with dataward, to start your own from."""
    sys.stdout.write(EXAMPLE.read_text(encoding="utf-8"))


@app.command("status")
def status(
    ctx: typer.Context,
    client: ClientOpt = None,
    overdue: Annotated[bool, typer.Option(help="Only overdue courses.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List each person's status per required course: current, due soon, overdue, not yet due.

    ``days`` counts to the due date (negative: days overdue). Without --client every person and
    course; with it, the people assigned to that client and its and the workforce-wide courses.
    """
    ws = workspace(ctx)
    from dataward.training import service

    rows = service.status_rows(ws, client, overdue)
    emit(rows, service.STATUS_COLUMNS, fmt, "Training status", output)
    if not service.imported(ws, "completions"):
        err.print("note: no LMS completions imported yet: every course shows as never completed")
    elif not rows:
        err.print("no overdue course" if overdue else "no one must take a required course")


@app.command("phishing")
def phishing(
    ctx: typer.Context,
    team: Annotated[
        str | None, typer.Option(help="Group teams by department or manager (default: settings).")
    ] = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List phishing-simulation click rates per campaign and team, then per team over the window.

    The window rows carry the verdict the check gives: within or above the threshold, or too few
    simulated emails to judge.
    """
    if team is not None and team.lower() not in ("department", "manager"):
        raise typer.BadParameter("use department or manager", param_hint="--team")
    ws = workspace(ctx)
    from dataward.training import service

    rows = service.phishing_rows(ws, team.lower() if team else None)
    emit(rows, service.PHISHING_COLUMNS, fmt, "Phishing simulations", output)
    if not rows:
        err.print("no phishing results imported: run dataward training import phishing FILE")
