"""What every page shares: the permission guard, client lookups and error pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError, PermissionDeniedError
from dataward.web.app import request_ws, visible_clients
from dataward.web.nav import can_use

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
PAGE_METHODS = ("GET", "HEAD", "POST")


def page(action: Action = Action.VIEW) -> Callable[[View], View]:
    """Guard a view: 403 unless the user may take ``action`` on the operation or some client.

    Pages take GET and POST only: PUT, PATCH, DELETE and the rest answer 405, not the page.
    """

    def wrap(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in PAGE_METHODS:
                return HttpResponseNotAllowed(PAGE_METHODS)
            ws = request_ws(request)
            if not can_use(ws, action, [c.slug for c in visible_clients(ws)]):
                raise PermissionDenied(f"{ws.actor.role} may not {action}")
            return view(request, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    return wrap


def clients_for(ws: Workspace, action: Action = Action.VIEW) -> list[Client]:
    """Return the clients on which the actor may take ``action``, in slug order."""
    return [c for c in visible_clients(ws) if may(ws.actor, action, c.slug)]


def client_or_404(ws: Workspace, slug: str, action: Action = Action.VIEW) -> Client:
    """Return the client named by ``slug`` if the actor may act on it; otherwise 404.

    404 rather than 403, so a user cannot learn which other clients exist.
    """
    for client in clients_for(ws, action):
        if client.slug == slug:
            return client
    raise Http404("no such client")


def selected_client(request: HttpRequest, action: Action = Action.VIEW) -> Client | None:
    """Return the client chosen by ``?client=`` (404 outside scope), or None for all in scope."""
    slug = request.GET.get("client", "")
    return client_or_404(request_ws(request), slug, action) if slug else None


def write_then_redirect(
    request: HttpRequest,
    back: str,
    act: Callable[[], str],
    show_refusal: Callable[[str], HttpResponseBase],
) -> HttpResponseBase:
    """Run one write by POST, then redirect to ``back`` with its message (GET just redirects).

    A refused write (a DatawardError other than a permission) re-renders the page with its one
    line and status 400; a permission refusal propagates (403).
    """
    if request.method != "POST":
        return redirect(back)
    try:
        done = act()
    except PermissionDeniedError:
        raise
    except DatawardError as exc:
        return show_refusal(exc.line())
    messages.success(request, done)
    return redirect(back)


def error_page(request: HttpRequest, exc: DatawardError) -> HttpResponse:
    """Show a user error as one line: 403 for permissions, 400 for anything else."""
    status = 403 if isinstance(exc, PermissionDeniedError) else 400
    return render(request, "web/error.html", {"message": exc.line()}, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render 403 without details."""
    return render(request, "web/error.html", {"message": "you may not open this page"}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render 404 without details; under /api/ as the API's JSON error, not an HTML page."""
    if request.path_info.startswith("/api/"):
        body = {"code": "NotFound", "message": "not found", "where": None}
        return JsonResponse(body, status=404)
    return render(request, "web/error.html", {"message": "not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render 500 without a traceback or any detail."""
    return render(
        request, "web/error.html", {"message": "internal error; see the server log"}, status=500
    )
