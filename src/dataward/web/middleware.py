"""Deny by default: every page needs a signed-in user, and MFA where the role demands it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from dataward.errors import DatawardError
from dataward.web.app import workspace_for
from dataward.web.auth.mfa import is_verified, needs_mfa

PUBLIC_PREFIXES = ("/login/", "/static/", "/oidc/", "/healthz")
MFA_PREFIXES = ("/login/mfa/", "/logout/")
API_PREFIX = "/api/"


class WorkspaceMiddleware:
    """Attach the acting workspace to signed-in requests; send others to sign in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        """Wrap the rest of the middleware chain."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Let public paths through; otherwise demand a session (and MFA) and attach ``ws``."""
        path = request.path
        if path.startswith(PUBLIC_PREFIXES) or path.startswith(API_PREFIX):
            return self.get_response(request)  # the API authenticates each call by token
        user = request.user
        if not user.is_authenticated or not user.is_active:
            query = urlencode({"next": request.get_full_path()})
            return _redirect(request, f"{settings.LOGIN_URL}?{query}")
        if needs_mfa(user) and not is_verified(user) and not path.startswith(MFA_PREFIXES):
            return _redirect(request, "/login/mfa/")
        request.ws = workspace_for(user)  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Show a DatawardError as its one line (403 for permissions), never a traceback."""
        if isinstance(exception, DatawardError):
            from dataward.web.views import error_page

            return error_page(request, exception)
        return None


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; an htmx request gets HX-Redirect so the whole page moves, not a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
