"""Import the demo estate's vendor register and verify the planted governance problems."""

from __future__ import annotations

from typing import Any

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "vendors_"
REGISTER = "vendors/vendors.csv"


def import_estate(ctx: Any) -> None:
    """Import vendors/vendors.csv as `dataward vendors import` would."""
    from dataward.vendors.store import import_register

    path = ctx.estate / REGISTER
    if not path.is_file():
        return
    row = import_register(ctx.ws, path)
    ctx.console.print(
        f"vendors: {row['added']} added, {row['updated']} updated, {row['unchanged']} unchanged"
    )


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return which planted vendor problems the checks raised, and any other failure."""
    from dataward.demo.run import latest_failures

    planted = [
        p
        for p in ctx.manifest["planted"]
        if p["area"] == "governance"
        and str(p.get("expect", {}).get("check", "")).startswith(CHECK_PREFIX)
    ]
    found: set[str] = set()
    alarms: set[str] = set()
    for client, res in latest_failures(CHECK_PREFIX):
        hits = [p for p in planted if _matches(p, res.check_id, res.subject)]
        found |= {p["id"] for p in hits}
        if not hits:
            alarms.add(f"{client.slug}: {res.check_id} on {res.subject}")
    return [AreaOutcome("governance", tuple(sorted(found)), tuple(sorted(alarms)))]


def _matches(problem: dict[str, Any], check_id: str, subject: str) -> bool:
    """Return whether a failure is the planted problem: same check, same vendor."""
    expect = problem.get("expect", {})
    return check_id in {expect.get("check"), *expect.get("also", [])} and subject == expect.get(
        "subject"
    )
