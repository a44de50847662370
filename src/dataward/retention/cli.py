"""The `dataward retention` commands: policies, holds, overdue data, plans, certificates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, err

app = typer.Typer(help="Retention policies, legal holds, overdue data and verified disposal.")
policy_app = typer.Typer(help="Retention policies per client, category and location.")
hold_app = typer.Typer(help="Legal holds: data that must be kept whatever the policy says.")
app.add_typer(policy_app, name="policy")
app.add_typer(hold_app, name="hold")
ClientReq = Annotated[str, typer.Option("--client", "-c", help="Client slug.")]
PlanArg = Annotated[str, typer.Argument(help="Disposal plan reference, e.g. DP-0001.")]
PLAN_COLUMNS = [
    "ref",
    "client",
    "status",
    "method",
    "items",
    "bytes",
    "created_by",
    "created_at",
    "approved_by",
    "approved_at",
    "finished_at",
]
ITEM_COLUMNS = [
    "seq",
    "path",
    "size",
    "sha256",
    "category",
    "reason",
    "status",
    "outcome",
    "operator",
    "disposed_at",
]


def register(cli: typer.Typer) -> None:
    """Attach the retention command group."""
    cli.add_typer(app, name="retention")


@policy_app.command("load")
def policy_load(ctx: typer.Context, path: Annotated[Path, typer.Argument()]) -> None:
    """Load a retention policy file (YAML); it replaces the rules of every client."""
    ws = workspace(ctx)
    from dataward.retention import service

    counts = service.load_policy(ws, path)
    emit(
        [{"client": k, "rules": v} for k, v in counts.items()],
        ["client", "rules"],
        Format.TABLE,
        "Retention rules loaded",
    )


@policy_app.command("show")
def policy_show(ctx: typer.Context, client: ClientReq, fmt: FormatOpt = Format.TABLE) -> None:
    """Show the rules in force for a client (from the policy file or the client's record)."""
    ws = workspace(ctx)
    from dataward.core.engine.permissions import Action
    from dataward.retention import readers, service

    rules, origin = readers.rules(service.client_of(ws, client, Action.VIEW))
    rows = [vars(r) | {"from": origin} for r in rules]
    emit(
        rows,
        ["client", "category", "keep_days", "location", "path", "note", "from"],
        fmt,
        f"Retention rules of {client}",
    )


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    client: ClientReq,
    matter: Annotated[str, typer.Option(help="The legal matter or case.")],
    reason: Annotated[str, typer.Option(help="Why the data must be kept.")],
    path: Annotated[str, typer.Option(help="Glob of the paths it covers.")] = "",
    category: Annotated[str, typer.Option(help="Data category it covers.")] = "",
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Place a legal hold by path glob and/or data category (no disposal touches it)."""
    ws = workspace(ctx)
    from dataward.retention import service

    h = service.add_hold(ws, client, matter=matter, reason=reason, path=path, category=category)
    emit([_hold_row(h)], HOLD_COLUMNS, fmt, "Legal hold placed")


@hold_app.command("release")
def hold_release(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Hold reference, e.g. LH-0001.")],
    reason: Annotated[str, typer.Option(help="Why the hold ends.")],
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Release a legal hold (who and why are kept)."""
    ws = workspace(ctx)
    from dataward.retention import service

    emit([_hold_row(service.release_hold(ws, ref, reason))], HOLD_COLUMNS, fmt, "Hold released")


@hold_app.command("list")
def hold_list(ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE) -> None:
    """List legal holds."""
    ws = workspace(ctx)
    from dataward.retention import service

    emit([_hold_row(h) for h in service.holds(ws, client)], HOLD_COLUMNS, fmt, "Legal holds")


HOLD_COLUMNS = [
    "ref",
    "client",
    "matter",
    "path",
    "category",
    "reason",
    "placed_by",
    "placed_at",
    "released_by",
    "released_at",
]


def _hold_row(h: Any) -> dict[str, Any]:
    """Return a hold as a row."""
    return {c: getattr(h, c) for c in HOLD_COLUMNS if c != "client"} | {"client": h.client.slug}


@app.command("overdue")
def overdue(
    ctx: typer.Context, client: ClientReq, fmt: FormatOpt = Format.TABLE, output: OutputOpt = None
) -> None:
    """List files past their retention (held ones named) and extracts kept twice."""
    ws = workspace(ctx)
    from dataward.retention import service

    rows = service.overdue_rows(ws, client)
    emit(
        rows,
        [
            "client",
            "problem",
            "location",
            "category",
            "age_days",
            "keep_days",
            "size",
            "records",
            "held_by",
            "note",
        ],
        fmt,
        f"Retention of {client}",
        output,
    )


@app.command("measure")
def measure(
    ctx: typer.Context,
    client: ClientReq,
    connect: Annotated[
        list[str], typer.Option(help="URL of a scanned database (its password is not stored).")
    ] = [],  # noqa: B006
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Count rows past retention by the date column a rule names (spreadsheets, tables)."""
    ws = workspace(ctx)
    from dataward.retention.measure import measure as run

    rows = run(ws, client, connect)
    emit(rows, ["location", "category", "column", "keep_days", "rows", "expired", "undated",
                "oldest", "problem"], fmt, f"Rows past retention of {client}")  # fmt: skip


@app.command("plan")
def plan(
    ctx: typer.Context,
    client: ClientReq,
    method: Annotated[str, typer.Option(help="delete, or overwrite (then delete).")] = "delete",
    note: Annotated[str, typer.Option(help="A note for the approver.")] = "",
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Write a disposal plan: every file past retention and free of holds, hashed now."""
    ws = workspace(ctx)
    from dataward.retention import service

    made, left_out = service.make_plan(ws, client, method, note)
    for location, why in left_out:
        err.print(f"warning: {location} left out of the plan: {why}", markup=False)
    err.print(
        f"plan {made.ref} written; another user approves it: "
        f"`dataward retention approve {made.ref}`"
    )
    emit([_plan_row(made)], PLAN_COLUMNS, fmt, "Disposal plan")


@app.command("plans")
def plans(ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE) -> None:
    """List disposal plans, newest first."""
    ws = workspace(ctx)
    from dataward.retention import service

    emit([_plan_row(p) for p in service.plans(ws, client)], PLAN_COLUMNS, fmt, "Disposal plans")


@app.command("show")
def show(
    ctx: typer.Context, ref: PlanArg, fmt: FormatOpt = Format.TABLE, output: OutputOpt = None
) -> None:
    """Show a plan's items: what was planned and what happened to each."""
    ws = workspace(ctx)
    from dataward.retention import service

    found = service.plan_of(ws, ref)
    rows = [
        {
            "seq": i.seq,
            "path": i.path,
            "size": i.size,
            "sha256": i.sha256,
            "category": i.category,
            "reason": i.reason,
            "status": i.status,
            "outcome": i.outcome,
            "operator": i.operator,
            "disposed_at": i.disposed_at,
        }
        for i in service.items(found)
    ]
    emit(rows, ITEM_COLUMNS, fmt, f"{found.ref} ({found.status})", output)


@app.command("approve")
def approve(ctx: typer.Context, ref: PlanArg, fmt: FormatOpt = Format.TABLE) -> None:
    """Approve a draft plan (four eyes: not the user who made it)."""
    ws = workspace(ctx)
    from dataward.retention import service

    emit([_plan_row(service.approve(ws, ref))], PLAN_COLUMNS, fmt, "Disposal plan")


@app.command("dispose")
def dispose(
    ctx: typer.Context,
    ref: PlanArg,
    execute: Annotated[
        bool, typer.Option(help="Really remove the files (default: dry run).")
    ] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Rehearse an approved plan, or execute it with --execute; resumes where it stopped.

    Each item is re-checked first: a legal hold, a change since planning (size or SHA-256), a
    symlink on its path or a path leaving its root refuses it and leaves it untouched.
    """
    ws = workspace(ctx)
    from dataward.retention import execute as runner

    steps = runner.run(ws, ref, execute=execute)
    if not execute:
        err.print("dry run: nothing was removed; add --execute to dispose")
    rows = [{"seq": s.seq, "path": s.path, "action": s.action, "reason": s.reason} for s in steps]
    emit(
        rows,
        ["seq", "path", "action", "reason"],
        fmt,
        f"{ref} {'executed' if execute else 'dry run'}",
    )


@app.command("certificate")
def certificate(
    ctx: typer.Context,
    ref: PlanArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    kind: Annotated[str, typer.Option("--kind", help="pdf or csv.")] = "pdf",
) -> None:
    """Write the certificate of disposal of a plan's disposed items (NIST SP 800-88 style)."""
    ws = workspace(ctx)
    from dataward.retention import certify

    if kind not in ("pdf", "csv"):
        raise DatawardError(f"unknown kind {kind!r}", "--kind", "use pdf or csv")
    count = certify.write(ws, ref, output, kind)
    err.print(f"wrote {output} ({count} disposed items)")


def _plan_row(p: Any) -> dict[str, Any]:
    """Return a plan as a row."""
    from dataward.retention.models import DisposalItem

    rows = DisposalItem.objects.for_client(p.client).filter(plan=p)
    return {
        "ref": p.ref,
        "client": p.client.slug,
        "status": p.status,
        "method": p.method,
        "items": rows.count(),
        "bytes": sum(rows.values_list("size", flat=True)),
        "created_by": p.created_by,
        "created_at": p.created_at,
        "approved_by": p.approved_by,
        "approved_at": p.approved_at,
        "finished_at": p.finished_at,
    }
