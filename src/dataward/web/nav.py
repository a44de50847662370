"""The menu: each page module declares its entry; a user sees only the pages their role can use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace


@dataclass(frozen=True)
class MenuItem:
    """One entry of the menu: label, URL name, the action it needs and its place."""

    label: str
    url_name: str
    action: Action = Action.VIEW
    order: int = 50


def can_use(ws: Workspace, action: Action, client_slugs: list[str]) -> bool:
    """Return True when the actor may take ``action`` on the operation or on any of the clients."""
    if may(ws.actor, action, None):
        return True
    return any(may(ws.actor, action, slug) for slug in client_slugs)


def menu_items() -> list[MenuItem]:
    """Return every page module's menu entry, in order."""
    from dataward.web.urls import page_modules

    items = [m.MENU for m in page_modules() if getattr(m, "MENU", None)]
    return sorted(items, key=lambda i: (i.order, i.label))


def context(request: HttpRequest) -> dict[str, Any]:
    """Give templates the menu entries the signed-in user may use."""
    ws = getattr(request, "ws", None)
    if ws is None:
        return {"menu": []}
    from dataward.web.app import visible_clients

    slugs = [c.slug for c in visible_clients(ws)]
    items = [i for i in menu_items() if can_use(ws, i.action, slugs)]
    return {"menu": items, "actor": ws.actor}
