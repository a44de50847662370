"""Posture per client and area from the latest results and attestations; what changed."""

from __future__ import annotations

from typing import Any

from dataward.controls import attestations, catalog_service
from dataward.controls.engine import posture
from dataward.controls.engine.checklist import build
from dataward.controls.models import Assessment, CheckResult
from dataward.core.models import Client
from dataward.core.workspace import Workspace


def severities() -> dict[str, str]:
    """Return each registered check's severity."""
    from dataward.controls.store import registry

    return {cid: c.meta.severity for cid, c in registry().checks.items()}


def compute(ws: Workspace, client: Client) -> dict[str, Any]:
    """Return the client's posture now: overall, per area, and how many controls were scored."""
    statuses = {
        check: status for check, (status, _) in catalog_service.latest_status(client).items()
    }
    today = ws.clock().date()
    current = {
        cid
        for cid, a in attestations.latest(client).items()
        if attestations.state(a.expires, today) != "expired"
    }
    sev = severities()
    scores = [
        posture.score_control(e.control, statuses, sev, e.control.id in current)
        for e in build(catalog_service.catalog(), catalog_service.scope_of(ws, client))
    ]
    return posture.summarize(scores)


def _results(run: Assessment) -> dict[tuple[str, str], str]:
    rows = CheckResult.objects.for_client(run.client).filter(assessment=run)
    return {(c, s): st for c, s, st in rows.values_list("check_id", "subject", "status")}


def changes_since_previous(client: Client, run: Assessment) -> dict[str, list[tuple[str, str]]]:
    """Return what newly fails and what was fixed since the client's previous assessment."""
    previous = (
        Assessment.objects.for_client(client)
        .filter(started_at__lte=run.started_at)
        .exclude(pk=run.pk)
        .order_by("-started_at", "-id")
        .first()
    )
    before = _results(previous) if previous else {}
    return posture.changes(before, _results(run))


def trend(client: Client, limit: int = 10) -> list[dict[str, Any]]:
    """Return the overall score of the client's last assessments, oldest first."""
    runs = Assessment.objects.for_client(client).order_by("-started_at", "-id")[:limit]
    return [
        {
            "assessment": r.pk,
            "at": r.started_at,
            "overall": (r.counts.get("posture") or {}).get("overall"),
        }
        for r in reversed(list(runs))
    ]
