"""Deny by default: every page needs a signed-in user, and MFA where the role demands it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from dataward.errors import DatawardError
from dataward.web.app import workspace_for
from dataward.web.auth.mfa import is_verified, needs_mfa

LOGGER = logging.getLogger(__name__)
PUBLIC_PREFIXES = ("/login/", "/static/", "/oidc/", "/healthz")
MFA_PREFIXES = ("/login/mfa/", "/logout/")
API_PREFIX = "/api/"
UNSTORABLE = "a value holds a character or a length the database cannot store"


class WorkspaceMiddleware:
    """Attach the acting workspace to signed-in requests; send others to sign in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        """Wrap the rest of the middleware chain."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Let public paths through; otherwise demand a session (and MFA) and attach ``ws``."""
        path = request.path_info  # what the URL resolver matches, whatever SCRIPT_NAME says
        if _holds_nul(request):  # PostgreSQL refuses NUL in text: a 500 on any lookup otherwise
            return _bad_request(request, "a value holds a NUL character")
        if path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if path.startswith(API_PREFIX):  # the API authenticates each call by token
            return _not_stored(self.get_response(request))
        user = request.user
        if not user.is_authenticated or not user.is_active:
            query = urlencode({"next": request.get_full_path()})
            return _redirect(request, f"{settings.LOGIN_URL}?{query}")
        if needs_mfa(user) and not is_verified(user) and not path.startswith(MFA_PREFIXES):
            return _redirect(request, "/login/mfa/")
        request.ws = workspace_for(user)  # type: ignore[attr-defined]
        return _not_stored(self.get_response(request))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Show a DatawardError as its one line (403 for permissions), never a traceback.

        A value the database refuses (too long for its column, say) is the user's input: 400.
        """
        if isinstance(exception, DatawardError):
            from dataward.web.views import error_page

            return error_page(request, exception)
        if isinstance(exception, DataError):
            LOGGER.warning(
                "refused a value the database cannot store (%s)", type(exception).__name__
            )
            return _bad_request(request, UNSTORABLE)
        return None


def _not_stored(response: HttpResponse) -> HttpResponse:
    """Keep client data out of browser and proxy caches, unless the view chose otherwise."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_store=True)
    return response


def _holds_nul(request: HttpRequest) -> bool:
    """Return True when the path, a query parameter or a form field holds a NUL character."""
    if "\x00" in request.path:
        return True
    if request.content_type == "application/json" and request.method not in ("GET", "HEAD"):
        body = request.body
        if b"\\u0000" in body or b"\x00" in body:  # JSON's escape of NUL, or a raw one
            return True
    forms = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    return any("\x00" in k or "\x00" in v for form in forms for k, v in _pairs(form))


def _pairs(form: QueryDict) -> list[tuple[str, str]]:
    return [(key, value) for key, values in form.lists() for value in values]


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """Refuse a request's input with one line: JSON for the API, the error page otherwise."""
    if request.path_info.startswith(API_PREFIX):
        body = {"code": "BadRequest", "message": message, "where": None}
        return JsonResponse(body, status=400)
    return render(request, "web/error.html", {"message": message}, status=400)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; an htmx request gets HX-Redirect so the whole page moves, not a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
