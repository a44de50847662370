"""Import the demo estate's training records and verify the planted training problems."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "training_"
AREA = "governance"


def import_estate(ctx: Any) -> None:
    """Load the estate's requirements, then import its LMS and phishing exports."""
    from dataward.training import service

    folder = ctx.estate / "training"
    requirements = folder / "requirements.yaml"
    if not requirements.is_file():
        return
    service.load_requirements(ctx.ws, requirements)
    service.run_import(ctx.ws, "completions", folder / "completions.csv")
    service.run_import(ctx.ws, "phishing", folder / "phishing_results.csv")
    _show(ctx)


def _show(ctx: Any) -> None:
    """Print the overdue courses, as a training coordinator would look first."""
    from dataward.training import service

    rows = service.status_rows(ctx.ws, None, overdue=True)
    table = Table(title="Training (dataward training status --overdue)", title_justify="left")
    for name in ("employee_id", "job_role", "title", "due", "days"):
        table.add_column(name.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(
            row["employee_id"], row["job_role"], row["title"], str(row["due"]), str(row["days"])
        )
    ctx.console.print(table)


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the training checks raised: planted problems found, anything else alarmed."""
    from dataward.demo.run import area_outcome, by_check_and_subject

    planted = [
        p
        for p in ctx.manifest["planted"]
        if p["area"] == AREA and str(p["expect"].get("check", "")).startswith(CHECK_PREFIX)
    ]
    return [area_outcome(AREA, CHECK_PREFIX, planted, by_check_and_subject)]
