"""Show the risk register the demo's assessments raised, one line per client and rating."""

from __future__ import annotations

from typing import Any

from rich.table import Table


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
