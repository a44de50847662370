"""Check that the rules below raised no alert in the lookback window."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_unassigned_client_access",)


@check(
    id="monitoring_no_unassigned_client_access",
    title="No access to a client's data by staff not assigned to that client",
    severity="high",
    scope="any",
    risk=(
        "Cross-client access breaks the separation each client's contract requires and exposes one "
        "client's data to another's team."
    ),
    remediation=(
        "Remove the access, or record the assignment on the HR roster if it is legitimate, and "
        "review how the account got in."
    ),
)
def monitoring_no_unassigned_client_access(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "access by staff not assigned to the client"))
