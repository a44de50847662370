"""The `dataward incidents` commands for clocks, playbooks, tasks and the register import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.incidents.cli import NoteOpt, RefArg, when
from dataward.output import Format, emit, err


def register(app: typer.Typer) -> None:
    """Attach these commands to the incidents group."""
    app.command("notify")(notify)
    app.command("clocks")(clocks)
    app.command("playbooks")(playbooks)
    app.command("playbook")(playbook)
    app.command("task")(task)
    app.command("import")(import_)


def notify(
    ctx: typer.Context,
    ref: RefArg,
    rule: Annotated[str, typer.Option("--rule", help="Clock's rule id, e.g. gdpr_art33.")],
    client: Annotated[str, typer.Option("--client", "-c", help="Client the clock is for.")],
    at: Annotated[
        str | None, typer.Option("--at", help="When the notification was made (default now).")
    ] = None,
    note: NoteOpt = "",
    not_required: Annotated[
        bool,
        typer.Option(help="Record that no notification is required (say why in --note)."),
    ] = False,
) -> None:
    """Record that a clock's audience was notified (or that notifying it is not required)."""
    ws = workspace(ctx)
    from dataward.incidents import service

    state = service.notify(
        ws, ref, rule, client, at=when(at, "--at", ws), note=note, not_required=not_required
    )
    err.print(f"{ref.upper()} {rule} for {client}: {state}")


def clocks(
    ctx: typer.Context,
    client: ClientOpt = None,
    due_soon: Annotated[bool, typer.Option("--due-soon", help="Only clocks due soon.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue clocks.")] = False,
    unsettled: Annotated[
        bool, typer.Option("--open", help="Only clocks not yet notified (any deadline).")
    ] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List notification clocks: overdue first, then due soon, open, and those met.

    States: overdue (deadline passed, nobody told), due soon (within the rule's warning
    window), open, met, met late, not required. The filters combine.
    """
    ws = workspace(ctx)
    from dataward.incidents import queries

    wanted = ("overdue",) * overdue + ("due soon",) * due_soon
    wanted += ("overdue", "due soon", "open") * unsettled
    rows = queries.clock_rows(ws, client, tuple(sorted(set(wanted))))
    emit(rows, queries.CLOCK_COLUMNS, fmt, "Notification clocks", output)


def playbooks(
    ctx: typer.Context,
    check: Annotated[
        Path | None, typer.Option("--check", help="Validate this playbook YAML file only.")
    ] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List the playbooks in force (shipped and the workspace's playbooks/ folder)."""
    ws = workspace(ctx)
    from dataward.incidents import library, queries

    if check is not None:
        book = library.file_playbook(check)
        rows = [{"name": book.name, "title": book.title, "tasks": len(book.tasks), "source": check}]
    else:
        rows = queries.playbook_rows(ws)
    emit(rows, queries.PLAYBOOK_COLUMNS, fmt, "Playbooks")


def playbook(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str, typer.Argument(help="Playbook name, or a playbook YAML file.")],
) -> None:
    """Add a playbook's task checklist to an incident."""
    ws = workspace(ctx)
    from dataward.incidents import checklist

    added = checklist.apply_playbook(ws, ref, name)
    err.print(f"{added} tasks added to {ref.upper()}")


def task(
    ctx: typer.Context,
    ref: RefArg,
    number: Annotated[int, typer.Argument(help="Task number, as listed by show.")],
    done: Annotated[bool, typer.Option("--done", help="Mark the task done.")] = False,
    skip: Annotated[
        bool, typer.Option("--skip", help="Skip the task (say why in --note).")
    ] = False,
    note: NoteOpt = "",
) -> None:
    """Mark a playbook task done (--done) or skipped (--skip --note ...)."""
    if done == skip:
        raise typer.BadParameter("give exactly one of --done or --skip", param_hint="--done")
    ws = workspace(ctx)
    from dataward.incidents import checklist

    checklist.finish_task(ws, ref, number, skip=skip, note=note)
    err.print(f"{ref.upper()} task {number} {'skipped' if skip else 'done'}")


def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Incident register (JSON).")],
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Import an incident register: every incident or none; ids seen before are skipped."""
    ws = workspace(ctx)
    from dataward.incidents.register import IMPORT_COLUMNS, import_register

    row = import_register(ws, path)
    emit([row], IMPORT_COLUMNS, fmt, "Imported incidents")
