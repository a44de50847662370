"""Check for mass export of client records: fail on alerts of its rules."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_mass_export", "bpo_many_exports")


@check(
    id="monitoring_no_mass_exports",
    title="No mass export of client records",
    severity="high",
    scope="any",
    risk=(
        "A bulk extract of client records is how a client's data leaves a BPO, whether by an "
        "insider or a stolen account."
    ),
    remediation=(
        "Investigate each alert: confirm the business reason with the client, or escalate it; limit"
        " bulk exports to named service accounts."
    ),
)
def monitoring_no_mass_exports(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "mass exports"))
