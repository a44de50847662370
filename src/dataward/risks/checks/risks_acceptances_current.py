"""Check that every accepted risk was approved by someone other than its owner and is in date."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.risks.engine.register import RiskRow, acceptance_problem, is_accepted


@check(
    id="risks_acceptances_current",
    title="Accepted risks are approved by someone other than the owner and have not expired",
    severity="high",
    risk=(
        "A risk accepted by its own owner, or left accepted after its expiry, is a known exposure "
        "nobody decided to keep."
    ),
    scope="any",
    remediation=(
        "Renew the acceptance with dataward risks accept REF --approved-by OTHER --expires DATE, "
        "or treat the risk and close it."
    ),
)
def risks_acceptances_current(view: WorkspaceView) -> Iterator[Result]:
    """Judge each accepted risk of the register."""
    accepted: list[RiskRow] = [r for r in view.read("risk_register") if is_accepted(r)]
    if not accepted:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no accepted risks")
        return
    today = view.now.date()
    for risk in accepted:
        why = acceptance_problem(risk, today)
        evidence = ({"approver": risk.accepted_by, "expires": str(risk.acceptance_expires)},)
        if why:
            yield Result(Status.FAIL, risk.ref, f"{risk.title}: {why}", evidence)
        else:
            summary = f"accepted by {risk.accepted_by} until {risk.acceptance_expires}"
            yield Result(Status.PASS, risk.ref, summary, evidence)
