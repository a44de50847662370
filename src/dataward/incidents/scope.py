"""Decide who may see and change an incident, from the clients it affects.

An incident belongs to the operation. Users who may view the operation's records see every
incident; a client-scoped user sees an incident only when it affects one of their clients,
and then only that client's impact, clocks and timeline entries. Changing the incident as a
whole (status, handler, playbooks, tasks, shared notes) needs the action on every affected
client, so a user scoped to one client cannot close an incident that also touches another.
"""

from __future__ import annotations

from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError, PermissionDeniedError
from dataward.incidents.models import Impact, Incident


def affected(incident: Incident) -> list[Client]:
    """Return the clients the incident affects, by slug."""
    rows = Impact.objects.unscoped("who an incident affects, before deciding visibility")
    ids = rows.filter(incident=incident).values_list("client_id", flat=True)
    return list(Client.objects.filter(id__in=list(ids)).order_by("slug"))


def sees_all(ws: Workspace, action: Action = Action.VIEW) -> bool:
    """Return whether the user may take the action on the operation's own records."""
    return may(ws.actor, action, None)


def visible_clients(ws: Workspace, clients: list[Client]) -> list[Client]:
    """Return those of the clients the acting user may view."""
    return [c for c in clients if may(ws.actor, Action.VIEW, c.slug)]


def get(ws: Workspace, ref: str, action: Action = Action.VIEW) -> Incident:
    """Return an incident the user may act on; unknown and invisible ones look the same."""
    rows = Incident.objects.for_client(ensure_operation(ws))
    incident: Incident | None = rows.filter(ref=ref.strip().upper()).first()
    clients = affected(incident) if incident else []
    if incident is None or not (sees_all(ws) or visible_clients(ws, clients)):
        raise DatawardError(f"no incident {ref!r}", "REF", "see `dataward incidents list`")
    require_all(ws, incident, action, clients)
    return incident


def require_all(
    ws: Workspace, incident: Incident, action: Action, clients: list[Client] | None = None
) -> None:
    """Require the action on every client the incident affects (the operation if none)."""
    if action is Action.VIEW:
        return
    clients = affected(incident) if clients is None else clients
    if not clients:
        ws.require(action, None)
    for client in clients:
        if may(ws.actor, Action.VIEW, client.slug):
            ws.require(action, client.slug)
        elif not may(ws.actor, action, client.slug):
            # Never name a client the user may not see: that alone tells them it was breached.
            raise PermissionDeniedError(
                f"{incident.ref} also affects clients outside your scope",
                "permissions",
                "ask a user who may act for every affected client",
            )


def client_of(ws: Workspace, slug: str, action: Action) -> Client:
    """Return a client (never the operation) the user may take the action on."""
    client = Client.objects.filter(slug=slug, kind="client").first()
    if client is None:
        raise DatawardError(f"no client {slug!r}", "--client", "see `dataward clients list`")
    ws.require(action, client.slug)
    return client
