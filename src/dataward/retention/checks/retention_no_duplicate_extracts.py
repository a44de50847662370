"""Check that the same extract is not kept in several places."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.retention.engine.overdue import duplicate_extracts


@check(
    id="retention_no_duplicate_extracts",
    title="The same extract is not kept in several places",
    severity="medium",
    risk=(
        "Every copy of an extract must be found, protected and disposed of; forgotten copies "
        "outlive the retention of the original and leak when nobody remembers them."
    ),
    remediation=(
        "Keep one copy in the approved location and dispose of the others through a disposal plan."
    ),
)
def retention_no_duplicate_extracts(view: WorkspaceView) -> Iterator[Result]:
    """Fail once per original for each copy of it (same bytes or same sensitive values)."""
    data = view.read("retention")
    if not data["scanned"]:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no completed scan of this client")
        return
    found = duplicate_extracts(data["holdings"], data["fingerprints"])
    for d in found:
        kind = "a forgotten copy outside the approved locations" if d.forgotten else "a copy"
        yield Result(
            Status.FAIL,
            d.original,
            f"{kind} ({d.how}, {d.shared} sensitive values) is kept at {d.copy}",
            ({"original": d.original, "copy": d.copy, "how": d.how, "shared": d.shared},),
        )
    if not found:
        yield Result(Status.PASS, view.client.slug, "no extract is kept twice")
