"""Import the demo estate's identities and access, run one review per client, verify the oracle."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "access_"


def import_estate(ctx: Any) -> None:
    """Import HR, directory and entitlements as the commands would, then review each client."""
    from dataward.access import service
    from dataward.core.models import Client

    estate = ctx.estate
    if not (estate / "hr" / "hr_roster.csv").is_file():
        return
    service.run_import(ctx.ws, "hr", [str(estate / "hr" / "hr_roster.csv")])
    service.run_import(ctx.ws, "directory", [str(estate / "directory" / "directory_users.csv")])
    for slug in ctx.manifest["clients"]:
        matrix = estate / "access" / f"{slug}_role_matrix.yaml"
        if matrix.is_file():
            service.load_matrix(ctx.ws, matrix, slug)
        for export in sorted((estate / "entitlements").glob(f"{slug}_*.csv")):
            service.run_import(ctx.ws, "entitlements", [str(export)], client=slug)
        _review(ctx, Client.objects.get(slug=slug))
    _show(ctx)


def _review(ctx: Any, client: Any) -> None:
    """Review the access as a reviewer would: revoke what the rules flag, certify the rest."""
    from dataward.access import reviews

    camp = reviews.start(ctx.ws, client, f"{client.slug} quarterly access review")
    rows = reviews.items(client, camp)
    flagged = [r["number"] for r in rows if r["flags"]]
    kept = [r["number"] for r in rows if not r["flags"]]
    if flagged:
        reason = "flagged by dataward's access rules"
        reviews.decide(ctx.ws, client, camp, flagged, "revoke", reason)
    if kept:
        reviews.decide(ctx.ws, client, camp, kept, "certify")
    reviews.close(ctx.ws, client, camp)


def _show(ctx: Any) -> None:
    """Print what the access rules find, per client."""
    from dataward.access import service

    rows = service.violation_rows(ctx.ws, None, [])
    table = Table(title="Access (dataward access violations)", title_justify="left")
    for name in ("client", "check", "subject", "summary"):
        table.add_column(name, overflow="fold")
    for row in rows:
        if row["status"] == "fail":
            table.add_row(
                row["client"],
                row["check"].removeprefix(CHECK_PREFIX),
                row["subject"],
                row["summary"],
            )
    ctx.console.print(table)


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the access checks raised: planted problems found, anything else alarmed."""
    from dataward.demo.run import area_outcome, by_check_and_subject

    planted = [p for p in ctx.manifest["planted"] if p["area"] == "access"]
    return [area_outcome("access", CHECK_PREFIX, planted, by_check_and_subject)]
