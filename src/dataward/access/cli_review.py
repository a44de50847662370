"""The `dataward access review` and `dataward access exception` commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, OutputOpt, day_option, workspace
from dataward.errors import DatawardError
from dataward.output import Format, emit, err, write_xlsx

if TYPE_CHECKING:
    from dataward.core.models import Client
    from dataward.core.workspace import Workspace

review = typer.Typer(help="Access review campaigns: start, decide, close, export.")
exception = typer.Typer(help="Time-boxed exceptions to the access rules.")
CampaignArg = Annotated[int, typer.Argument(help="Campaign number (see review list).")]
EXPORT_COLUMNS = [
    "campaign", "item", "system", "account", "permission", "action", "employee_id", "person",
    "reason", "decided_by", "decided_at", "verified",
]  # fmt: skip


def register(app: typer.Typer) -> None:
    """Attach the review and exception groups to `dataward access`."""
    app.add_typer(review, name="review")
    app.add_typer(exception, name="exception")


def _client(ctx: typer.Context, slug: str | None) -> tuple[Workspace, Client]:
    """Return the workspace and the named client (required here)."""
    if not slug:
        raise typer.BadParameter("name the client", param_hint="--client")
    ws = workspace(ctx)
    from dataward.core.clients import get

    return ws, get(ws, slug)


@review.command("start")
def start(
    ctx: typer.Context,
    client: ClientOpt = None,
    name: Annotated[str, typer.Option(help="Campaign name.")] = "",
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD.")] = None,
) -> None:
    """Create one review item per person x entitlement on the client's systems, by manager."""
    ws, c = _client(ctx, client)
    from dataward.access import reviews

    camp = reviews.start(ws, c, name, day_option(due, "--due"))
    count = len(reviews.items(c, camp))
    err.print(f"campaign {camp.id} ({camp.name}): {count} items to review")
    print(camp.id)


@review.command("list")
def list_(ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE) -> None:
    """List the client's campaigns with their progress."""
    _, c = _client(ctx, client)
    from dataward.access.models import ReviewCampaign, ReviewItem

    rows = []
    for camp in ReviewCampaign.objects.for_client(c).order_by("id"):
        items = ReviewItem.objects.for_client(c).filter(campaign=camp)
        rows.append(
            {
                "id": camp.id,
                "name": camp.name,
                "status": camp.status,
                "started": camp.started_at,
                "due": camp.due,
                "items": items.count(),
                "pending": items.filter(decision="pending").count(),
                "revoke": items.filter(decision__in=("revoke", "modify")).count(),
                "closed": camp.closed_at,
            }  # fmt: skip
        )
    emit(rows, ["id", "name", "status", "started", "due", "items", "pending", "revoke", "closed"],
         fmt, "Access reviews")  # fmt: skip


@review.command("items")
def items(
    ctx: typer.Context,
    campaign: CampaignArg,
    client: ClientOpt = None,
    manager: Annotated[str, typer.Option(help="Only this manager's people (employee id).")] = "",
    pending: Annotated[bool, typer.Option(help="Only undecided items.")] = False,
    fmt: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """List a campaign's items, grouped by manager, with what the rules say about each."""
    _, c = _client(ctx, client)
    from dataward.access import reviews

    camp = reviews.campaign(c, campaign)
    rows = reviews.items(c, camp, manager, pending)
    emit(rows, reviews.ITEM_COLUMNS, fmt, f"Campaign {campaign}", output)


@review.command("decide")
def decide(
    ctx: typer.Context,
    campaign: CampaignArg,
    numbers: Annotated[list[int] | None, typer.Argument(help="Item numbers.")] = None,
    client: ClientOpt = None,
    certify: Annotated[bool, typer.Option("--certify", help="Keep the access.")] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="Remove the access.")] = False,
    modify_to: Annotated[
        str, typer.Option("--modify-to", help="Replace the permission with this one.")
    ] = "",
    comment: Annotated[str, typer.Option(help="Why (required to revoke or modify).")] = "",
    manager: Annotated[
        str, typer.Option(help="Decide all pending items of this manager's people at once.")
    ] = "",
) -> None:
    """Certify, revoke or modify review items (by number, or in bulk for a manager)."""
    chosen = [
        d for d, on in (("certify", certify), ("revoke", revoke), ("modify", modify_to)) if on
    ]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one", param_hint="--certify/--revoke/--modify-to")
    ws, c = _client(ctx, client)
    from dataward.access import reviews

    camp = reviews.campaign(c, campaign)
    done = reviews.decide(ws, c, camp, numbers or [], chosen[0], comment, modify_to, manager)
    err.print(f"{chosen[0]}: {done} items recorded in campaign {campaign}")


@review.command("close")
def close(ctx: typer.Context, campaign: CampaignArg, client: ClientOpt = None) -> None:
    """Close a campaign once every item is decided."""
    ws, c = _client(ctx, client)
    from dataward.access import reviews

    camp = reviews.campaign(c, campaign)
    revokes = reviews.close(ws, c, camp)
    err.print(f"campaign {campaign} closed; {revokes} revocations for the identity team")


@review.command("export")
def export(
    ctx: typer.Context,
    campaign: CampaignArg,
    client: ClientOpt = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write (.csv or .xlsx).")
    ] = Path("revocations.csv"),
) -> None:
    """Write the revocation list (revoke and modify decisions) for the identity team."""
    ws, c = _client(ctx, client)
    from dataward.access import reviews
    from dataward.core.engine.permissions import Action

    ws.require(Action.EXPORT, c.slug)
    camp = reviews.campaign(c, campaign)
    rows = reviews.revocations(c, camp)
    if output.suffix.lower() == ".xlsx":
        write_xlsx(rows, EXPORT_COLUMNS, output, "Revocations")
        err.print(f"wrote {output}")
    elif output.suffix.lower() == ".csv":
        emit(rows, EXPORT_COLUMNS, Format.CSV, "Revocations", output)
    else:
        raise DatawardError("unknown file type", str(output), "end the name in .csv or .xlsx")


@exception.command("add")
def exception_add(
    ctx: typer.Context,
    client: ClientOpt = None,
    account: Annotated[str, typer.Option(help="Account the exception is for.")] = "",
    system: Annotated[str, typer.Option(help="System key, or * for all.")] = "*",
    permission: Annotated[str, typer.Option(help="Permission, or * for all.")] = "*",
    ends: Annotated[str, typer.Option(help="Last day in force, YYYY-MM-DD.")] = "",
    reason: Annotated[str, typer.Option(help="Why the access is needed.")] = "",
    approved_by: Annotated[str, typer.Option(help="dataward user who approved it.")] = "",
    starts: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Record a time-boxed exception, approved by another user allowed to approve."""
    if not account or not ends or not approved_by:
        raise typer.BadParameter("give --account, --ends and --approved-by")
    ws, c = _client(ctx, client)
    from dataward.access import exceptions

    end_day = day_option(ends, "--ends")
    assert end_day is not None
    rec = exceptions.add(
        ws, c, account=account, system=system, permission=permission, ends=end_day,
        reason=reason, approved_by=approved_by, starts=day_option(starts, "--starts"),
    )  # fmt: skip
    err.print(f"exception {rec.ref} recorded until {rec.ends}")


@exception.command("list")
def exception_list(
    ctx: typer.Context, client: ClientOpt = None, fmt: FormatOpt = Format.TABLE
) -> None:
    """List the client's access exceptions and whether each is in force."""
    ws, c = _client(ctx, client)
    from dataward.access import exceptions

    emit(exceptions.rows(ws, c), exceptions.COLUMNS, fmt, "Access exceptions")
