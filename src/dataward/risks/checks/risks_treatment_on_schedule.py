"""Check that open risks have an owner and are treated by their due date."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.risks.engine.register import RiskRow, is_accepted, plan_problem


@check(
    id="risks_treatment_on_schedule",
    title="Open risks have an owner and are treated by their due date",
    severity="medium",
    risk=(
        "A risk past its treatment date, or with nobody owning it, stays open indefinitely while "
        "the register suggests it is handled."
    ),
    scope="any",
    remediation=(
        "Name an owner and a realistic due date (dataward risks update REF --owner --due), "
        "finish the treatment, or accept the risk with an approver."
    ),
)
def risks_treatment_on_schedule(view: WorkspaceView) -> Iterator[Result]:
    """Judge each open risk's owner and due date."""
    open_risks: list[RiskRow] = [
        r for r in view.read("risk_register") if r.status == "open" and not is_accepted(r)
    ]
    if not open_risks:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no open risks")
        return
    today = view.now.date()
    for risk in open_risks:
        level, why = plan_problem(risk, today)
        evidence = ({"owner": risk.owner, "due": str(risk.due) if risk.due else ""},)
        if level:
            status = Status.FAIL if level == "fail" else Status.WARNING
            yield Result(status, risk.ref, f"{risk.title}: {why}", evidence)
        else:
            yield Result(Status.PASS, risk.ref, f"owned by {risk.owner}, due {risk.due}", evidence)
