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
    from dataward.demo.run import area_outcome, by_check_and_subject

    planted = [
        p
        for p in ctx.manifest["planted"]
        if p["area"] == "governance"
        and str(p.get("expect", {}).get("check", "")).startswith(CHECK_PREFIX)
    ]
    return [area_outcome("governance", CHECK_PREFIX, planted, by_check_and_subject)]
