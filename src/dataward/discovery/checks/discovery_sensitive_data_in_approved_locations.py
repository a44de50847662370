"""Check that sensitive data sits only where the client approved that category of data."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.discovery.checks._common import (
    by_location,
    counts,
    evidence,
    inventory_rows,
    not_scanned,
)
from dataward.discovery.engine.inventory import approved_for


@check(
    id="discovery_sensitive_data_in_approved_locations",
    title="Sensitive data is only in approved locations",
    severity="high",
    risk="Data outside approved locations escapes the access rules and retention that protect it.",
    remediation="Move the file to an approved location or delete it, or approve the location "
    "for that category in the client record (PATH=CAT,CAT).",
)
def discovery_sensitive_data_in_approved_locations(view: WorkspaceView) -> Iterator[Result]:
    """Fail each location holding a category of data not approved there."""
    rows = inventory_rows(view)
    if rows is None:
        yield from not_scanned(view)
        return
    entries = view.client.approved_locations
    bad = 0
    for location, held in by_location(rows).items():
        wrong = [r for r in held if not approved_for(location, r.category, entries)]
        if wrong:
            bad += 1
            cats = ", ".join(sorted({r.category for r in wrong}))
            summary = f"{location} holds {cats} data outside approved locations ({counts(wrong)})"
            yield Result(Status.FAIL, location, summary, evidence(wrong))
    if not bad:
        n = len(by_location(rows))
        summary = f"all {n} locations with sensitive data are approved for what they hold"
        yield Result(Status.PASS, view.client.slug, summary)
