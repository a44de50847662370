"""The `dataward backup` and `dataward restore` commands."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from dataward.cliutil import workspace
from dataward.output import err

if TYPE_CHECKING:
    from dataward.core.backup import Progress as Callbacks


def register(cli: typer.Typer) -> None:
    """Attach the backup and restore commands to the root command."""
    cli.command("backup")(backup)
    cli.command("restore")(restore)


@contextmanager
def _progress() -> Iterator[Callbacks]:
    """Yield the callbacks that drive one progress bar on stderr (shown on a terminal only)."""
    from dataward.core.backup import Progress as Callbacks  # loads models: after the workspace

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    task = bar.add_task("", total=None)

    def start(label: str, total: int) -> None:
        bar.reset(task, description=label, total=total, completed=0)

    def advance(n: int) -> None:
        bar.advance(task, n)

    with bar:
        yield Callbacks(start, advance)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (systemd stopping the timer's run, kill) as Ctrl-C while the block runs.

    Python dies on SIGTERM without unwinding, leaving a temporary archive or staged files;
    as an interrupt, the command removes what it wrote and the database rolls back.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, interrupt) if main else None
    try:
        yield
    except KeyboardInterrupt:  # the exit status (130) alone would leave the log silent
        err.print("interrupted; nothing half-written is left behind", markup=False)
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The archive to write (mode 600), outside the workspace.")
    ],
    force: Annotated[bool, typer.Option(help="Replace FILE if it exists.")] = False,
) -> None:
    """Back up the workspace into one encrypted archive: every table, state files, a manifest.

    The archive is encrypted with the workspace key and never holds it: keep the key file (or
    DATAWARD_KEY) backed up apart, as a restore needs it.
    """
    ws = workspace(ctx)
    from dataward.core.backup import backup as run

    with _terminate_as_interrupt(), _progress() as callbacks:
        result = run(ws, file.expanduser().absolute(), force, callbacks)
    size = result.path.stat().st_size
    err.print(
        f"backed up {result.rows:,} rows of {result.tables} tables and {result.files} files "
        f"to {result.path} ({size / 2**20:.1f} MB, sha256 {result.sha256[:16]}...)"
    )
    for table in result.skipped:
        err.print(f"warning: table {table} belongs to no installed app and was not backed up")


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An archive written by `dataward backup`.")],
    force: Annotated[
        bool,
        typer.Option(
            help="Replace every record and state file the workspace holds, even while other "
            "processes use it."
        ),
    ] = False,
) -> None:
    """Restore a backup into the workspace, all or nothing, after verifying the whole archive.

    The workspace must hold the backup's key (its key file or DATAWARD_KEY). Stop the web
    server, timers and workers first. Restoring into a PostgreSQL workspace from a SQLite
    backup, or the other way round, moves a workspace.
    """
    ws = workspace(ctx)
    from dataward.core.backup_restore import restore as run

    with _terminate_as_interrupt(), _progress() as callbacks:
        result = run(ws, file.expanduser().absolute(), force, callbacks)
    for user in result.in_use:
        err.print(f"warning: restored while in use ({user}); restart it", markup=False)
    err.print(
        f"restored {result.rows:,} rows of {result.tables} tables and {result.files} files "
        f"from a {result.backend} backup made {result.created}"
    )
