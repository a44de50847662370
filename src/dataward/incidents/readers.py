"""Give checks a client's clocks and incidents, and `dataward remind` the dated duties."""

from __future__ import annotations

from datetime import UTC, date

from dataward.core.clients import ensure_operation
from dataward.core.engine.obligations import Obligation
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.incidents import queries, scope
from dataward.incidents.engine.clocks import SETTLED, Clock
from dataward.incidents.engine.targets import IncidentFacts, close_by
from dataward.incidents.engine.when import stamp
from dataward.incidents.engine.workflow import OPEN
from dataward.incidents.models import Impact, Incident, IncidentTask


def _affecting(ws: Workspace, client: Client) -> list[Incident]:
    """Return the incidents that affect one client."""
    ids = Impact.objects.for_client(client).values_list("incident_id", flat=True)
    op = ensure_operation(ws)
    return list(Incident.objects.for_client(op).filter(id__in=list(ids)).order_by("id"))


def clocks(ws: Workspace, client: Client) -> tuple[Clock, ...] | None:
    """Return the client's notification clocks (None for the operation, which has none)."""
    if client.is_operation:
        return None
    return tuple(queries.clocks_of(ws, [client], _affecting(ws, client)))


def incidents(ws: Workspace, client: Client) -> tuple[IncidentFacts, ...] | None:
    """Return the incidents affecting the client (None for the operation)."""
    if client.is_operation:
        return None
    return tuple(
        IncidentFacts(i.ref, i.title, i.severity, i.status, i.detected_at, i.closed_at, i.handler)
        for i in _affecting(ws, client)
    )


def obligations(ws: Workspace, today: date) -> list[Obligation]:
    """Return every unsettled clock the user may see, and (for operation-wide users) closures.

    A clock is owed by the incident's handler, due on the day its deadline falls (UTC). An
    open incident is owed closure, with lessons learned, by its severity's target day.
    """
    now = ws.clock()
    visible = queries.incidents_for(ws)
    clients = scope.visible_clients(ws, list(Client.objects.filter(kind="client")))
    out = [
        Obligation(
            "notification clock",
            c.ref,
            f"{c.title} ({c.client}, {c.audience}; due {stamp(c.due_at)})",
            c.handler,
            c.due_at.astimezone(UTC).date(),
            c.client,
            c.due_at,  # overdue the minute it passes, not the next day
        )  # fmt: skip
        for c in queries.clocks_of(ws, clients, visible)
        if c.state(now) not in SETTLED
    ]
    if not scope.sees_all(ws):
        return out
    op = ensure_operation(ws)
    for i in visible:
        if i.status not in OPEN:
            continue
        tasks = IncidentTask.objects.for_client(op).filter(incident=i, outcome="").count()
        facts = IncidentFacts(i.ref, i.title, i.severity, i.status, i.detected_at, None, i.handler)
        left = f" ({tasks} tasks open)" if tasks else ""
        out.append(
            Obligation(
                "incident closure",
                i.ref,
                f"close {i.ref} with lessons learned{left}",
                i.handler,
                close_by(facts).date(),
                None,
            )  # fmt: skip
        )
    return out
