"""The `dataward incidents` commands: report, list, show, status, note, assign, impact."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.core.workspace import Workspace
from dataward.incidents.engine.register import ImpactSpec, parse_impact
from dataward.incidents.engine.when import parse_instant
from dataward.output import Format, emit, emit_doc, err

app = typer.Typer(help="Incidents: intake, status, notification clocks, playbooks, register.")
REPORT_COLUMNS = ["ref", "status", "clients", "clocks", "tasks"]
RefArg = Annotated[str, typer.Argument(help="Incident reference, e.g. INC-0003.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why (kept on the timeline).")]
PersonalOpt = Annotated[
    bool | None,
    typer.Option(
        "--personal-data/--no-personal-data",
        help="Whether personal data is affected (default: judged from the categories).",
    ),
]
ImpactOpt = Annotated[
    list[str],
    typer.Option(
        "--client", "-c", help="Affected client: SLUG, SLUG:CAT,CAT or SLUG:CAT,CAT:RECORDS."
    ),
]


def register(cli: typer.Typer) -> None:
    """Attach the incidents command group (clocks, tasks and import live in cli_clocks)."""
    from dataward.incidents import cli_clocks

    cli_clocks.register(app)
    cli.add_typer(app, name="incidents")


def when(text: str | None, option: str, ws: Workspace) -> datetime | None:
    """Parse a date-and-time option (None when not given)."""
    return parse_instant(text, option, now=ws.clock()) if text else None


def impacts(values: list[str], categories: list[str], records: int | None) -> list[ImpactSpec]:
    """Turn --client values into impacts; --category and --records fill in what they omit."""
    out = []
    for value in values:
        spec = parse_impact(value, "--client")
        cats = spec.categories or tuple(c.upper() for c in categories)
        parse_impact(f"{spec.client}:{','.join(cats)}", "--category")  # validates the names
        count = spec.records if spec.records is not None else records
        out.append(ImpactSpec(spec.client, cats, count))
    return out


@app.command("report")
def report(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="What happened, in one line.")],
    severity: Annotated[str, typer.Option(help="low, medium, high or critical.")],
    client: ImpactOpt = [],  # noqa: B006
    category: Annotated[
        list[str], typer.Option(help="Data category affected (for clients given without).")
    ] = [],  # noqa: B006
    records: Annotated[
        int | None, typer.Option(min=0, help="Records affected (for clients given without).")
    ] = None,
    personal_data: PersonalOpt = None,
    detected_at: Annotated[
        str | None,
        typer.Option(help="When the operation became aware (clocks start here); default now."),
    ] = None,
    occurred_at: Annotated[str | None, typer.Option(help="When it happened, if known.")] = None,
    description: Annotated[str, typer.Option(help="Facts known so far.")] = "",
    handler: Annotated[str, typer.Option(help="Who handles it (default: you).")] = "",
    playbook: Annotated[
        list[str], typer.Option(help="Playbook name or YAML file whose tasks to add.")
    ] = [],  # noqa: B006
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Extra notification rules (YAML) for it.")
    ] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Report an incident: its clocks start at once and the playbook's tasks are added.

    Times take YYYY-MM-DDTHH:MM with Z or an offset (no offset means UTC). Categories not
    given are assumed to be everything the client entrusts until corrected with `impact`.
    """
    ws = workspace(ctx)
    from dataward.incidents import queries, service

    incident = service.report(
        ws, title=title, severity=severity.lower(), impacts=impacts(client, category, records),
        detected_at=when(detected_at, "--detected-at", ws),
        occurred_at=when(occurred_at, "--occurred-at", ws),
        description=description, handler=handler, playbooks=playbook, rules_file=rules,
        personal_data=personal_data,
    )  # fmt: skip
    doc = queries.show(ws, incident.ref)
    row = {
        "ref": incident.ref, "status": incident.status,
        "clients": [i["client"] for i in doc["impacts"]],
        "clocks": [f"{c['rule']}/{c['client']} due {c['due_at']}" for c in doc["clocks"]],
        "tasks": len(doc["tasks"]),
    }  # fmt: skip
    emit([row], REPORT_COLUMNS, fmt, f"Reported {incident.ref}")


@app.command("list")
def list_(
    ctx: typer.Context,
    client: ClientOpt = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only incidents not closed.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the incidents you may see (those affecting --client, if given)."""
    ws = workspace(ctx)
    from dataward.incidents import queries

    rows = queries.incident_rows(ws, client, only_open)
    emit(rows, queries.INCIDENT_COLUMNS, fmt, "Incidents", output)


@app.command("show")
def show(ctx: typer.Context, ref: RefArg, fmt: FormatOpt = Format.TABLE) -> None:
    """Show one incident: facts, impact, notification clocks, tasks and timeline.

    Any format but table prints one JSON document.
    """
    ws = workspace(ctx)
    from dataward.incidents import queries

    doc = queries.show(ws, ref)
    if fmt is not Format.TABLE:
        emit_doc(doc)
        return
    parts = ("impacts", "clocks", "tasks", "timeline")
    facts = [{"field": k, "value": v} for k, v in doc.items() if k not in parts and v]
    emit(facts, ["field", "value"], fmt, f"{doc['ref']} {doc['title']}")
    for part in parts:
        if doc[part]:
            emit(doc[part], list(doc[part][0]), fmt, part.capitalize())


@app.command("status")
def status(
    ctx: typer.Context,
    ref: RefArg,
    new: Annotated[str, typer.Argument(help="reported, triage, contained, eradicated, ...")],
    note: NoteOpt = "",
    lessons: Annotated[
        str, typer.Option("--lessons", help="Lessons learned (needed to close).")
    ] = "",
) -> None:
    """Move an incident on: forward (skipping allowed), back (with --note), or closed.

    Closing needs --lessons and every clock and task settled; reopening needs an admin.
    """
    ws = workspace(ctx)
    from dataward.incidents import service

    kind = service.set_status(ws, ref, new.lower(), note=note, lessons=lessons)
    err.print(f"{ref.upper()} is now {new.lower()} ({kind})")


@app.command("note")
def note(
    ctx: typer.Context,
    ref: RefArg,
    text: Annotated[str, typer.Argument(help="What happened or was decided.")],
    client: Annotated[
        str | None,
        typer.Option("--client", "-c", help="Only about this client (else every reader sees it)."),
    ] = None,
) -> None:
    """Add a note to the incident's timeline (append-only)."""
    ws = workspace(ctx)
    from dataward.incidents import service

    service.add_note(ws, ref, text, client)
    err.print(f"note added to {ref.upper()}")


@app.command("assign")
def assign(
    ctx: typer.Context,
    ref: RefArg,
    handler: Annotated[str, typer.Argument(help="dataward user name or e-mail address.")],
) -> None:
    """Hand the incident to another handler (who then owns its clocks)."""
    ws = workspace(ctx)
    from dataward.incidents import service

    service.assign(ws, ref, handler)
    err.print(f"{ref.upper()} is now handled by {handler}")


@app.command("detected")
def detected(
    ctx: typer.Context,
    ref: RefArg,
    at: Annotated[str, typer.Argument(help="When the operation really became aware.")],
    note: NoteOpt = "",
) -> None:
    """Correct when the operation became aware; every notification clock moves with it."""
    ws = workspace(ctx)
    from dataward.incidents import service

    moment = when(at, "AT", ws)
    if moment is not None:
        service.set_detected(ws, ref, moment, note)
    err.print(f"{ref.upper()} awareness is now {at}")


@app.command("impact")
def impact(
    ctx: typer.Context,
    ref: RefArg,
    client: Annotated[
        str, typer.Option("--client", "-c", help="SLUG, SLUG:CAT,CAT or SLUG:CAT,CAT:RECORDS.")
    ],
    personal_data: PersonalOpt = None,
    remove: Annotated[bool, typer.Option(help="The client turned out not affected.")] = False,
    note: NoteOpt = "",
) -> None:
    """Add or correct a client's impact (clocks are recomputed), or --remove it."""
    ws = workspace(ctx)
    from dataward.incidents import service

    spec = parse_impact(client, "--client")
    if remove:
        service.remove_impact(ws, ref, spec.client, note)
        err.print(f"{spec.client} removed from {ref.upper()}")
        return
    changed = service.set_impact(ws, ref, spec, personal_data)
    err.print(f"impact on {spec.client} {'updated' if changed else 'unchanged'}")
