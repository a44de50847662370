"""Check that every vendor in scope has been reviewed and its next review is not overdue."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.vendors.checks._common import results
from dataward.vendors.engine.rules import reviews


@check(
    id="vendors_reviews_current",
    title="Vendors touching the data are reviewed on schedule",
    severity="high",
    scope="any",
    risk=(
        "A vendor whose security is not reassessed can weaken without anyone noticing, and every "
        "client whose data it holds inherits the weakness."
    ),
    remediation=(
        "Review the vendor and record it: dataward vendors review VENDOR --on DATE "
        "(high tier every 12 months, medium 24, low 36); offboard vendors you no longer use."
    ),
)
def vendors_reviews_current(view: WorkspaceView) -> Iterator[Result]:
    """Judge each active vendor of this client (for the operation: those touching no client)."""
    scope = view.read("vendors_in_scope")
    yield from results(view, reviews(scope.vendors, view.now.date()), "no vendor to judge")
