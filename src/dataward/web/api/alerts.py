"""API: alerts in the token's scope, and their triage (assign, move, escalate)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.monitoring import service
from dataward.monitoring.models import Alert
from dataward.web.api import Paged, api_ws
from dataward.web.api._shared import client_param, json_body, read_body

router = Router(tags=["alerts"])
OBJECTS = {
    name: (Alert, {"ref": "ref"})
    for name in ("alert", "alert_triage", "alert_assign", "alert_escalate")
}


class AlertOut(Schema):
    """One alert: the rule, who or what it is about, when, and how far triage got."""

    ref: str
    client: str
    rule: str
    title: str
    level: str
    state: str
    subject: str
    summary: str
    event_count: int
    first_seen: datetime
    last_seen: datetime
    assignee: str
    incident_ref: str
    reason: str
    created_at: datetime
    updated_at: datetime
    triaged_at: datetime | None

    @staticmethod
    def resolve_client(obj: Alert) -> str:
        """Name the client by slug."""
        return obj.client.slug


class AlertEvidenceOut(Schema):
    """Where one event of the alert is in its log, and what was stored of it (masked)."""

    event: int | None = None
    source: str = ""
    line: int | None = None
    at: str = ""
    category: str = ""
    action: str = ""
    user_name: str = ""


class AlertDetailOut(AlertOut):
    """One alert with its facts and evidence."""

    facts: dict[str, Any]
    evidence: list[AlertEvidenceOut]


class AlertTriageIn(Schema):
    """A move to another state; closing (false_positive, resolved) needs a reason."""

    state: str
    reason: str = ""


class AlertAssignIn(Schema):
    """Who investigates the alert (a dataward user who may triage its client; empty: nobody)."""

    assignee: str


class AlertEscalateIn(Schema):
    """The incident to open (defaults: the alert's title and a severity from its level)."""

    title: str = ""
    severity: str = ""


class AlertEscalatedOut(Schema):
    """The escalated alert and the incident opened for it."""

    alert: AlertOut
    incident: str


def _alert(request: HttpRequest, ref: str) -> Alert:
    """Return an alert in the token's scope, or 404."""
    rows = service.alert_rows(api_ws(request), None)
    found: Alert = get_object_or_404(rows, ref=ref.strip().upper())
    return found


@router.get("/", response=list[AlertOut], url_name="alerts")
@paginate(Paged)
def list_alerts(
    request: HttpRequest,
    client: str | None = None,
    state: str | None = None,
    level: str | None = None,
    rule: str | None = None,
) -> Any:
    """List alerts, newest first: of one client or every client in scope, optionally filtered."""
    ws = api_ws(request)
    rows = service.alert_rows(ws, client_param(ws, client))
    wanted = {"state": state, "level": level, "rule": rule}
    rows = rows.filter(**{k: v for k, v in wanted.items() if v})
    return rows.order_by("-last_seen", "-id")


@router.get("/{ref}", response=AlertDetailOut, url_name="alert")
def get_alert(request: HttpRequest, ref: str) -> Any:
    """Return one alert with its facts and evidence (source and line, never the raw line)."""
    found = _alert(request, ref)
    found.evidence = service.alert_events(found)
    return found


@router.post(
    "/{ref}/triage",
    response=AlertOut,
    url_name="alert_triage",
    openapi_extra=json_body(AlertTriageIn),
)
def triage_alert(request: HttpRequest, ref: str) -> Any:
    """Move an alert to investigating, false_positive, resolved or back to new."""
    found = _alert(request, ref)
    ws = api_ws(request, write=True)
    body = read_body(request, AlertTriageIn)
    return service.triage(ws, found.ref, body.state.strip().lower(), reason=body.reason)


@router.post(
    "/{ref}/assign",
    response=AlertOut,
    url_name="alert_assign",
    openapi_extra=json_body(AlertAssignIn),
)
def assign_alert(request: HttpRequest, ref: str) -> Any:
    """Give an alert to a dataward user who may triage its client."""
    found = _alert(request, ref)
    ws = api_ws(request, write=True)
    return service.assign_user(ws, found.ref, read_body(request, AlertAssignIn).assignee)


@router.post(
    "/{ref}/escalate",
    response=AlertEscalatedOut,
    url_name="alert_escalate",
    openapi_extra=json_body(AlertEscalateIn),
)
def escalate_alert(request: HttpRequest, ref: str) -> Any:
    """Open an incident for the alert and mark it escalated."""
    found = _alert(request, ref)
    ws = api_ws(request, write=True)
    body = read_body(request, AlertEscalateIn)
    moved, incident = service.escalate(
        ws, found.ref, title=body.title, severity=body.severity.strip().lower()
    )
    return {"alert": moved, "incident": incident}
