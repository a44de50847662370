"""Run assessments and store their results; load the registry through the plug-in hook."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.db import transaction

from dataward.controls import catalog_service, exceptions_service
from dataward.controls.engine import exceptions
from dataward.controls.engine.registry import Registry, Status
from dataward.controls.engine.runner import Outcome, run_checks
from dataward.controls.models import Assessment, CheckResult
from dataward.controls.view import DjangoView
from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.plugins import hook


@cache
def registry() -> Registry:
    """Return the registry holding every check of every installed package."""
    reg = Registry()
    hook().register_checks(register=reg.load)
    return reg


def assess(
    ws: Workspace, client: Client, on_done: Callable[[str], None] | None = None
) -> tuple[Assessment, list[Outcome]]:
    """Run every check for one client (or the operation) and store each result."""
    ws.require(Action.ASSESS, None if client.is_operation else client.slug)
    now = ws.clock()
    scope = "operation" if client.is_operation else "client"
    raw = run_checks(registry().for_scope(scope), DjangoView(ws, client, now), on_done)
    waived = list(exceptions.apply(raw, exceptions_service.in_force(client), now.date()))
    outcomes = [o for o, _ in waived]
    counts = {s.value: sum(o.status == s for o in outcomes) for s in Status}
    by_check = catalog_service.catalog().by_check()
    with transaction.atomic():
        run = Assessment.objects.create(
            client=client,
            started_at=now,
            finished_at=ws.clock(),
            actor=ws.actor.name,
            counts=counts,
        )
        CheckResult.objects.bulk_create(
            CheckResult(
                client=client,
                assessment=run,
                check_id=o.check_id,
                title=o.title,
                severity=o.severity,
                status=o.status.value,
                subject=o.subject,
                summary=o.summary,
                evidence=list(o.evidence),
                at=now,
                controls=[c.id for c in by_check.get(o.check_id, [])],
                exception_ref=ref,
            )
            for o, ref in waived
        )
        from dataward.controls import posture_service

        # Results, their posture and the audit event are stored together or not at all.
        run.counts = {
            **counts,
            "posture": posture_service.compute(ws, client),
            "changes": {
                k: len(v) for k, v in posture_service.changes_since_previous(client, run).items()
            },
        }
        run.save(update_fields=["counts"])
        audit.record(
            ws,
            "assessment.run",
            None if client.is_operation else client.slug,
            "assessment",
            str(run.pk),
            detail=counts,
        )
    hook().assessment_completed(ws=ws, client=client, assessment=run.pk, outcomes=outcomes)
    return run, outcomes
