"""Check that the same sensitive extract is not kept in several places."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.discovery.checks._common import inventory_rows, not_scanned
from dataward.discovery.engine.inventory import duplicates


@check(
    id="discovery_no_duplicate_extracts",
    title="Sensitive extracts are not duplicated",
    severity="medium",
    risk="Every copy of an extract is one more place to protect, review and dispose of.",
    remediation="Keep one copy in an approved location and delete the others.",
)
def discovery_no_duplicate_extracts(view: WorkspaceView) -> Iterator[Result]:
    """Fail each pair of files that hold (nearly) the same sensitive values."""
    if inventory_rows(view) is None:
        yield from not_scanned(view)
        return
    pairs = duplicates(view.read("discovery_fingerprints"))
    for original, copy, shared in pairs:
        summary = f"{copy} repeats {shared} sensitive values of {original}"
        yield Result(
            Status.FAIL,
            original,
            summary,
            ({"original": original, "copy": copy, "shared": shared},),
        )
    if not pairs:
        yield Result(Status.PASS, view.client.slug, "no file repeats another's sensitive values")
