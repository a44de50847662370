"""Check that every client system has a log source."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import coverage


@check(
    id="monitoring_logging_coverage",
    title="Every client system is covered by a log source",
    severity="medium",
    risk=(
        "A client system whose access is not logged cannot show who read or exported the "
        "client's data, and no rule can alert on it."
    ),
    remediation=(
        "Forward the system's access log and declare it: `dataward logs sources add NAME "
        "--system SYSTEM`."
    ),
)
def monitoring_logging_coverage(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each system known from the client's entitlements that no source covers."""
    yield from results(coverage(data(view)))
