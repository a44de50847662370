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
    from dataward.demo.run import latest_failures

    planted = [
        p
        for p in ctx.manifest["planted"]
        if p["area"] == "governance" and p["expect"]["check"].startswith(CHECK_PREFIX)
    ]
    found: set[str] = set()
    alarms: set[str] = set()
    for client, res in latest_failures(CHECK_PREFIX):
        hits = [p for p in planted if _matches(p, client.slug, res.check_id, res.subject)]
        found |= {p["id"] for p in hits}
        if not hits:
            alarms.add(f"{client.slug}: {res.check_id} on {res.subject}")
    return [AreaOutcome("governance", tuple(sorted(found)), tuple(sorted(alarms)))]


def _matches(problem: dict[str, Any], client: str, check_id: str, subject: str) -> bool:
    """Return whether a failure is the planted problem: same client, check and subject."""
    expect = problem["expect"]
    return (problem["client"], expect["check"], expect["subject"]) == (client, check_id, subject)
