"""Import the demo estate's incident register and verify the planted governance problem."""

from __future__ import annotations

from typing import Any

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "incidents_"
REGISTER = "incidents/incidents.json"


def import_estate(ctx: Any) -> None:
    """Import incidents/incidents.json as `dataward incidents import` would."""
    from dataward.incidents.register import import_register

    path = ctx.estate / REGISTER
    if not path.is_file():
        return
    row = import_register(ctx.ws, path)
    ctx.console.print(f"incidents: {row['imported']} imported, {row['unchanged']} unchanged")


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return the governance plants the incidents checks found, and anything else they failed."""
    from dataward.demo.run import area_outcome

    planted = [
        p
        for p in ctx.manifest["planted"]
        if p["area"] == "governance" and p["expect"]["check"].startswith(CHECK_PREFIX)
    ]
    return [area_outcome("governance", CHECK_PREFIX, planted, _matches)]


def _matches(problem: dict[str, Any], client: Any, res: Any) -> bool:
    """Return whether a failure is the planted problem: same client, check and subject."""
    expect = problem["expect"]
    got = (client.slug, res.check_id, res.subject)
    return (problem["client"], expect["check"], expect["subject"]) == got
