"""Resolve which clients a command acts on, with the acting user's permission checked."""

from __future__ import annotations

from dataward.core import clients
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace


def slug_of(client: Client) -> str | None:
    """Return the slug permissions use: None for the operation's own records."""
    return None if client.is_operation else client.slug


def one(ws: Workspace, slug: str | None, action: Action) -> Client:
    """Return the named client (the operation when None), after checking the action."""
    client = clients.get(ws, slug) if slug else ensure_operation(ws)
    ws.require(action, slug_of(client))
    return client


def many(ws: Workspace, slug: str | None, action: Action) -> list[Client]:
    """Return the named client, or every client the user may act on (and the operation)."""
    if slug:
        return [one(ws, slug, action)]
    visible = [c for c in clients.visible(ws) if may(ws.actor, action, c.slug)]
    if may(ws.actor, action, None):
        return [ensure_operation(ws), *visible]
    return visible
