"""Show the risk register the demo's assessments raised, one line per client and rating."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dataward.demo.oracle import AreaOutcome

PREFIX = "risks_"


def show(ctx: Any) -> None:
    """Print how many open risks each client has, by rating."""
    from dataward.risks import service

    counts: dict[str, dict[str, int]] = {}
    for row in service.rows(ctx.ws, None):
        per = counts.setdefault(row["client"], {})
        per[row["rating"]] = per.get(row["rating"], 0) + 1
    table = Table(title="Risk register (dataward risks list)", title_justify="left")
    for name in ("client", "critical", "high", "medium", "low"):
        table.add_column(name)
    for client, per in sorted(counts.items()):
        table.add_row(client, *(str(per.get(b, 0)) for b in ("critical", "high", "medium", "low")))
    ctx.console.print(table)


def import_register(ctx: Any) -> None:
    """Import the operation's existing register from the estate, as `risks import` would."""
    from dataward.risks import importer

    path = ctx.estate / "governance" / "risk_register.csv"
    if path.is_file():
        importer.run(ctx.ws, path, None)


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the register's checks raised: planted problems found, anything else alarmed.

    A check names a risk by its dataward reference; the manifest by the register's own id.
    """
    from dataward.demo.run import area_outcome
    from dataward.risks.models import Risk

    planted = [p for p in ctx.manifest["planted"] if p["expect"]["check"].startswith(PREFIX)]

    def matches(problem: dict[str, Any], client: Any, res: Any) -> bool:
        risk = Risk.objects.for_client(client).filter(ref=res.subject).first()
        theirs = risk.external_ref if risk is not None else ""
        slug = None if client.is_operation else client.slug  # the manifest's client of a plant
        expect = problem["expect"]
        return (problem["client"], expect["check"], expect["subject"]) == (
            slug, res.check_id, theirs,
        )  # fmt: skip

    return [area_outcome("governance", PREFIX, planted, matches)]
