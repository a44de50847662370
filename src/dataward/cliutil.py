"""Share what every package's commands need: the open workspace and common options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataward.core.workspace import Workspace, open_workspace
from dataward.output import Format

FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="table, json, jsonl or csv.", case_sensitive=False)
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
ClientOpt = Annotated[str | None, typer.Option("--client", "-c", help="Client slug.")]


def workspace(ctx: typer.Context) -> Workspace:
    """Open the workspace named by the global options or the environment."""
    g = ctx.find_root().obj
    return open_workspace(g.workspace, actor=g.actor)
