"""Posture per client and area from the latest results and attestations; what changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dataward.controls import attestations, catalog_service
from dataward.controls.engine import posture
from dataward.controls.engine.checklist import build
from dataward.controls.models import Assessment, CheckResult
from dataward.core.models import Client
from dataward.core.workspace import Workspace

#: The result states the overview counts per area.
STATUSES = ("pass", "warning", "fail", "error", "excepted", "not_applicable")


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


def overview(ws: Workspace, clients: Sequence[Client], runs: int = 8) -> dict[str, dict[str, Any]]:
    """Return per client slug its latest stored posture, result counts per area and the trend.

    Reads what each assessment stored (its posture and its results), never recomputes: one
    query per client for its last ``runs`` assessments and one grouped count of the results.
    """
    from django.db.models import Count

    from dataward.core.engine.permissions import Action

    for client in clients:
        ws.require(Action.VIEW, client.slug)
    areas_of: dict[str, set[str]] = {}
    for check, controls in catalog_service.catalog().by_check().items():
        areas_of[check] = {c.area for c in controls}
    out: dict[str, dict[str, Any]] = {}
    latest: dict[int, str] = {}
    for client in clients:
        history = Assessment.objects.for_client(client).order_by("-started_at", "-id")
        recent = list(history.values("pk", "started_at", "counts")[:runs])[::-1]
        trend = [(r.get("counts") or {}).get("posture", {}).get("overall") for r in recent]
        last = recent[-1] if recent else None
        out[client.slug] = {
            "at": last["started_at"] if last else None,
            "posture": (last["counts"] or {}).get("posture", {}) if last else {},
            "trend": trend,
            "areas": {},
        }
        if last:
            latest[last["pk"]] = client.slug
    results = CheckResult.objects.for_clients(clients).filter(assessment_id__in=list(latest))
    grouped = results.values_list("assessment_id", "check_id", "status").annotate(n=Count("id"))
    for run, check, status, n in grouped.order_by():
        areas = out[latest[run]]["areas"]
        for area in areas_of.get(check) or {"other"}:
            tally = areas.setdefault(area, dict.fromkeys(STATUSES, 0))
            tally[status] = tally.get(status, 0) + n
    return out


def control_results(ws: Workspace, client: Client, control_id: str) -> list[CheckResult]:
    """Return the latest results of one control's checks for the client, worst first.

    Operation-wide checks (privileged MFA, the audit chain) come from the operation's latest
    assessment, and only for users who may see the operation's own records.
    """
    from dataward.core.engine.permissions import Action, may

    ws.require(Action.VIEW, client.slug)
    checks = catalog_service.catalog().control(control_id).checks
    owners = [client]
    if may(ws.actor, Action.VIEW, None):
        owners = [*Client.objects.filter(kind="operation"), client]
    out: list[CheckResult] = []
    for owner in owners:
        run = Assessment.objects.for_client(owner).order_by("-started_at", "-id").first()
        if run is not None:
            rows = CheckResult.objects.for_client(owner).filter(assessment=run, check_id__in=checks)
            out += rows.select_related("client").order_by("check_id", "subject")
    order = catalog_service.STATUS_ORDER
    return sorted(out, key=lambda r: order.index(r.status) if r.status in order else len(order))
