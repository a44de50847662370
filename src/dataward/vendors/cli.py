"""The `dataward vendors` commands: import, add, update, review, list, show, export, duties."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from dataward.cliutil import FormatOpt, MapOpt, OutputOpt, day_option, parse_mapping, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, emit_doc, err, write_xlsx

app = typer.Typer(help="Vendors: register, risk tier, reviews, due diligence, responsibilities.")
VendorArg = Annotated[str, typer.Argument(help="Vendor name (case does not matter).")]
ServiceOpt = Annotated[list[str] | None, typer.Option("--service", help="Service it provides.")]
ClientsOpt = Annotated[
    list[str] | None, typer.Option("--client", "-c", help="Client slug whose data it touches.")
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option("--category", help="Data category it receives (PII, PCI, PHI, ...)."),
]
AccessOpt = Annotated[
    list[str] | None, typer.Option("--access", help="network, privileged or none (repeatable).")
]
OwnerOpt = Annotated[str | None, typer.Option(help="Owner: a dataward user name or an e-mail.")]
DpaOpt = Annotated[
    bool | None, typer.Option("--dpa/--no-dpa", help="A data-processing agreement is signed.")
]
DayOpt = Annotated[str | None, typer.Option(help="YYYY-MM-DD.")]
TierOpt = Annotated[str | None, typer.Option(help="Declared risk tier: low, medium or high.")]


class ExportFormat(StrEnum):
    """Formats of vendors export."""

    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


def register(cli: typer.Typer) -> None:
    """Attach the vendors command group (questionnaire commands live in their own module)."""
    from dataward.vendors import cli_questionnaire

    cli_questionnaire.register(app)
    cli.add_typer(app, name="vendors")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Register, CSV or XLSX.")],
    mapping: MapOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Add or update the vendors of a register file, all or nothing.

    Columns: vendor, service, clients_served and data_categories (;-separated), last_review,
    next_review_due, risk_tier, dpa_signed (yes/no or the date), and optionally dpa_date,
    owner, access. A bad row changes nothing and names the row and field; importing the same
    file again reports every vendor unchanged. Vendors missing from the file are kept.
    """
    ws = workspace(ctx)
    from dataward.vendors import store

    row = store.import_register(ws, path, parse_mapping(mapping))
    emit([row], store.IMPORT_COLUMNS, fmt, "Imported vendors")
    if not row["added"] and not row["updated"]:
        err.print("nothing changed: every vendor in the file matches the register")


#: The field each vendor option of add and update sets.
FIELD_OF = {
    "service": "services", "client": "clients", "category": "data_categories", "access": "access",
    "owner": "owner", "dpa": "dpa_signed", "dpa_date": "dpa_date", "last_review": "last_review",
    "next_review": "next_review_due", "tier": "declared_tier",
}  # fmt: skip


def _given(params: dict[str, Any]) -> dict[str, Any]:
    """Return the vendor options given, by field name (click passes one not given as ())."""
    given = {k: v for k, v in params.items() if k in FIELD_OF and v not in (None, [], ())}
    out: dict[str, Any] = {FIELD_OF[k]: v for k, v in given.items()}
    for field, option in (
        ("dpa_date", "--dpa-date"),
        ("last_review", "--last-review"),
        ("next_review_due", "--next-review"),
    ):
        if field in out:
            out[field] = day_option(out[field], option)
    return out


def _spec(ws: Any, name: str, given: dict[str, Any]) -> Any:
    """Validate the options against the workspace's clients and users."""
    from dataward.vendors import records
    from dataward.vendors.engine.register import from_options

    return from_options(name, given, records.known(ws), ws.clock().date())


@app.command("add")
def add(
    ctx: typer.Context,
    vendor: VendorArg,
    service: ServiceOpt = None,
    client: ClientsOpt = None,
    category: CategoryOpt = None,
    access: AccessOpt = None,
    owner: OwnerOpt = None,
    dpa: DpaOpt = None,
    dpa_date: DayOpt = None,
    last_review: DayOpt = None,
    next_review: DayOpt = None,
    tier: TierOpt = None,
) -> None:
    """Add a vendor to the register."""
    ws = workspace(ctx)
    from dataward.vendors import store

    given = _given(ctx.params)
    v = store.add(ws, _spec(ws, vendor, given))
    err.print(f"added vendor {v.name}")


@app.command("update")
def update(
    ctx: typer.Context,
    vendor: VendorArg,
    service: ServiceOpt = None,
    client: ClientsOpt = None,
    category: CategoryOpt = None,
    access: AccessOpt = None,
    owner: OwnerOpt = None,
    dpa: DpaOpt = None,
    dpa_date: DayOpt = None,
    last_review: DayOpt = None,
    next_review: DayOpt = None,
    tier: TierOpt = None,
    status: Annotated[str | None, typer.Option(help="active or offboarded.")] = None,
) -> None:
    """Change the given fields of a vendor; a list option replaces the list ('' clears it)."""
    ws = workspace(ctx)
    from dataward.vendors import store

    given = _given(ctx.params)
    v, changed = store.update(ws, _spec(ws, vendor, given), status)
    err.print(f"updated vendor {v.name}" if changed else f"vendor {v.name} unchanged")


@app.command("review")
def review(
    ctx: typer.Context,
    vendor: VendorArg,
    on: Annotated[str | None, typer.Option(help="Review date (default today).")] = None,
    next_: Annotated[
        str | None, typer.Option("--next", help="Next review due (default: by tier).")
    ] = None,
    outcome: Annotated[str, typer.Option(help="approved, conditional or rejected.")] = "approved",
    note: Annotated[str, typer.Option(help="What the review found or required.")] = "",
) -> None:
    """Record a security review of a vendor; the next one is due by its tier.

    High-tier vendors are due again in 12 months, medium in 24, low in 36, unless --next says.
    """
    ws = workspace(ctx)
    from dataward.vendors import store

    row = store.review(
        ws, vendor, day_option(on, "--on"), day_option(next_, "--next"), outcome, note
    )
    err.print(
        f"{row['vendor']} ({row['tier']} tier) reviewed {row['reviewed_on']}: {row['outcome']}; "
        f"next review due {row['next_review_due']}"
    )
    if row["beyond_cadence"]:
        err.print("note: that is later than the tier's cadence; vendors_reviews_current will warn")


@app.command("responsibilities")
def responsibilities(
    ctx: typer.Context,
    vendor: VendorArg,
    action: Annotated[str | None, typer.Argument(help="set or clear (omit to list).")] = None,
    activity: Annotated[str | None, typer.Argument(help="e.g. patching, log_retention.")] = None,
    responsible: Annotated[
        list[str] | None, typer.Option(help="Who does it: operation, vendor, client (repeatable).")
    ] = None,
    accountable: Annotated[
        str | None, typer.Option(help="Who answers for it: one of operation, vendor, client.")
    ] = None,
    note: Annotated[str, typer.Option(help="Contract clause or detail.")] = "",
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List a vendor's responsibilities matrix, or set or clear one activity.

    Default activities: patching, log_retention, incident_notification, access_reviews,
    backups, encryption_keys, data_deletion; other names add activities of your own.
    """
    ws = workspace(ctx)
    from dataward.vendors import diligence

    if action is not None:
        if action not in ("set", "clear") or not activity:
            raise DatawardError(
                "expected set ACTIVITY or clear ACTIVITY", "responsibilities", "see --help"
            )
        if action == "set":
            if accountable is None or not responsible:
                raise DatawardError("set needs --responsible and --accountable", "set", "add both")
            changed = diligence.set_duty(ws, vendor, activity, responsible, [accountable], note)
        else:
            changed = diligence.clear_duty(ws, vendor, activity)
        err.print(f"{activity}: {'recorded' if changed else 'unchanged'}")
    rows = diligence.duty_rows(ws, vendor)
    emit(rows, diligence.DUTY_COLUMNS, fmt, f"Responsibilities: {vendor}")


@app.command("list")
def list_(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option("--client", "-c", help="Client slug.")] = None,
    overdue: Annotated[
        bool, typer.Option(help="Only vendors overdue for review or never reviewed.")
    ] = False,
    offboarded: Annotated[bool, typer.Option(help="Include offboarded vendors.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List the vendors you may see, with tier, agreement and review state."""
    ws = workspace(ctx)
    from dataward.vendors import service

    rows = service.list_rows(ws, client, overdue, offboarded)
    emit(rows, service.LIST_COLUMNS, fmt, "Vendors", output)


@app.command("show")
def show(ctx: typer.Context, vendor: VendorArg, fmt: FormatOpt = Format.TABLE) -> None:
    """Show one vendor: record, tier and why, reviews, questionnaire state, responsibilities."""
    ws = workspace(ctx)
    from dataward.vendors import diligence, service

    doc = service.show(ws, vendor)
    if fmt is not Format.TABLE:
        emit_doc(doc)
        return
    nested = ("reviews", "questionnaire", "responsibilities")
    pairs = [{"field": k, "value": v} for k, v in doc.items() if k not in nested]
    emit(pairs, ["field", "value"], fmt, doc["vendor"])
    for title, key, columns in (
        ("Reviews", "reviews", service.REVIEW_COLUMNS),
        ("Questionnaire", "questionnaire", diligence.STATUS_COLUMNS),
        ("Responsibilities", "responsibilities", diligence.DUTY_COLUMNS),
    ):
        if doc[key]:
            emit(doc[key], columns, fmt, title)
        else:
            err.print(f"{title}: none recorded")


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv, json or xlsx.")
    ] = ExportFormat.CSV,
    output: OutputOpt = None,
) -> None:
    """Export the register you may see; the CSV imports back unchanged."""
    ws = workspace(ctx)
    from dataward.vendors import service

    rows = service.export_rows(ws)
    if fmt is ExportFormat.XLSX:
        if output is None:
            raise DatawardError("xlsx needs a file", "--output", "add --output vendors.xlsx")
        write_xlsx(rows, service.EXPORT_COLUMNS, output, sheet="Vendors")
        err.print(f"wrote {output}")
        return
    emit(rows, service.EXPORT_COLUMNS, Format(fmt.value), "Vendors", output)
