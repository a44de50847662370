"""The `dataward controls` and `dataward checklist` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, day_option, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, emit_doc, err, write_xlsx

controls = typer.Typer(help="The control catalog: controls, evidence and framework mappings.")
checklist = typer.Typer(help="Per-client checklists of the controls that apply.")
exceptions = typer.Typer(help="Time-boxed exceptions to checks, approved by another user.")
frameworks = typer.Typer(help="A client's own control sets, mapped onto the baseline.")
FrameworkOpt = Annotated[
    list[str], typer.Option("--framework", help="Only controls mapped to this framework.")
]


def register(cli: typer.Typer) -> None:
    """Attach the controls and checklist groups."""
    cli.add_typer(controls, name="controls")
    cli.add_typer(checklist, name="checklist")
    cli.add_typer(exceptions, name="exceptions")
    cli.add_typer(frameworks, name="frameworks")


@controls.command("list")
def list_controls(
    ctx: typer.Context,
    area: Annotated[str, typer.Option(help="Only this area (e.g. access_control).")] = "",
    framework: Annotated[str, typer.Option(help="Only controls mapped to this framework.")] = "",
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the catalog's controls with how each is evidenced and what it maps to."""
    workspace(ctx)
    from dataward.controls import catalog_service as svc

    rows = svc.control_rows(area, framework.upper())
    emit(rows, svc.CONTROL_COLUMNS, fmt, "Controls", output)


@controls.command("show")
def show_control(
    ctx: typer.Context,
    control: Annotated[str, typer.Argument(help="Control id, e.g. AC-03.")],
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Show one control: statement, rationale, evidence and mapped requirements."""
    workspace(ctx)
    from dataward.controls import catalog_service as svc

    doc = svc.control_doc(control)
    if fmt is Format.TABLE:
        rows = [{"field": k, "value": v} for k, v in doc.items() if k != "mappings"]
        rows += [
            {"field": fw, "value": "; ".join(f"{m['id']} {m['title']}" for m in items)}
            for fw, items in doc["mappings"].items()
        ]
        emit(rows, ["field", "value"], fmt, doc["id"])
    else:
        emit_doc(doc)


@checklist.command("build")
def build(
    ctx: typer.Context,
    client: ClientOpt = None,
    framework: FrameworkOpt = [],  # noqa: B006
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json, jsonl, md or xlsx.")
    ] = "table",
    output: OutputOpt = None,
) -> None:
    """Build the client's checklist: the controls that apply, why, and their latest status."""
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    chosen = fmt.lower()
    if chosen not in ("table", "csv", "json", "jsonl", "md", "xlsx"):
        raise typer.BadParameter("use table, csv, json, jsonl, md or xlsx", param_hint="--format")
    ws = workspace(ctx)
    from dataward.controls import catalog_service as svc
    from dataward.controls import frameworks_service
    from dataward.controls.engine.catalog import ID_FORMATS
    from dataward.core.clients import get

    target = get(ws, client)
    wanted = [f.upper() for f in framework]
    unknown = sorted(set(wanted) - set(ID_FORMATS) - set(frameworks_service.custom(target)))
    if unknown:
        raise DatawardError(
            f"unknown framework {unknown[0]!r}",
            "--framework",
            f"use {', '.join(ID_FORMATS)} or one imported with dataward frameworks import",
        )
    rows = svc.checklist_rows(ws, target, wanted)
    title = f"Checklist for {target.name}" + (f" ({', '.join(wanted)})" if wanted else "")
    if chosen == "xlsx":
        if output is None:
            raise typer.BadParameter("xlsx needs --output FILE", param_hint="--output")
        write_xlsx(rows, svc.CHECKLIST_COLUMNS, output, "Checklist")
        err.print(f"wrote {output}")
    elif chosen == "md":
        text = svc.markdown(rows, svc.CHECKLIST_COLUMNS, title)
        _write(text, output)
    else:
        emit(rows, svc.CHECKLIST_COLUMNS, Format(chosen), title, output)
    err.print(f"{len(rows)} controls apply to {target.slug}")


def _write(text: str, output: Path | None) -> None:
    """Write text to --output atomically, or to stdout."""
    import sys

    from dataward.core.engine.workspace import atomic_write

    if output is None:
        sys.stdout.write(text)
        return
    atomic_write(output, text.encode(), mode=0o600)
    err.print(f"wrote {output}")


@exceptions.command("add")
def exception_add(
    ctx: typer.Context,
    client: ClientOpt = None,
    check: Annotated[str, typer.Option(help="Check id the exception is for.")] = "",
    control: Annotated[
        str, typer.Option(help="Or a control id: every check that evidences it.")
    ] = "",
    subject: Annotated[str, typer.Option(help="Only this subject (default: every subject).")] = "*",
    ends: Annotated[str, typer.Option(help="Last day in force, YYYY-MM-DD.")] = "",
    reason: Annotated[str, typer.Option(help="Why, and what compensates meanwhile.")] = "",
    approved_by: Annotated[str, typer.Option(help="dataward user who approved it.")] = "",
    starts: Annotated[str | None, typer.Option(help="First day (default today).")] = None,
) -> None:
    """Record a time-boxed exception: the check's (or control's) failures show as excepted."""
    if not (check or control) or not ends or not approved_by:
        raise typer.BadParameter("give --check or --control, --ends and --approved-by")
    ws = workspace(ctx)
    from dataward.controls import exceptions_service
    from dataward.core.clients import ensure_operation, get

    target = get(ws, client) if client else ensure_operation(ws)
    end_day = day_option(ends, "--ends")
    assert end_day is not None
    rec = exceptions_service.add(
        ws,
        target,
        check_id=check,
        control_id=control,
        subject=subject,
        ends=end_day,
        reason=reason,
        approved_by=approved_by,
        starts=day_option(starts, "--starts"),
    )
    what = check or f"every check of {rec.control_id}"
    err.print(f"exception {rec.ref} for {what} on {target.slug} recorded until {rec.ends}")


@exceptions.command("list")
def exception_list(
    ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE
) -> None:
    """List a client's (or the operation's) exceptions to checks and whether each is in force."""
    ws = workspace(ctx)
    from dataward.controls import exceptions_service
    from dataward.core.clients import ensure_operation, get

    target = get(ws, client) if client else ensure_operation(ws)
    emit(exceptions_service.rows(ws, target), exceptions_service.COLUMNS, fmt, "Exceptions")


@checklist.command("assign")
def assign(
    ctx: typer.Context,
    controls: Annotated[list[str], typer.Argument(help="Control ids.")],
    client: ClientOpt = None,
    owner: Annotated[str, typer.Option(help="Who is accountable for the control.")] = "",
    due: Annotated[str | None, typer.Option(help="When it must be in place, YYYY-MM-DD.")] = None,
) -> None:
    """Assign controls an owner and a due date for a client; overdue ones show in the checklist."""
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    ws = workspace(ctx)
    from dataward.controls import catalog_service as svc
    from dataward.core.clients import get

    count = svc.assign(ws, get(ws, client), controls, owner, day_option(due, "--due"))
    err.print(f"{count} controls assigned to {owner} for {client}")


@controls.command("export")
def export_catalog(ctx: typer.Context, output: OutputOpt = None) -> None:
    """Write the catalog as an OSCAL catalog (JSON), e.g. for a GRC tool or an auditor."""
    ws = workspace(ctx)
    from dataward.controls import catalog_service as svc
    from dataward.reports.engine.oscal import catalog_document

    emit_doc(catalog_document(svc.catalog(), ws.clock()), output)


@frameworks.command("import")
def frameworks_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="YAML, CSV or XLSX: id, title, controls.")],
    client: ClientOpt = None,
    framework_id: Annotated[
        str, typer.Option("--id", help="Framework id, e.g. ACME_SUPPLIER.")
    ] = "",
    title: Annotated[str, typer.Option(help="Framework title.")] = "",
    mapping: Annotated[list[str], typer.Option("--map", help="FIELD=HEADER for a column.")] = [],  # noqa: B006
) -> None:
    """Import a client's own control set and its mapping onto the baseline controls."""
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    pairs = {}
    for pair in mapping:
        field, sep, header = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r} is not FIELD=HEADER", param_hint="--map")
        pairs[field.strip()] = header.strip()
    ws = workspace(ctx)
    from dataward.controls import frameworks_service
    from dataward.core.clients import get

    fw = frameworks_service.import_framework(ws, get(ws, client), path, framework_id, title, pairs)
    err.print(f"{fw.id}: {len(fw.requirements)} requirements imported for {client}")


@frameworks.command("list")
def frameworks_list(
    ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE
) -> None:
    """List a client's own frameworks."""
    if not client:
        raise typer.BadParameter("name the client", param_hint="--client")
    ws = workspace(ctx)
    from dataward.controls import frameworks_service
    from dataward.core.clients import get

    emit(
        frameworks_service.rows(ws, get(ws, client)), frameworks_service.COLUMNS, fmt, "Frameworks"
    )
