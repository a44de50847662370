"""Share what every package's commands need: the open workspace and common options."""

from __future__ import annotations

from datetime import date
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
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="FIELD=HEADER: read FIELD from a differently named column."),
]


def workspace(ctx: typer.Context) -> Workspace:
    """Open the workspace named by the global options or the environment."""
    g = ctx.find_root().obj
    return open_workspace(g.workspace, actor=g.actor)


def day_option(text: str | None, option: str) -> date | None:
    """Parse a YYYY-MM-DD option value (None when not given), or fail naming the option."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not YYYY-MM-DD", param_hint=option) from None


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    """Parse --map FIELD=HEADER options (an import reads FIELD from the column HEADER)."""
    out = {}
    for pair in pairs or []:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise typer.BadParameter(f"{pair!r} is not FIELD=HEADER", param_hint="--map")
        out[field.strip()] = header.strip()
    return out
