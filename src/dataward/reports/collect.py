"""Gather a client's report data from the workspace: the assessment, posture, checklist, trend."""

from __future__ import annotations

from typing import Any

from dataward.controls import catalog_service, posture_service
from dataward.controls.models import Assessment, CheckResult
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.reports.engine.report_data import ReportData
from dataward.reports.engine.snapshot import AssessmentSnapshot, ResultRow


def snapshot(client: Client, assessment: int | None = None) -> AssessmentSnapshot | None:
    """Return the client's chosen (default: latest) assessment as a snapshot, or None."""
    runs = Assessment.objects.for_client(client)
    run: Assessment | None = (
        runs.filter(pk=assessment).first()
        if assessment is not None
        else runs.order_by("-started_at", "-id").first()
    )
    if run is None:
        if assessment is not None:
            raise DatawardError(
                f"no assessment {assessment} for {client.slug}",
                "--assessment",
                f"see dataward posture --client {client.slug}",
            )
        return None
    rows = CheckResult.objects.for_client(client).filter(assessment=run).order_by("id")
    results = tuple(
        ResultRow(
            r.check_id,
            r.title,
            r.severity,
            r.status,
            r.subject,
            r.summary,
            tuple(r.controls),
            tuple(r.evidence),
        )
        for r in rows
    )
    posture: dict[str, Any] = dict(run.counts.get("posture") or {})
    return AssessmentSnapshot(
        client.slug,
        client.name,
        run.pk,
        run.started_at,
        run.finished_at,
        run.actor,
        results,
        posture,
    )


def report_data(ws: Workspace, client: Client, assessment: int | None = None) -> ReportData:
    """Return everything the client's report shows."""
    ws.require(Action.VIEW, client.slug)
    snap = snapshot(client, assessment)
    cat = catalog_service.catalog()
    scores = (snap.posture.get("areas") if snap else None) or {}
    areas = tuple((a.id, a.title, scores.get(a.id)) for a in cat.areas)
    # A report of an older assessment shows the statuses and trend as they were then.
    as_of = snap.started_at if snap is not None and assessment is not None else None
    history = [t for t in posture_service.trend(client, 500) if as_of is None or t["at"] <= as_of]
    trend = tuple((t["at"].strftime("%m-%d %H:%M"), t["overall"]) for t in history[-12:])
    changes: dict[str, int] = {}
    if snap is not None:
        run = Assessment.objects.for_client(client).get(pk=snap.assessment_id)
        changes = {k: int(v) for k, v in (run.counts.get("changes") or {}).items()}
    return ReportData(
        client_slug=client.slug,
        client_name=client.name,
        industry=client.industry,
        categories=tuple(client.data_categories),
        frameworks=tuple(client.frameworks),
        generated=ws.clock(),
        catalog=f"{cat.title} {cat.version}",
        snapshot=snap,
        areas=areas,
        trend=trend,
        checklist=tuple(catalog_service.checklist_rows(ws, client, as_of=as_of)),
        changes=changes,
        risks=tuple(_risks(client)),
    )


def _risks(client: Client) -> list[dict[str, Any]]:
    """Return the client's register (risks not closed), highest rated first."""
    from dataward.risks.models import Risk
    from dataward.risks.service import row

    rows = [row(r) for r in Risk.objects.for_client(client).exclude(status="closed")]
    rows.sort(key=lambda r: (-(r["residual"] or r["inherent"]), r["ref"]))
    return rows
