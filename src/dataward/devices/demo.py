"""Import the demo estate's device policy and inventories, and verify the planted problems."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "devices_"
AREA = "devices"


def import_estate(ctx: Any) -> None:
    """Load the device policy, then import the Intune and Jamf inventories as the commands do."""
    from dataward.devices import service

    folder = ctx.estate / "devices"
    if not (folder / "intune_devices.csv").is_file():
        return
    if (folder / "device_policy.yaml").is_file():
        service.load_policy(ctx.ws, folder / "device_policy.yaml")
    service.run_import(ctx.ws, "intune", folder / "intune_devices.csv")
    service.run_import(ctx.ws, "jamf", folder / "jamf_devices.json")
    _show(ctx)


def _show(ctx: Any) -> None:
    """Print the failing devices, as an endpoint lead would look first."""
    from dataward.devices import service

    rows = service.list_rows(ctx.ws, None, failing=True)
    table = Table(title="Devices (dataward devices list --failing)", title_justify="left")
    for name in ("device", "employee_id", "job_role", "location", "failing"):
        table.add_column(name.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(
            row["device"],
            row["employee_id"],
            row["job_role"],
            row["location"],
            ", ".join(row["failing"]),
        )
    ctx.console.print(table)


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the device checks raised: planted problems found, anything else alarmed."""
    from dataward.demo.run import area_outcome, by_check_and_subject

    planted = [p for p in ctx.manifest["planted"] if p["area"] == AREA]
    return [area_outcome(AREA, CHECK_PREFIX, planted, by_check_and_subject)]
