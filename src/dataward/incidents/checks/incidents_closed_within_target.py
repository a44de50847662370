"""Check that incidents affecting the client are closed, with lessons learned, on time."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.incidents.engine.targets import (
    CLOSE_TARGET_DAYS,
    IncidentFacts,
    close_by,
    open_past_target,
)
from dataward.incidents.engine.when import stamp

TARGETS = ", ".join(f"{s} {d} days" for s, d in CLOSE_TARGET_DAYS.items())


@check(
    id="incidents_closed_within_target",
    title="Incidents are closed with lessons learned within the target time for their severity",
    severity="medium",
    risk=(
        "An incident left open has no recorded lessons, so the plan is not improved and the "
        "client cannot be told the matter is settled."
    ),
    remediation=(
        "Finish or skip the open tasks, settle every clock, and close the incident with "
        f"dataward incidents status REF closed --lessons '...' (targets: {TARGETS})."
    ),
)
def incidents_closed_within_target(view: WorkspaceView) -> Iterator[Result]:
    """Fail each open incident past its close-by day; pass the others."""
    found: tuple[IncidentFacts, ...] | None = view.read("incident_summaries")
    if not found:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no incident affects the client")
        return
    for facts in found:
        due = stamp(close_by(facts))
        evidence = (
            {
                "incident": facts.ref, "severity": facts.severity, "status": facts.status,
                "detected_at": stamp(facts.detected_at), "close_by": due,
                "closed_at": stamp(facts.closed_at), "handler": facts.handler,
            },
        )  # fmt: skip
        if open_past_target(facts, view.now):
            summary = f"{facts.ref} ({facts.severity}) is still {facts.status} past {due}"
            yield Result(Status.FAIL, facts.ref, summary, evidence)
        elif facts.closed_at:
            yield Result(Status.PASS, facts.ref, f"{facts.ref} is closed", evidence)
        else:
            yield Result(
                Status.PASS, facts.ref, f"{facts.ref} is {facts.status}, close by {due}", evidence
            )
