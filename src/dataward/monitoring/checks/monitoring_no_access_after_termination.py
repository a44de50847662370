"""Check for access by people after their termination date: fail on alerts of its rules."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_access_after_termination",)


@check(
    id="monitoring_no_access_after_termination",
    title="No access by people after their termination date",
    severity="critical",
    scope="any",
    risk=("A leaver who can still get in holds client data with no contract binding them."),
    remediation=(
        "Disable the account now, review what it accessed, and fix the leaver process that missed "
        "it."
    ),
)
def monitoring_no_access_after_termination(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "access after termination"))
