"""The JSON API: django-ninja with per-user bearer tokens; each module here adds a router."""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from dataward.core.workspace import Workspace
from dataward.errors import DatawardError, PermissionDeniedError
from dataward.plugins import walk_modules
from dataward.web import tokens
from dataward.web.app import served

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_LIMIT = 10_000
MAX_OFFSET = 2**53  # far below what SQLite and PostgreSQL take as OFFSET (a larger one was a 500)


class Paged(LimitOffsetPagination):
    """``?limit=&offset=`` pagination with bounds: use it instead of LimitOffsetPagination."""

    class Input(Schema):
        """The query parameters, validated (out of range: 422 with the bound)."""

        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        """Cap the limit as the Input does."""
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class TokenAuth(HttpBearer):
    """Accept `Authorization: Bearer dw_...`; the request then acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Return the token row when it is live; set ``request.ws`` to act as its user."""
        if served.ws is None:
            return None
        found = tokens.authenticate(served.ws, token)
        if found is None:
            return None
        row, principal = found
        if row.read_only and request.method not in SAFE_METHODS:  # even where a route forgets
            raise PermissionDeniedError(
                "this token is read-only", "token", "create a token that writes"
            )
        request.ws = replace(served.ws, actor=principal, warnings=[])  # type: ignore[attr-defined]
        request.read_only = row.read_only  # type: ignore[attr-defined]
        return row


def api_ws(request: HttpRequest, write: bool = False) -> Workspace:
    """Return the request's workspace; a write through a read-only token is refused."""
    if write and getattr(request, "read_only", False):
        raise PermissionDeniedError(
            "this token is read-only", "token", "create a token that writes"
        )
    return request.ws  # type: ignore[attr-defined, no-any-return]


def _signed_in(view: Any) -> Any:
    """Serve the API's docs and schema only to a signed-in, verified user of the dashboard."""
    from functools import wraps

    from dataward.web.auth.mfa import is_verified, needs_mfa

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        user = request.user
        if not user.is_authenticated or (needs_mfa(user) and not is_verified(user)):
            return HttpResponse("sign in to read the API documentation", status=401)
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="dataward API",
    version="1",
    description="Registers and write actions of dataward, scoped to the token's user and clients.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_decorator=_signed_in,
)


def _problem(
    request: HttpRequest, status: int, code: str, message: str, where: str | None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "where": where}, status=status
    )


@api.exception_handler(DatawardError)
def _dataward_error(request: HttpRequest, exc: DatawardError) -> HttpResponse:
    status = 403 if isinstance(exc, PermissionDeniedError) else 400
    return _problem(request, status, type(exc).__name__, exc.line(), exc.where)


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 403, "PermissionDenied", "not allowed for this token", None)


@api.exception_handler(Http404)
def _missing(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 404, "NotFound", "not found", None)


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
    from dataward.web.middleware import LOGGER, UNSTORABLE

    LOGGER.warning("refused a value the database cannot store: %s", exc)
    return _problem(request, 400, "BadRequest", UNSTORABLE, None)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 401, "Unauthorized", "send Authorization: Bearer <token>", None)


for _module in walk_modules("dataward.web.api"):
    _router = getattr(importlib.import_module(_module), "router", None)
    if _router is not None:
        api.add_router(f"/v1/{_module.rsplit('.', 1)[-1]}", _router)
