"""Check that everyone working on a client is current on the courses that client requires."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.training.checks._common import results
from dataward.training.engine.rules import required_courses


@check(
    id="training_required_courses_current",
    title="Staff working on the client are current on every required course",
    severity="medium",
    risk=(
        "Staff who have not had (or renewed) security awareness and the client's data-handling "
        "training handle its data without knowing the rules, and the client's audit finds the gap."
    ),
    remediation=(
        "Have each person listed complete the overdue course in the LMS (their manager is "
        "reminded), then re-import the completions with dataward training import completions."
    ),
)
def training_required_courses_current(view: WorkspaceView) -> Iterator[Result]:
    """Judge the workforce-wide and the client's courses of everyone assigned to the client."""
    yield from results(required_courses(view.read("training_data")))
