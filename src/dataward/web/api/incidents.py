"""API: the incident register in the token's scope, intake, timeline notes and notifications."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from dataward.incidents import queries, service
from dataward.incidents.engine.when import parse_instant
from dataward.incidents.models import Impact, Incident
from dataward.web.api import Paged, api_ws
from dataward.web.api._shared import client_param, json_body, read_body

router = Router(tags=["incidents"])
# An incident belongs to the operation; who may see it follows the clients it affects.
OBJECTS = {
    name: (Impact, {"ref": "incident__ref"})
    for name in ("incident", "incident_note", "incident_notify")
}


class IncidentRowOut(Schema):
    """One incident of the register, with the impact and clocks the token may see."""

    ref: str
    title: str
    severity: str
    status: str
    detected_at: str
    clients: list[str]
    records: int | None
    open_clocks: int
    overdue_clocks: int
    handler: str
    age_days: int


class IncidentClockOut(Schema):
    """One notification duty: whom to tell, by when, and whether it was done."""

    client: str
    rule: str
    audience: str
    title: str
    due_at: str
    state: str
    left: str
    notified_at: str
    decision: str
    contract_hours: int | None


class IncidentClockRowOut(Schema):
    """One notification clock across incidents."""

    ref: str
    client: str
    rule: str
    audience: str
    due_at: str
    left: str
    state: str
    notified_at: str
    handler: str


class IncidentOut(Schema):
    """One incident: facts, impacts, clocks, tasks and timeline, as the token may see them."""

    ref: str
    title: str
    description: str
    severity: str
    status: str
    detected_at: str
    occurred_at: str
    reported_at: str
    reported_by: str
    handler: str
    closed_at: str
    source_ref: str
    playbooks: list[str]
    impacts: list[dict[str, Any]]
    clocks: list[IncidentClockOut]
    tasks: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class IncidentIn(Schema):
    """A new incident; times are ISO text, UTC unless they carry an offset."""

    title: str
    severity: str
    clients: list[str] = []
    data_categories: list[str] = []
    records: int | None = None
    personal_data: bool | None = None
    detected_at: str = ""
    occurred_at: str = ""
    description: str = ""
    handler: str = ""
    playbooks: list[str] = []


class IncidentNoteIn(Schema):
    """A timeline note: shared with every reader, or only about one affected client."""

    text: str
    client: str | None = None


class IncidentNotifyIn(Schema):
    """A notification made for one clock (or the decision that none is required)."""

    rule: str
    client: str
    at: str = ""
    note: str = ""
    not_required: bool = False


class IncidentNotifiedOut(Schema):
    """The clock's state after the record: met, met late or not required."""

    ref: str
    rule: str
    client: str
    state: str


def _incident(request: HttpRequest, ref: str) -> Incident:
    """Return an incident affecting a client in the token's scope, or 404."""
    found = queries.visible(api_ws(request), ref=ref)
    if found is None:
        raise Http404("no such incident")
    return found


def _doc(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    ws = api_ws(request)
    return queries.show(ws, incident.ref) | {"clocks": queries.clock_board(ws, incident)}


@router.get("/", response=list[IncidentRowOut], url_name="incidents")
@paginate(Paged)
def list_incidents(request: HttpRequest, client: str | None = None, open_only: bool = False) -> Any:
    """List the incidents in scope, oldest first (those affecting one client, if named)."""
    ws = api_ws(request)
    return queries.incident_rows(ws, client_param(ws, client), open_only)


@router.get("/clocks", response=list[IncidentClockRowOut], url_name="incident_clocks")
@paginate(Paged)
def list_clocks(request: HttpRequest, client: str | None = None, state: str | None = None) -> Any:
    """List notification clocks, overdue first (in one state, if named)."""
    ws = api_ws(request)
    return queries.clock_rows(ws, client_param(ws, client), (state,) if state else ())


@router.post("/", response={201: IncidentOut}, url_name="incident_report")
def report_incident(request: HttpRequest, body: IncidentIn) -> Any:  # no object: ninja reads it
    """Report an incident: its notification clocks start at once; nothing is stored on error."""
    ws = api_ws(request, write=True)
    incident = service.intake(
        ws, title=body.title, severity=body.severity, clients=body.clients,
        categories=body.data_categories, records=body.records, personal_data=body.personal_data,
        detected_at=body.detected_at, occurred_at=body.occurred_at, description=body.description,
        handler=body.handler, playbooks=body.playbooks,
    )  # fmt: skip
    return Status(201, _doc(request, incident))


@router.get("/{ref}", response=IncidentOut, url_name="incident")
def get_incident(request: HttpRequest, ref: str) -> Any:
    """Return one incident with its clocks (time left or late) and timeline."""
    return _doc(request, _incident(request, ref))


@router.post(
    "/{ref}/notes",
    response=IncidentOut,
    url_name="incident_note",
    openapi_extra=json_body(IncidentNoteIn),
)
def add_note(request: HttpRequest, ref: str) -> Any:
    """Append a note to the incident's timeline."""
    incident = _incident(request, ref)
    ws = api_ws(request, write=True)
    body = read_body(request, IncidentNoteIn)
    service.add_note(ws, incident.ref, body.text, body.client and service.in_view(ws, body.client))
    return _doc(request, incident)


@router.post(
    "/{ref}/notifications",
    response=IncidentNotifiedOut,
    url_name="incident_notify",
    openapi_extra=json_body(IncidentNotifyIn),
)
def record_notification(request: HttpRequest, ref: str) -> Any:
    """Record that a clock's audience was notified (or that no notification is required)."""
    incident = _incident(request, ref)
    ws = api_ws(request, write=True)
    body = read_body(request, IncidentNotifyIn)
    at = parse_instant(body.at, "at", now=ws.clock()) if body.at.strip() else None
    state = service.notify(
        ws, incident.ref, body.rule, service.in_view(ws, body.client), at=at, note=body.note,
        not_required=body.not_required,
    )  # fmt: skip
    return {"ref": incident.ref, "rule": body.rule, "client": body.client, "state": state}
