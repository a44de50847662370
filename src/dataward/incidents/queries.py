"""Read incidents for listings and the show page, limited to what the acting user may see."""

from __future__ import annotations

from typing import Any

from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.incidents import library, scope
from dataward.incidents.engine.clocks import SETTLED, STATES, Clock, left
from dataward.incidents.engine.when import stamp
from dataward.incidents.engine.workflow import OPEN
from dataward.incidents.models import (
    Impact,
    Incident,
    IncidentTask,
    NotificationClock,
    TimelineEntry,
)
from dataward.incidents.store import soon_of

INCIDENT_COLUMNS = [
    "ref", "title", "severity", "status", "detected_at", "clients", "records", "open_clocks",
    "overdue_clocks", "handler", "age_days",
]  # fmt: skip
CLOCK_COLUMNS = [
    "ref", "client", "rule", "audience", "due_at", "left", "state", "notified_at", "handler",
]  # fmt: skip
PLAYBOOK_COLUMNS = ["name", "title", "tasks", "source"]


def _clients(ws: Workspace, slug: str | None) -> list[Client]:
    """Return the clients in view: one named client, or every client the user may see."""
    if slug:
        client = Client.objects.filter(slug=slug, kind="client").first()
        if client is None:
            raise DatawardError(f"no client {slug!r}", "--client", "see `dataward clients list`")
        ws.require(Action.VIEW, slug)
        return [client]
    return scope.visible_clients(ws, list(Client.objects.filter(kind="client")))


def incidents_for(ws: Workspace, slug: str | None = None) -> list[Incident]:
    """Return the incidents the user may see (those affecting one client, if named)."""
    clients = _clients(ws, slug)
    op = ensure_operation(ws)
    if not slug and scope.sees_all(ws):
        return list(Incident.objects.for_client(op).order_by("id"))
    ids = Impact.objects.for_clients(clients).values_list("incident_id", flat=True)
    return list(Incident.objects.for_client(op).filter(id__in=list(ids)).order_by("id"))


def clocks_of(ws: Workspace, clients: list[Client], incidents: list[Incident]) -> list[Clock]:
    """Return the stored clocks of these incidents for these clients, as engine clocks."""
    by_id = {i.id: i for i in incidents}
    rows = NotificationClock.objects.for_clients(clients).filter(incident_id__in=list(by_id))
    return [
        Clock(
            by_id[c.incident_id].ref,
            c.client.slug,
            c.rule_id,
            c.audience,
            c.title,
            c.due_at,
            soon_of(c),
            c.notified_at,
            c.decision,
            by_id[c.incident_id].handler,
        )  # fmt: skip
        for c in rows.select_related("client").order_by("due_at", "id")
    ]


def incident_rows(
    ws: Workspace, slug: str | None = None, only_open: bool = False
) -> list[dict[str, Any]]:
    """Return one row per visible incident, with the impact and clocks the user may see."""
    now = ws.clock()
    incidents = [i for i in incidents_for(ws, slug) if not only_open or i.status in OPEN]
    clients = _clients(ws, slug)
    impacts = Impact.objects.for_clients(clients).filter(incident__in=incidents)
    seen: dict[int, list[Impact]] = {}
    for imp in impacts.select_related("client").order_by("client__slug"):
        seen.setdefault(imp.incident_id, []).append(imp)
    states: dict[str, list[str]] = {}
    for clock in clocks_of(ws, clients, incidents):
        states.setdefault(clock.ref, []).append(clock.state(now))
    return [
        {
            "ref": i.ref,
            "title": i.title,
            "severity": i.severity,
            "status": i.status,
            "detected_at": stamp(i.detected_at),
            "clients": [imp.client.slug for imp in seen.get(i.id, [])],
            "records": _records(seen.get(i.id, [])),
            "open_clocks": sum(s not in SETTLED for s in states.get(i.ref, [])),
            "overdue_clocks": sum(s == "overdue" for s in states.get(i.ref, [])),
            "handler": i.handler,
            "age_days": ((i.closed_at or now) - i.detected_at).days,
        }  # fmt: skip
        for i in incidents
    ]


def _records(impacts: list[Impact]) -> int | None:
    """Return the records affected across impacts (None when any count is unknown)."""
    counts = [imp.records for imp in impacts]
    return None if any(c is None for c in counts) or not counts else sum(c or 0 for c in counts)


def clock_rows(
    ws: Workspace, slug: str | None = None, states: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Return the visible clocks (in the given states only, if any), soonest due first."""
    now = ws.clock()
    clients = _clients(ws, slug)
    out = []
    for clock in clocks_of(ws, clients, incidents_for(ws, slug)):
        state = clock.state(now)
        if states and state not in states:
            continue
        out.append(
            {
                "ref": clock.ref,
                "client": clock.client,
                "rule": clock.rule,
                "audience": clock.audience,
                "due_at": stamp(clock.due_at),
                "left": "" if state in SETTLED else left(clock.due_at, now),
                "state": state,
                "notified_at": stamp(clock.notified_at),
                "handler": clock.handler,
            }  # fmt: skip
        )
    out.sort(key=lambda r: (STATES.index(r["state"]), r["due_at"]))
    return out


def show(ws: Workspace, ref: str) -> dict[str, Any]:
    """Return one incident with the impacts, clocks, tasks and timeline the user may see."""
    incident = scope.get(ws, ref)
    now = ws.clock()
    clients = scope.visible_clients(ws, scope.affected(incident))
    everyone = [ensure_operation(ws), *clients]
    impacts = Impact.objects.for_clients(clients).filter(incident=incident).select_related("client")
    tasks = IncidentTask.objects.for_client(ensure_operation(ws)).filter(incident=incident)
    timeline = TimelineEntry.objects.for_clients(everyone).filter(incident=incident)
    return {
        "ref": incident.ref, "title": incident.title, "description": incident.description,
        "severity": incident.severity, "status": incident.status,
        "detected_at": stamp(incident.detected_at), "occurred_at": stamp(incident.occurred_at),
        "reported_at": stamp(incident.reported_at), "reported_by": incident.reported_by,
        "handler": incident.handler, "closed_at": stamp(incident.closed_at),
        "lessons_learned": incident.lessons_learned, "source_ref": incident.source_ref,
        "playbooks": list(incident.playbooks),
        "impacts": [
            {"client": i.client.slug, "data_categories": list(i.data_categories),
             "categories_assumed": i.categories_assumed, "records": i.records,
             "personal_data": i.personal_data}
            for i in impacts.order_by("client__slug")
        ],
        "clocks": [
            {"client": c.client, "rule": c.rule, "audience": c.audience, "title": c.title,
             "due_at": stamp(c.due_at), "state": c.state(now), "notified_at": stamp(c.notified_at),
             "decision": c.decision}
            for c in clocks_of(ws, clients, [incident])
        ],
        "tasks": [
            {"number": t.number, "playbook": t.playbook, "phase": t.phase, "text": t.text,
             "outcome": t.outcome or "open", "done_at": stamp(t.done_at), "done_by": t.done_by,
             "note": t.note}
            for t in tasks.order_by("number")
        ],
        "timeline": [
            {"at": stamp(e.at), "actor": e.actor, "kind": e.kind, "text": e.text}
            for e in timeline.order_by("at", "id")
        ],
    }  # fmt: skip


def playbook_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Return every playbook in force: shipped and the workspace's own."""
    return [
        {"name": b.name, "title": b.title, "tasks": len(b.tasks), "source": b.source}
        for b in library.playbooks(ws).values()
    ]


def visible(ws: Workspace, *, pk: int | None = None, ref: str | None = None) -> Incident | None:
    """Return the incident with this id or reference if the user may see it, else None."""
    rows = Incident.objects.for_client(ensure_operation(ws))
    found: Incident | None = rows.filter(pk=pk).first() if pk is not None else None
    if ref is not None:
        found = rows.filter(ref=ref.strip().upper()).first()
    if found is None:
        return None
    if not (scope.sees_all(ws) or scope.visible_clients(ws, scope.affected(found))):
        return None
    return found


def listing(
    ws: Workspace, slug: str | None = None, only_open: bool = False
) -> list[dict[str, Any]]:
    """Return ``incident_rows`` with each incident's id (for links)."""
    rows = incident_rows(ws, slug, only_open)
    refs = [r["ref"] for r in rows]
    ids = dict(
        Incident.objects.for_client(ensure_operation(ws))
        .filter(ref__in=refs)
        .values_list("ref", "pk")
    )
    return [r | {"pk": ids[r["ref"]]} for r in rows]


def clock_board(ws: Workspace, incident: Incident) -> list[dict[str, Any]]:
    """Return the incident's visible clocks: deadline, time left or late, and how each was met."""
    now = ws.clock()
    clients = scope.visible_clients(ws, scope.affected(incident))
    hours = {c.slug: c.breach_notification_hours for c in clients}
    out = []
    for c in clocks_of(ws, clients, [incident]):
        state = c.state(now)
        out.append(
            {"client": c.client, "rule": c.rule, "audience": c.audience, "title": c.title,
             "due_at": stamp(c.due_at), "state": state, "settled": state in SETTLED,
             "left": "" if state in SETTLED else left(c.due_at, now),
             "notified_at": stamp(c.notified_at), "decision": c.decision,
             "contract_hours": hours.get(c.client)}
        )  # fmt: skip
    return out
