"""Check that files holding sensitive data are not kept past the client's retention period."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.discovery.checks._common import inventory_rows, not_scanned
from dataward.discovery.engine.inventory import stale


@check(
    id="discovery_no_stale_sensitive_files",
    title="Sensitive files are not kept past their retention period",
    severity="medium",
    risk="Data kept longer than the contract allows widens the harm of any breach and breaks "
    "storage-limitation duties.",
    remediation="Dispose of the file (or the records in it) under an approved disposal plan, "
    "or record why it must be kept.",
)
def discovery_no_stale_sensitive_files(view: WorkspaceView) -> Iterator[Result]:
    """Fail each file whose age exceeds the shortest retention period of what it holds."""
    rows = inventory_rows(view)
    if rows is None:
        yield from not_scanned(view)
        return
    old = stale(rows, view.client.retention_rules, view.now)
    for location, (age, days, category) in sorted(old.items()):
        summary = f"{location} was last changed {age} days ago; {category} is kept {days} days"
        yield Result(
            Status.FAIL,
            location,
            summary,
            ({"location": location, "age_days": age, "limit_days": days, "category": category},),
        )
    if not old:
        yield Result(Status.PASS, view.client.slug, "no sensitive file is past its retention")
