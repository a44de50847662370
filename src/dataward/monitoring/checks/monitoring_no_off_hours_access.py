"""Check that the rules below raised no alert in the lookback window."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_off_hours_access",)


@check(
    id="monitoring_no_off_hours_access",
    title="No access to client data outside the client's working hours",
    severity="medium",
    scope="any",
    risk=(
        "Access outside agreed hours is unsupervised and often the first sign of a misused account."
    ),
    remediation=(
        "Confirm each case with the team lead (approved overtime) or escalate it; restrict sign-in "
        "to shift hours where the client system allows."
    ),
)
def monitoring_no_off_hours_access(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "off-hours access"))
