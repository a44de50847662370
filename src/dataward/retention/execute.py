"""Execute (or rehearse) an approved disposal plan, item by item, resumably.

For each item: refuse if a legal hold in force now covers it (read afresh per item, on every
category it holds); refuse if it changed since planning (size, SHA-256), sits behind a symlink,
has other hard links or left its root; otherwise remove it (overwriting first with ``--method
overwrite``), check it is gone, and record the certificate facts and one audit event. Only one
process executes a plan at a time. Each item's progress is committed on its own: ``disposing``
when claimed, ``destroying`` (with the file's identity) before its first byte is touched,
``disposed`` or ``skipped`` after, so an interrupted run resumes without repeating or losing one
and finishes a half-overwritten file only if it is still the very same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.retention import readers
from dataward.retention.engine.dispose import (
    GoneError,
    RefusedError,
    Target,
    dispose,
    finish,
    gone,
    measure,
)
from dataward.retention.engine.overdue import Holding
from dataward.retention.lock import one_execution
from dataward.retention.models import DisposalItem, DisposalPlan
from dataward.retention.service import items, plan_of

BEGUN = "; an interrupted removal had begun, so the file may be partly overwritten"


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
    if not execute:
        if plan.status == "cancelled":
            raise DatawardError(f"{plan.ref} is cancelled", plan.ref, "make a new plan")
        return _each(plan, lambda item: _rehearse(ws, plan, item), tick)
    with one_execution(ws, plan.pk, plan.ref):
        plan = _start(ws, plan)
        steps = _each(plan, lambda item: _one(ws, plan, item), tick)
        _finish(ws, plan)
    return steps


def _each(
    plan: DisposalPlan,
    handle: Callable[[DisposalItem], Step],
    tick: Callable[[Step], None] | None,
) -> list[Step]:
    """Handle every item of the plan in order."""
    steps = []
    for item in items(plan):
        step = handle(item)
        steps.append(step)
        if tick is not None:
            tick(step)
    return steps


def _start(ws: Workspace, plan: DisposalPlan) -> DisposalPlan:
    """Check the plan may run now, and mark it executing; return it as stored now."""
    with transaction.atomic():
        plan = (
            DisposalPlan.objects.for_client(plan.client)
            .select_for_update()
            .select_related("client")
            .get(pk=plan.pk)
        )
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
    return plan


def _held(ws: Workspace, plan: DisposalPlan, item: DisposalItem) -> list[str]:
    """Return the holds in force now that cover the item (every category it holds)."""
    cats = {item.category, *item.categories, *readers.categories_now(plan.client, item)}
    holding = Holding(item.path, item.rel, "file", tuple(sorted(cats)), 0, item.size, None)
    now = ws.clock()
    return [h.ref for h in readers.holds(plan.client, active_only=True) if h.covers(holding, now)]


def _rehearse(ws: Workspace, plan: DisposalPlan, item: DisposalItem) -> Step:
    """Return what executing would do to one item, touching nothing."""
    path = item.path
    if item.status in ("disposed", "skipped"):
        return Step(item.seq, path, "done", f"already {item.status}: {item.outcome}")
    held = _held(ws, plan, item)
    if held:
        return Step(item.seq, path, "skip", f"under legal hold {', '.join(held)}")
    if item.status == "destroying":
        return Step(item.seq, path, "dispose", "finish the interrupted removal")
    try:
        size, sha = measure(Target(item.root, item.rel))
    except RefusedError as exc:
        return Step(item.seq, path, "skip", str(exc))
    if (size, sha) != (item.size, item.sha256):
        return Step(item.seq, path, "skip", "the file changed since the plan was made")
    return Step(item.seq, path, "dispose", item.reason)


def _one(ws: Workspace, plan: DisposalPlan, item: DisposalItem) -> Step:
    """Execute one item (claimed first, so no other run handles it); return its step."""
    path = item.path
    if item.status in ("disposed", "skipped"):
        return Step(item.seq, path, "done", f"already {item.status}: {item.outcome}")
    held = _held(ws, plan, item)
    begun = BEGUN if item.status == "destroying" else ""
    if held:
        return _skip(ws, plan, item, f"under legal hold {', '.join(held)}{begun}")
    target = Target(item.root, item.rel)
    if item.status == "destroying":
        try:
            finished = finish(target, item.identity, item.size, plan.method)
        except RefusedError as exc:
            return _skip(ws, plan, item, f"{exc}{begun}")
        if not gone(target):
            return _skip(ws, plan, item, "the file is still there after removal")
        if not finished:
            return _done(ws, plan, item, "completed on resume: the file was already removed")
        return _done(ws, plan, item, f"completed on resume: {plan.method}d; verified absent")
    claimed = (
        DisposalItem.objects.for_client(plan.client)
        .filter(pk=item.pk, status__in=("planned", "disposing"))
        .update(status="disposing", operator=ws.actor.name)
    )
    if not claimed:
        return Step(item.seq, path, "done", "handled by another run")

    def destroying(ident: str) -> None:
        item.status, item.identity = "destroying", ident
        item.save(update_fields=["status", "identity"])

    try:
        dispose(target, item.size, item.sha256, plan.method, destroying)
    except GoneError:
        return _skip(ws, plan, item, "the file is gone (moved or removed since the plan)")
    except RefusedError as exc:
        return _skip(ws, plan, item, str(exc))
    if not gone(target):
        return _skip(ws, plan, item, "the file is still there after removal")
    return _done(ws, plan, item, f"{plan.method}d; verified absent")


def _skip(ws: Workspace, plan: DisposalPlan, item: DisposalItem, why: str) -> Step:
    """Record a refused item and return its step."""
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
            detail={"path": item.path, "reason": why},
        )
    return Step(item.seq, item.path, "skip", why)


def _done(ws: Workspace, plan: DisposalPlan, item: DisposalItem, how: str) -> Step:
    """Record a disposed item with its certificate facts and one audit event."""
    path = item.path
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
        plan=plan, status__in=("planned", "disposing", "destroying")
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
