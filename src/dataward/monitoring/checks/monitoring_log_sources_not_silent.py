"""Check that every expected log source has sent events recently."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import silent


@check(
    id="monitoring_log_sources_not_silent",
    title="Every expected log source has sent events recently",
    severity="high",
    scope="any",
    risk=(
        "A log source that went quiet (a broken forwarder, a rotated file, a disabled audit "
        "policy) blinds every rule that reads it, and nothing else says so."
    ),
    remediation=(
        "Restore the forwarder or export job and re-ingest the gap; declare the cadence with "
        "`dataward logs sources add NAME --expect-every HOURS`."
    ),
)
def monitoring_log_sources_not_silent(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each expected source silent for longer than its cadence."""
    yield from results(silent(data(view)))
