"""Hold the workspace the web server serves and give each request its own acting user."""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpRequest

from dataward.core.models import Client, User
from dataward.core.users import to_principal
from dataward.core.workspace import Workspace
from dataward.errors import WorkspaceError


class _Served:
    """The workspace opened by `dataward serve` (or a test), shared by every request."""

    ws: Workspace | None = None


served = _Served()


def serve(ws: Workspace) -> None:
    """Make this open workspace the one the web app serves."""
    served.ws = ws


def workspace_for(user: User) -> Workspace:
    """Return the served workspace acting as this signed-in user, with their role and scope."""
    if served.ws is None:
        raise WorkspaceError("no workspace is being served", "web", "start it with dataward serve")
    return replace(served.ws, actor=to_principal(user), warnings=[])


def request_ws(request: HttpRequest) -> Workspace:
    """Return the request's workspace (set by WorkspaceMiddleware for signed-in users)."""
    ws = getattr(request, "ws", None)
    if ws is None:
        raise WorkspaceError("this request has no signed-in user", "web", "sign in first")
    return ws  # type: ignore[no-any-return]


def visible_clients(ws: Workspace) -> list[Client]:
    """Return the clients (not the operation) the acting user may see, in slug order."""
    rows = Client.objects.filter(kind="client").order_by("slug")
    if ws.actor.clients is not None:
        rows = rows.filter(slug__in=sorted(ws.actor.clients))
    return list(rows)
