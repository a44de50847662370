"""The assess command: run every check per client and store the results."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.output import Format, emit, emit_doc, err

FAIL_LEVELS = {"fail": ("fail",), "warning": ("fail", "warning"), "error": ("fail", "error")}


def register(cli: typer.Typer) -> None:
    """Attach the assess, controls and checklist commands."""
    from dataward.controls import cli_catalog, cli_posture

    cli.command("assess")(assess)
    cli_catalog.register(cli)
    cli_posture.register(cli)


def assess(
    ctx: typer.Context,
    client: ClientOpt = None,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
    fail_on: Annotated[
        str | None, typer.Option(help="Exit 1 when any result is fail, warning or error.")
    ] = None,
    refresh: Annotated[
        int | None,
        typer.Option(
            help="First re-collect live data (TLS endpoints) older than this many days.", min=0
        ),
    ] = None,
) -> None:
    """Run every registered check for one client, or for all clients and the operation."""
    if fail_on is not None and fail_on not in FAIL_LEVELS:
        raise typer.BadParameter("use fail, warning or error", param_hint="--fail-on")
    ws = workspace(ctx)
    from dataward.controls import store
    from dataward.core import clients
    from dataward.core.engine.permissions import Action, may
    from dataward.core.models import Client

    whole = may(ws.actor, Action.ASSESS, None)  # a scoped user assesses only their clients
    targets = (
        [clients.get(ws, client)]
        if client
        else [*(Client.objects.filter(kind="operation") if whole else []), *clients.visible(ws)]
    )
    from dataward.controls.catalog_service import catalog

    by_check = catalog().by_check()
    rows = []
    notes: list[str] = []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("assessing", total=len(targets))
        for target in targets:
            progress.update(task, description=f"assessing {target.slug}")
            if refresh is not None:
                from dataward.plugins import hook

                hook().refresh_live_data(ws=ws, client=target, max_age_days=refresh)
            run, outcomes = store.assess(ws, target)
            rows += [
                {
                    "client": target.slug,
                    "check": o.check_id,
                    "severity": o.severity,
                    "status": o.status.value,
                    "subject": o.subject,
                    "summary": o.summary,
                    "evidence": list(o.evidence),
                    "controls": [c.id for c in by_check.get(o.check_id, [])],
                    "assessment": run.pk,
                }
                for o in outcomes
            ]
            progress.advance(task)
            notes.append(_posture_line(target.slug, run.counts))
    for line in notes:
        err.print(line)
    if fmt is Format.JSON:
        emit_doc({"results": rows}, output)
    else:
        cols = ["client", "check", "status", "severity", "summary"]
        emit(rows, cols, fmt, "Assessment", output)
    bad = FAIL_LEVELS.get(fail_on or "", ())
    if any(r["status"] in bad for r in rows):
        raise typer.Exit(1)


def _posture_line(slug: str, counts: dict[str, object]) -> str:
    """Return one stderr line: the posture score and what changed since the last assessment."""
    posture = counts.get("posture") or {}
    changes = counts.get("changes") or {}
    overall = posture.get("overall") if isinstance(posture, dict) else None
    score = "no scored controls" if overall is None else f"posture {overall}"
    if isinstance(changes, dict):
        return (
            f"{slug}: {score}; {changes.get('newly_failing', 0)} newly failing, "
            f"{changes.get('fixed', 0)} fixed since the previous assessment"
        )
    return f"{slug}: {score}"
