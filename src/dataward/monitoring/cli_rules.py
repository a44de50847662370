"""The `dataward rules` commands: list the rules in force, test, run and export them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, err

rules_app = typer.Typer(help="Sigma detection rules: list, test, run over stored events, export.")


def register(cli: typer.Typer) -> None:
    """Attach the rules command group."""
    cli.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list(ctx: typer.Context, fmt: FormatOpt = Format.TABLE) -> None:
    """List the rules in force (the shipped pack and the workspace's), and any that cannot run."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    rs = service.ruleset(ws)
    rows = [
        {
            "rule": r.key,
            "title": r.title,
            "level": r.level,
            "kind": "rule" if r.generate else "feeds a correlation",
            "logsource": "/".join(x for x in (r.product, r.service, r.category) if x),
            "origin": Path(r.origin).name,
            "problem": "",
        }
        for r in rs.rules
    ]
    rows += [
        {
            "rule": c.key,
            "title": c.title,
            "level": c.level,
            "kind": f"correlation {c.kind}",
            "logsource": "",
            "origin": Path(c.origin).name,
            "problem": "",
        }
        for c in rs.correlations
    ]
    rows += [
        {
            "rule": "",
            "title": b.title,
            "level": "",
            "kind": "cannot be evaluated",
            "logsource": "",
            "origin": b.origin,
            "problem": b.reason,
        }
        for b in rs.broken
    ]
    for b in rs.broken:
        err.print(f"{b.origin}: {b.title}: cannot be evaluated: {b.reason}")
    emit(rows, ["rule", "title", "level", "kind", "logsource", "origin", "problem"], fmt, "Rules")


@rules_app.command("run")
def rules_run(
    ctx: typer.Context,
    client: ClientOpt = None,
    full: Annotated[bool, typer.Option(help="Re-read every stored event.")] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Run the rules over events not yet read (every stored event with --full)."""
    ws = workspace(ctx)
    from dataward.monitoring import service

    with err.status("running the rules"):
        results = service.detect(ws, client, full=full)
    rows = [
        {
            "client": r.client,
            "events_read": r.events,
            "alerts_raised": r.raised,
            "alerts_updated": r.updated,
        }
        for r in results
    ]
    emit(rows, ["client", "events_read", "alerts_raised", "alerts_updated"], fmt, "Rule run")


@rules_app.command("export")
def rules_export(
    ctx: typer.Context,
    target: Annotated[str, typer.Option(help="splunk or elasticsearch.")],
    output: OutputOpt = None,
) -> None:
    """Convert the rules to a SIEM's query language with its pySigma backend."""
    ws = workspace(ctx)
    from dataward.monitoring import service
    from dataward.monitoring.siem import export

    text = export(service.ruleset(ws), target)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


@rules_app.command("test")
def rules_test(
    ctx: typer.Context,
    events: Annotated[Path, typer.Argument(help="A log file of sample events.")],
    rule: Annotated[
        list[Path], typer.Option(help="A rule file to test (repeat); default: every rule in force.")
    ] = [],  # noqa: B006
    mapping: Annotated[str, typer.Option(help="How to read the events.")] = "ecs-jsonl",
    client: ClientOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Run rules over sample events without storing anything: which lines each rule matches.

    For writing and tuning rules: the events are read with the mapping, enriched with what the
    workspace knows (client hours, roster, sensitive files) as --client's, and judged in memory.
    """
    ws = workspace(ctx)
    from dataward.monitoring import service
    from dataward.monitoring.rule_test import run

    if not events.is_file():
        raise DatawardError(f"no such file: {events}", "rules test", "check the path")
    found = service.ruleset(ws, rule)
    for b in found.broken:
        err.print(f"{b.origin}: {b.title}: cannot be evaluated: {b.reason}")
    rows: list[dict[str, Any]] = run(ws, found, events, mapping, client, only=rule)
    emit(rows, ["rule", "kind", "group", "events", "lines", "first", "last"], fmt, "Matches")
