"""Check that every breach-notification clock of the client was met on time."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.incidents.engine.clocks import FAILING, Clock
from dataward.incidents.engine.when import stamp


@check(
    id="incidents_notifications_on_time",
    title="Breach notifications reach regulators, individuals and the client before their deadline",
    severity="critical",
    risk=(
        "A missed GDPR, HIPAA or contractual notification deadline is a breach of law or contract "
        "in itself and takes the choice of how the news is told away from the client."
    ),
    remediation=(
        "Notify the audience now and record it with dataward incidents notify REF --rule R "
        "--client C --at TIME; review why the clock was missed and note it on the incident."
    ),
)
def incidents_notifications_on_time(view: WorkspaceView) -> Iterator[Result]:
    """Fail each clock overdue without a notification or notified after its deadline."""
    clocks: tuple[Clock, ...] | None = view.read("incident_clocks")
    if not clocks:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no incident has started a clock")
        return
    for clock in clocks:
        state = clock.state(view.now)
        subject = f"{clock.ref} {clock.rule}"
        evidence = (
            {
                "incident": clock.ref, "rule": clock.rule, "audience": clock.audience,
                "due_at": stamp(clock.due_at), "notified_at": stamp(clock.notified_at),
                "state": state, "handler": clock.handler,
            },
        )  # fmt: skip
        what = f"{clock.ref}: {clock.audience} ({clock.rule}) due {stamp(clock.due_at)}"
        if state in FAILING:
            done = (
                f", notified {stamp(clock.notified_at)}" if clock.notified_at else ", not notified"
            )
            yield Result(Status.FAIL, subject, f"{what} is {state}{done}", evidence)
        elif state == "due soon":
            yield Result(Status.WARNING, subject, f"{what} is due soon", evidence)
        else:
            yield Result(Status.PASS, subject, f"{what} is {state}", evidence)
