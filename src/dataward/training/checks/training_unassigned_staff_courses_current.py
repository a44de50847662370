"""Check that staff with no client assignment are current on the workforce-wide courses."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.training.checks._common import results
from dataward.training.engine.rules import required_courses


@check(
    id="training_unassigned_staff_courses_current",
    title="Staff without a client assignment are current on the workforce-wide courses",
    severity="medium",
    risk=(
        "Support, IT and head-office staff reach shared systems and client data indirectly; "
        "without current awareness training they are the easiest way in."
    ),
    remediation=(
        "Have each person listed complete the overdue course in the LMS, then re-import the "
        "completions with dataward training import completions."
    ),
    scope="operation",
)
def training_unassigned_staff_courses_current(view: WorkspaceView) -> Iterator[Result]:
    """Judge the workforce-wide courses of current staff the roster assigns to no client."""
    yield from results(required_courses(view.read("training_data"), unassigned=True))
