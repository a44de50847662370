"""The scan and inventory commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataward.cliutil import ClientOpt, OutputOpt, workspace
from dataward.output import Format, emit, emit_doc, err

FINDING_COLUMNS = [
    "location", "member", "sheet", "page", "line", "row", "column",
    "start", "end", "entity_type", "score", "preview", "fingerprint",
]  # fmt: skip
INVENTORY_COLUMNS = [
    "client", "location", "kind", "category", "entity_type", "count", "distinct",
    "first_seen", "last_seen", "modified", "owner", "approved", "root",
]  # fmt: skip
_ROLLUP = [
    "category", "entity_type", "locations", "count", "unapproved_locations", "first_seen",
    "last_seen",
]  # fmt: skip
VIEWS = {
    "file": INVENTORY_COLUMNS,
    "folder": ["client", "folder", *_ROLLUP],
    "root": ["client", "root", *_ROLLUP],
    "column": ["client", "location", "column", "entity_type", "rows_with", "rows_total", "share"],
}
#: Rows per table a terminal shows; machine formats always carry every row.
TABLE_ROWS = 40
ScanFormat = Annotated[
    str, typer.Option("--format", "-f", help="table, json, jsonl or csv.", case_sensitive=False)
]


def register(cli: typer.Typer) -> None:
    """Attach the scan and inventory commands."""
    cli.command("scan")(scan)
    cli.command("inventory")(inventory)


def scan(
    ctx: typer.Context,
    targets: Annotated[list[str], typer.Argument(help="Folders, files or database URLs.")],
    client: ClientOpt = None,
    include: Annotated[list[str], typer.Option(help="Only paths matching this glob.")] = [],  # noqa: B006
    exclude: Annotated[list[str], typer.Option(help="Skip paths matching this glob.")] = [],  # noqa: B006
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: all cores).")] = 0,
    full: Annotated[bool, typer.Option(help="Rescan files even when unchanged.")] = False,
    scheduler: Annotated[
        str,
        typer.Option(
            help="Scan files on this Dask scheduler (tcp://HOST:8786 or tls://…); every worker "
            "must see the folders at the same paths."
        ),
    ] = "",
    workers: Annotated[
        int, typer.Option(help="Scan files on a local Dask cluster of this many processes.")
    ] = 0,
    sample_rows: Annotated[
        int,
        typer.Option(
            help="Rows read per database table (0: every row). A large table is read in key "
            "ranges on --jobs processes and its sample is spread over the ranges (about "
            "N/ranges rows from the start of each), not taken from its first rows."
        ),
    ] = 1000,
    entity: Annotated[list[str], typer.Option(help="Only these entity types.")] = [],  # noqa: B006
    fmt: ScanFormat = "table",
    output: OutputOpt = None,
) -> None:
    """Scan folders, files and databases for sensitive data and store what was found.

    TARGETS are folders, files or database URLs (postgresql://user@host/db, mysql://user@host/db,
    sqlite:///path/file.db). Only masked previews and keyed fingerprints are stored, never a
    value. Unchanged files are skipped; after Ctrl-C the same command resumes.
    """
    out_fmt = _format(fmt, ("table", "json", "jsonl", "csv"))
    entities = _entities(entity)
    if jobs < 0 or sample_rows < 0 or workers < 0:
        raise typer.BadParameter("must be 0 or more", param_hint="--jobs/--sample-rows/--workers")
    if scheduler and workers:
        raise typer.BadParameter(
            "give a scheduler address or a number of local workers, not both",
            param_hint="--scheduler/--workers",
        )
    ws = workspace(ctx)
    from dataward.core.engine.permissions import Action
    from dataward.discovery import report
    from dataward.discovery.engine.scanner import ScanOptions
    from dataward.discovery.scan import ScanRequest, run_scan

    target_client = report.client_for(ws, client)
    ws.require(Action.SCAN, None if target_client.is_operation else target_client.slug)
    req = ScanRequest(
        targets, tuple(include), tuple(exclude), jobs, full, sample_rows or None,
        ScanOptions(entities=entities, regions=report.regions(target_client)),
        progress=err.is_terminal, scheduler=scheduler, workers=workers,
    )  # fmt: skip
    run_id, counts = run_scan(ws, target_client, req)
    err.print(report.counts_line(counts))
    _emit_scan(target_client, run_id, out_fmt, output)


def _emit_scan(client: Any, run_id: int, fmt: Format, output: Path | None) -> None:
    from dataward.discovery import report

    if fmt in (Format.JSONL, Format.CSV):
        emit(report.findings(client, run_id), FINDING_COLUMNS, fmt, "Findings", output)
    elif fmt is Format.JSON:
        emit_doc(report.scan_doc(client, run_id), output)
    elif output is not None:
        rows = report.location_rows(client, run_id)
        emit(rows, ["location", "entity_type", "count", "distinct"], fmt, "Found", output)
    else:
        tables = (
            ("Found", ["location", "entity_type", "count", "distinct"], report.location_rows),
            ("Columns", ["location", "column", "entity_type", "share"], report.column_rows),
            ("Skipped", ["location", "member", "reason"], report.skipped_rows),
        )
        for title, columns, reader in tables:
            rows = reader(client, run_id)
            if rows or title == "Found":
                emit(_largest(rows, title), columns, fmt, title)


def _largest(rows: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    """Keep a terminal table readable: the rows with most findings, and say what was left out."""
    if len(rows) <= TABLE_ROWS:
        return rows
    err.print(
        f"{title}: showing {TABLE_ROWS} of {len(rows):,} rows; "
        "use --format csv|jsonl|json or `dataward inventory` for all"
    )
    ranked = sorted(rows, key=lambda r: -int(r.get("count", 0)))[:TABLE_ROWS]
    return sorted(ranked, key=lambda r: (r["location"], r.get("entity_type", "")))


def inventory(
    ctx: typer.Context,
    client: ClientOpt = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="file (each file or table), folder, root (each scanned share or database) or "
            "column (table columns and how much of each holds what).",
            case_sensitive=False,
        ),
    ] = "file",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, xlsx or json.", case_sensitive=False)
    ] = "table",
    output: OutputOpt = None,
) -> None:
    """Show the data inventory: per client and location, what sensitive data is kept."""
    chosen, view = fmt.lower(), by.lower()
    if view not in VIEWS:
        raise typer.BadParameter(f"use one of {', '.join(VIEWS)}", param_hint="--by")
    if chosen == "xlsx" and output is None:
        raise typer.BadParameter("xlsx needs --output FILE.xlsx", param_hint="--format")
    out_fmt = None if chosen == "xlsx" else _format(chosen, ("table", "csv", "json", "jsonl"))
    ws = workspace(ctx)
    from dataward.core import clients as core_clients
    from dataward.discovery import report

    targets = [core_clients.get(ws, client)] if client else core_clients.visible(ws)
    if view == "column":
        rows = [row for target in targets for row in report.column_rows(target)]
    else:
        rows = [row for target in targets for row in report.inventory_rows(ws, target)]
        if view != "file":
            rows = report.rollup(rows, view)
    columns = VIEWS[view]
    if out_fmt is None:
        assert output is not None
        report.write_xlsx(rows, columns, output)
        err.print(f"wrote {output}")
    else:
        emit(rows, columns, out_fmt, f"Data inventory by {view}", output)


def _format(value: str, allowed: tuple[str, ...]) -> Format:
    if value.lower() not in allowed:
        raise typer.BadParameter(f"use one of {', '.join(allowed)}", param_hint="--format")
    return Format(value.lower())


def _entities(chosen: list[str]) -> tuple[str, ...] | None:
    from dataward.discovery.engine.types import ENTITIES

    unknown = [e for e in chosen if e.upper() not in ENTITIES]
    if unknown:
        raise typer.BadParameter(
            f"unknown entity type {unknown[0]!r}; use {', '.join(ENTITIES)}", param_hint="--entity"
        )
    return tuple(e.upper() for e in chosen) or None
