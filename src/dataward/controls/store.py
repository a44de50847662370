"""Run assessments and store their results; load the registry through the plug-in hook."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.db import transaction

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
    outcomes = list(run_checks(registry().for_scope(scope), DjangoView(ws, client, now), on_done))
    counts = {s.value: sum(o.status == s for o in outcomes) for s in Status}
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
            )
            for o in outcomes
        )
        audit.record(
            ws,
            "assessment.run",
            None if client.is_operation else client.slug,
            "assessment",
            str(run.pk),
            detail=counts,
        )
    return run, outcomes
