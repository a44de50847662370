"""The `dataward alerts` commands: list, show, assign, triage, escalate."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dataward.cliutil import ClientOpt, FormatOpt, workspace
from dataward.output import Format, emit, emit_doc, err

app = typer.Typer(help="Alerts raised by the rules: triage, assign, escalate to an incident.")
COLUMNS = [
    "ref",
    "client",
    "level",
    "state",
    "rule",
    "subject",
    "events",
    "first_seen",
    "last_seen",
    "assignee",
    "incident",
    "summary",
]


def register(cli: typer.Typer) -> None:
    """Attach the alerts command group."""
    cli.add_typer(app, name="alerts")


def row(a: Any) -> dict[str, Any]:
    """Return an alert as a row."""
    return {
        "ref": a.ref,
        "client": a.client.slug,
        "level": a.level,
        "state": a.state,
        "rule": a.rule,
        "subject": a.subject,
        "events": a.event_count,
        "first_seen": a.first_seen,
        "last_seen": a.last_seen,
        "assignee": a.assignee,
        "incident": a.incident_ref,
        "summary": a.summary,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    client: ClientOpt = None,
    state: Annotated[list[str], typer.Option(help="Only alerts in this state.")] = [],  # noqa: B006
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List alerts, newest first.

    States: new, investigating, false_positive, escalated, resolved.
    """
    ws = workspace(ctx)
    from dataward.monitoring import service

    emit([row(a) for a in service.alerts(ws, client, state)], COLUMNS, fmt, "Alerts")


@app.command("show")
def show(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Alert reference.")]) -> None:
    """Show one alert with its evidence (source file and line of each event, never content)."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    a = service.alert(ws, ref)
    doc = row(a) | {
        "title": a.title,
        "reason": a.reason,
        "facts": a.facts,
        "created_at": a.created_at,
        "triaged_at": a.triaged_at,
        "evidence": a.evidence,
    }
    emit_doc(doc)


@app.command("triage")
def triage(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Alert reference.")],
    state: Annotated[str, typer.Argument(help="investigating, false_positive, resolved or new.")],
    reason: Annotated[str, typer.Option(help="Why (required to close).")] = "",
    assignee: Annotated[str | None, typer.Option(help="Who investigates it.")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Move an alert to another state; closing (false_positive, resolved) needs --reason."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    a = service.triage(
        ws,
        ref,
        state.strip().lower().replace("-", "_").replace(" ", "_"),
        reason=reason,
        assignee=assignee,
    )
    emit([row(a)], COLUMNS, fmt, "Alert")


@app.command("assign")
def assign(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Alert reference.")],
    assignee: Annotated[str, typer.Argument(help="Who investigates it.")],
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Give an alert to someone to investigate."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    emit([row(service.assign(ws, ref, assignee))], COLUMNS, fmt, "Alert")


@app.command("escalate")
def escalate(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Alert reference.")],
    title: Annotated[str, typer.Option(help="Incident title (default: the alert's).")] = "",
    severity: Annotated[
        str, typer.Option(help="Incident severity (default: from the alert's level).")
    ] = "",
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Open an incident for the alert in the incident register and mark the alert escalated."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    a, incident = service.escalate(ws, ref, title=title, severity=severity)
    err.print(f"{a.ref} escalated to incident {incident}: `dataward incidents show {incident}`")
    emit([row(a)], COLUMNS, fmt, "Alert")
