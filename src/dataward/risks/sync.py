"""Keep the register in step with each stored assessment: one risk per failing control."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.risks.engine import scoring
from dataward.risks.engine.sync import Action, CheckOutcome, ControlRef, RiskState, failures, plan
from dataward.risks.models import Risk
from dataward.risks.store import create, lock_register, record_event, state

SYSTEM = "dataward"  # the actor named on risks the checks raise
HISTORY = {"update": "updated", "reopen": "reopened", "propose_closure": "proposed"}
"""The history kind (and audit action risk.<kind>) of each planned change, as people's are named."""


def controls_of() -> dict[str, list[ControlRef]]:
    """Return, per check id, the catalog controls it evidences."""
    from dataward.controls.catalog_service import catalog

    return {
        check_id: [ControlRef(f"control:{c.id}", c.id, c.title, c.area) for c in controls]
        for check_id, controls in catalog().by_check().items()
    }


def on_assessment(ws: Workspace, client: Client, assessment: int, outcomes: Iterable[Any]) -> None:
    """Raise, update, reopen or propose closure of the client's automatic risks."""
    rows = [
        CheckOutcome(o.check_id, o.title, o.severity, o.status.value, o.subject) for o in outcomes
    ]
    failing, clean = failures(rows, controls_of())
    today = ws.clock().date()
    with transaction.atomic():
        lock_register(client)  # a second assessment of this client waits, then sees our risks
        auto = {
            r.source_key: r
            for r in Risk.objects.for_client(client).exclude(source_key="").select_for_update()
        }
        register = {
            k: RiskState(r.ref, r.status, tuple(r.findings), r.acceptance_expires)
            for k, r in auto.items()
        }
        for action in plan(failing, clean, register, today):
            _apply(ws, client, action, auto.get(action.key), assessment)


def _apply(ws: Workspace, client: Client, action: Action, risk: Risk | None, run: int) -> None:
    """Make one planned change, with its history entry and audit event."""
    now = ws.clock()
    slug = None if client.is_operation else client.slug
    failure = action.failure
    if action.kind == "raise" and failure is not None:
        ref = failure.ref
        likelihood, impact = scoring.SEVERITY_LEVELS[failure.severity]
        what = f"Control {ref.control_id}" if ref.control_id else "Check"
        risk = create(
            client=client,
            title=f"{what} fails: {ref.title}"[:200],
            description=f"Raised by dataward when assessment {run} found the control failing.",
            category=scoring.AREA_CATEGORY.get(ref.area, "audit"),
            likelihood=likelihood,
            impact=impact,
            owner=_owner(client, ref.control_id),
            due=now.date() + timedelta(days=scoring.TREATMENT_DAYS[failure.severity]),
            source_key=action.key,
            controls=[ref.control_id] if ref.control_id else [],
            checks=sorted(failure.checks),
            findings=sorted(failure.subjects),
            created_at=now,
            updated_at=now,
        )
        record_event(ws, risk, "raised", {"assessment": run, "failing": risk.findings})
        audit.record(ws, "risk.raise", slug, "risk", risk.ref, after=state(risk))
        return
    assert risk is not None  # every other action names a risk the register holds
    before = state(risk)
    if failure is not None:
        risk.checks = sorted(failure.checks)
        risk.findings = sorted(failure.subjects)
    if action.kind in ("reopen", "acceptance_expired"):
        risk.status = "open"
        risk.closed_at = None
        if action.kind == "acceptance_expired":
            risk.treatment = "mitigate"
    elif action.kind == "propose_closure":
        risk.status = "proposed_closure"
    risk.updated_at = now
    risk.save()
    detail: dict[str, Any] = {"assessment": run, "was": before["status"]}
    if failure is not None:
        detail["failing"] = risk.findings
    kind = HISTORY.get(action.kind, action.kind)
    record_event(ws, risk, kind, detail)
    audit.record(ws, f"risk.{kind}", slug, "risk", risk.ref, before=before, after=state(risk))


def _owner(client: Client, control_id: str) -> str:
    """Return the control's assigned owner for this client, if the checklist names one."""
    from dataward.controls.catalog_service import assignments

    return assignments(client).get(control_id, ("", None))[0] if control_id else ""
