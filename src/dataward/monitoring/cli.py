"""The `dataward logs` and `dataward rules` commands: sources, ingestion, rule runs and export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, err

if TYPE_CHECKING:
    from dataward.monitoring.models import LogSource

app = typer.Typer(help="Log sources and ingestion into Elastic Common Schema events.")
sources_app = typer.Typer(help="Declare log sources: mapping, systems covered, cadence.")
app.add_typer(sources_app, name="sources")
GUESS = {".jsonl": "ecs-jsonl", ".ndjson": "ecs-jsonl", ".json": "ecs-jsonl", ".log": "syslog"}
SOURCE_COLUMNS = [
    "name",
    "client",
    "mapping",
    "systems",
    "expected_hours",
    "retention_days",
    "last_event_at",
    "last_ingest_at",
]
MappingOpt = Annotated[
    str | None,
    typer.Option(help="Mapping: ecs-jsonl, syslog, windows-security, csv, or a YAML file."),
]


def register(cli: typer.Typer) -> None:
    """Attach the logs, rules and alerts command groups."""
    from dataward.monitoring import cli_alerts, cli_rules

    cli.add_typer(app, name="logs")
    cli_rules.register(cli)
    cli_alerts.register(cli)


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The log file, or - for standard input.")],
    source: Annotated[str, typer.Option(help="The log source the events come from.")],
    client: ClientOpt = None,
    mapping: MappingOpt = None,
    detect: Annotated[
        bool, typer.Option("--detect/--no-detect", help="Run the rules over the new events.")
    ] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    growing: Annotated[
        bool, typer.Option(help="The log is still being written: leave an unfinished last line.")
    ] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Ingest a log file into a source: normalise to ECS, mask, store, then run the rules.

    The source is created on first use (owned by --client, or by the operation when its events
    name their client per line). Interrupted? Run the same command again: it resumes after the
    last stored batch. Running it on a grown file reads only the new lines. Malformed lines are
    counted and listed by line number, never dropped silently.
    """
    ws = workspace(ctx)
    from dataward.monitoring import service, store
    from dataward.monitoring.models import LogSource

    file = None if path == "-" else Path(path)
    if file is not None and not file.is_file():
        raise DatawardError(f"no such file: {file}", "logs ingest", "check the path")
    if file is not None:
        from dataward.monitoring.store import refuse_utf16

        refuse_utf16(file)
    known = LogSource.objects.unscoped("source names are unique").filter(name=source).exists()
    if known:
        found = service.source(ws, source)
        if client is not None and client != (_owner(found) or found.client.slug):
            raise DatawardError(
                f"source {source!r} belongs to {found.client.slug}, not {client}",
                "--client",
                "leave --client out, or name another source",
            )
        if mapping and service.mapping_spec(mapping) != found.mapping:
            raise DatawardError(
                f"source {source!r} reads its files with mapping {found.mapping!r}",
                "--mapping",
                "leave it out, or change it: `dataward logs sources add NAME --mapping M`",
            )
    else:
        spec = mapping or GUESS.get(file.suffix.lower() if file else "", "")
        if not spec:
            raise DatawardError(
                "cannot tell the log format", "--mapping", "name a mapping (see `logs mappings`)"
            )
        found = service.add_source(ws, source, client=client, mapping=spec)
        err.print(f"created log source {source!r} ({spec})")
    result = store.ingest(
        ws,
        found,
        file,
        progress=progress and fmt is Format.TABLE,
        prune_after=False,
        growing=growing,
    )
    if result.skipped:
        err.print(f"{path}: already ingested up to its end; nothing new")
    for line, reason in result.malformed_lines[:10]:
        err.print(f"{path}: line {line}: {reason}")
    if result.malformed > 10:
        err.print(f"... {result.malformed - 10} more malformed lines: `dataward logs runs`")
    raised = 0
    if detect and result.events:
        for slug in sorted(result.clients):
            for res in service.detect(ws, slug):
                raised += res.raised
    if not result.skipped:
        result.pruned = store.prune(ws, found)
    row = {
        "source": found.name,
        "run": result.run,
        "events": result.events,
        "malformed": result.malformed,
        "masked": result.masked,
        "resumed_from_line": result.resumed_from_line,
        "clients": ", ".join(f"{k} {v}" for k, v in sorted(result.clients.items())),
        "alerts_raised": raised,
        "pruned": result.pruned,
    }
    emit([row], list(row), fmt, "Ingested")


def _owner(source: LogSource) -> str | None:
    """Return a source's owning client slug, or None for the operation."""
    return None if source.client.is_operation else source.client.slug


@app.command("mappings")
def mappings(fmt: FormatOpt = Format.TABLE) -> None:
    """List the shipped mappings (format and the Sigma product/service they stand for)."""
    from dataward.monitoring.engine import ingest as parse

    rows = []
    for name in parse.shipped_mappings():
        m = parse.load_mapping(name)
        rows.append(
            {
                "name": name,
                "format": m.format,
                "product": m.product or "",
                "service": m.service or "",
                "client_field": m.client_field or "",
            }
        )
    emit(rows, ["name", "format", "product", "service", "client_field"], fmt, "Mappings")


@app.command("runs")
def runs(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    malformed: Annotated[int | None, typer.Option(help="Show this run's malformed lines.")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List ingestion runs (events, malformed lines, status), or one run's malformed lines."""
    ws = workspace(ctx)
    from dataward.monitoring import service
    from dataward.monitoring.models import IngestRun

    names = {s.pk: s.name for s in service.sources(ws)}
    rows = IngestRun.objects.unscoped("limited to visible sources").filter(source_id__in=names)
    if source:
        rows = rows.filter(source__name=source)
    if malformed is not None:
        run = rows.filter(pk=malformed).first()
        if run is None:
            raise DatawardError(f"no run {malformed}", "--malformed", "see `dataward logs runs`")
        lines = [{"line": a, "reason": b} for a, b in run.malformed_lines]
        emit(lines, ["line", "reason"], fmt, f"Malformed lines of run {run.pk} ({run.malformed})")
        return
    out = [
        {
            "run": r.pk,
            "source": names[r.source_id],
            "location": r.location,
            "status": r.status,
            "lines": r.lines,
            "events": r.events,
            "malformed": r.malformed,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
        }
        for r in rows.order_by("-id")
    ]
    emit(
        out,
        [
            "run",
            "source",
            "location",
            "status",
            "lines",
            "events",
            "malformed",
            "started_at",
            "finished_at",
        ],
        fmt,
        "Ingestion runs",
    )


@app.command("prune")
def prune(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """Delete events older than each source's retention (default 90 days); needs import."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    rows = [{"source": name, "deleted": gone} for name, gone in service.prune(ws)]
    emit(rows, ["source", "deleted"], fmt, "Pruned")


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source's name.")],
    mapping: Annotated[str, typer.Option(help="Mapping name or YAML file.")],
    client: ClientOpt = None,
    system: Annotated[list[str], typer.Option(help="A client system it logs.")] = [],  # noqa: B006
    expect_every: Annotated[
        int | None, typer.Option(help="Hours after which silence is a failure.")
    ] = None,
    retention_days: Annotated[int | None, typer.Option(help="Days events are kept.")] = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Declare (or update) a log source: its mapping, the systems it covers, its cadence."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    found = service.add_source(
        ws,
        name,
        client=client,
        mapping=mapping,
        systems=system,
        expected_hours=expect_every,
        retention_days=retention_days,
    )
    emit([_source_row(found)], SOURCE_COLUMNS, fmt, "Log source")


@sources_app.command("list")
def sources_list(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """List the log sources you may see."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    emit([_source_row(s) for s in service.sources(ws)], SOURCE_COLUMNS, fmt, "Log sources")


def _source_row(s: LogSource) -> dict[str, object]:
    """Return a source as a row."""
    return {
        "name": s.name,
        "client": s.client.slug,
        "mapping": s.mapping,
        "systems": ", ".join(s.systems),
        "expected_hours": s.expected_hours,
        "retention_days": s.retention_days,
        "last_event_at": s.last_event_at,
        "last_ingest_at": s.last_ingest_at,
    }
