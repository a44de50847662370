"""Check that every alert is triaged within its level's SLA."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import untriaged


@check(
    id="monitoring_alerts_triaged_within_sla",
    title="Every alert is triaged within its SLA",
    severity="high",
    scope="any",
    risk=(
        "An alert nobody looks at detects nothing: the mass export or the leaver's login is "
        "found months later, by the client."
    ),
    remediation=(
        "Triage each new alert (dataward alerts triage / escalate) and set SLAs per level in "
        "monitoring.yaml that the team can meet."
    ),
)
def monitoring_alerts_triaged_within_sla(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert still new after its level's SLA."""
    yield from results(untriaged(data(view)))
