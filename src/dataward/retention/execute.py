"""Execute (or rehearse) an approved disposal plan, item by item, resumably.

For each item: refuse if a legal hold covers it now; refuse if it changed since planning (size,
SHA-256), sits behind a symlink or left its root; otherwise remove it (overwriting first with
``--method overwrite``), check it is gone, and record the certificate facts and one audit event.
Each item's progress is committed on its own: ``disposing`` before the file is touched,
``disposed`` or ``skipped`` after, so an interrupted run resumes without repeating or losing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.retention import readers
from dataward.retention.engine.dispose import RefusedError, Target, dispose, exists, measure
from dataward.retention.engine.overdue import Holding
from dataward.retention.models import DisposalItem, DisposalPlan
from dataward.retention.service import items, plan_of


@dataclass
class Step:
    """What happened (or would happen) to one item."""

    seq: int
    path: str
    action: str  # dispose, disposed, skip, done
    reason: str = ""


def run(
    ws: Workspace,
    ref: str,
    *,
    execute: bool = False,
    tick: Callable[[Step], None] | None = None,
) -> list[Step]:
    """Rehearse the plan (default) or execute it; return one step per item."""
    plan = plan_of(ws, ref, Action.DISPOSE)
    if execute:
        _start(ws, plan)
    elif plan.status == "cancelled":
        raise DatawardError(f"{plan.ref} is cancelled", plan.ref, "make a new plan")
    active = readers.holds(plan.client, active_only=True)
    steps = []
    for item in items(plan):
        step = _one(ws, plan, item, active, execute)
        steps.append(step)
        if tick is not None:
            tick(step)
    if execute:
        _finish(ws, plan)
    return steps


def _start(ws: Workspace, plan: DisposalPlan) -> None:
    """Check the plan may run now, and mark it executing."""
    if plan.status == "draft":
        raise DatawardError(
            f"{plan.ref} is not approved",
            plan.ref,
            "another user must run `dataward retention approve` first",
        )
    if plan.status not in ("approved", "executing"):
        raise DatawardError(f"{plan.ref} is {plan.status}", plan.ref, "nothing left to dispose")
    if plan.approved_by.lower() == ws.actor.name.lower():
        raise DatawardError(
            "you approved this plan; another user must execute it",
            plan.ref,
            "the approver verifies, someone else disposes",
        )
    if plan.status == "approved":
        with transaction.atomic():
            plan.status = "executing"
            plan.save(update_fields=["status"])
            audit.record(
                ws,
                "retention.execute",
                plan.client.slug,
                "disposal_plan",
                plan.ref,
                before={"status": "approved"},
                after={"status": "executing"},
            )


def _one(
    ws: Workspace, plan: DisposalPlan, item: DisposalItem, active: list[Any], execute: bool
) -> Step:
    """Handle one item; return its step."""
    target = Target(item.root, item.rel)
    path = f"{item.root.rstrip('/')}/{item.rel}"
    if item.status in ("disposed", "skipped"):
        return Step(item.seq, path, "done", f"already {item.status}: {item.outcome}")
    holding = Holding(path, item.rel, "file", (item.category,), 0, item.size, None)
    held = [h.ref for h in active if h.covers(holding, ws.clock())]
    if held:
        return _skip(ws, plan, item, path, f"under legal hold {', '.join(held)}", execute)
    if item.status == "disposing" and not exists(target):
        return _done(
            ws, plan, item, path, "completed on resume: the file was already removed", execute
        )
    if not execute:
        try:
            size, sha = measure(target)
        except RefusedError as exc:
            return Step(item.seq, path, "skip", str(exc))
        if (size, sha) != (item.size, item.sha256):
            return Step(item.seq, path, "skip", "the file changed since the plan was made")
        return Step(item.seq, path, "dispose", item.reason)
    with transaction.atomic():
        item.status, item.operator = "disposing", ws.actor.name
        item.save(update_fields=["status", "operator"])
    try:
        dispose(target, item.size, item.sha256, plan.method)
    except RefusedError as exc:
        return _skip(ws, plan, item, path, str(exc), execute)
    if exists(target):
        return _skip(ws, plan, item, path, "the file is still there after removal", execute)
    return _done(ws, plan, item, path, f"{plan.method}d; verified absent", execute)


def _skip(
    ws: Workspace, plan: DisposalPlan, item: DisposalItem, path: str, why: str, execute: bool
) -> Step:
    """Record a refused item (when executing) and return its step."""
    if execute:
        with transaction.atomic():
            item.status, item.outcome = "skipped", why
            item.operator = ws.actor.name
            item.save(update_fields=["status", "outcome", "operator"])
            audit.record(
                ws,
                "retention.skip",
                plan.client.slug,
                "disposal_item",
                f"{plan.ref}/{item.seq}",
                detail={"reason": why},
            )
    return Step(item.seq, path, "skip", why)


def _done(
    ws: Workspace, plan: DisposalPlan, item: DisposalItem, path: str, how: str, execute: bool
) -> Step:
    """Record a disposed item with its certificate facts and one audit event."""
    if not execute:
        return Step(item.seq, path, "dispose", item.reason)
    with transaction.atomic():
        item.status, item.outcome, item.disposed_at = "disposed", how, ws.clock()
        item.operator = ws.actor.name
        item.save(update_fields=["status", "outcome", "disposed_at", "operator"])
        _forget_location(plan, item)
        audit.record(
            ws,
            "retention.dispose",
            plan.client.slug,
            "disposal_item",
            f"{plan.ref}/{item.seq}",
            detail={
                "path": path,
                "method": plan.method,
                "sha256_before": item.sha256,
                "size": item.size,
                "operator": ws.actor.name,
                "verifier": plan.approved_by,
                "outcome": how,
            },
        )
    return Step(item.seq, path, "disposed", how)


def _forget_location(plan: DisposalPlan, item: DisposalItem) -> None:
    """Mark the disposed file as no longer present in the data inventory."""
    from dataward.discovery.models import Location

    Location.objects.for_client(plan.client).filter(
        root=item.root, path=item.rel, kind="file"
    ).update(present=False)


def _finish(ws: Workspace, plan: DisposalPlan) -> None:
    """Close the plan once every item is disposed or skipped."""
    left = DisposalItem.objects.for_client(plan.client).filter(
        plan=plan, status__in=("planned", "disposing")
    )
    if left.exists():
        return
    with transaction.atomic():
        plan.status, plan.finished_at = "done", ws.clock()
        plan.save(update_fields=["status", "finished_at"])
        audit.record(
            ws,
            "retention.done",
            plan.client.slug,
            "disposal_plan",
            plan.ref,
            after={"status": "done"},
        )
