"""What several API routers share: JSON bodies read after the lookup, and the ?client= guard."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Schema
from pydantic import ValidationError

from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.web.views import client_or_404

In = TypeVar("In", bound=Schema)


def json_body(schema: type[Schema]) -> dict[str, Any]:
    """Describe a JSON request body in the OpenAPI schema (for routes that read it themselves)."""
    content = {"application/json": {"schema": schema.model_json_schema()}}
    return {"requestBody": {"required": True, "content": content}}


def read_body(request: HttpRequest, schema: type[In]) -> In:
    """Read the JSON body, after the route has found its object (so 404 comes before 422).

    Errors are one line naming the field, never quoting the value sent.
    """
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise DatawardError("the body is not JSON", "body", "send a JSON object") from None
    if not isinstance(data, dict):
        raise DatawardError("the body is not a JSON object", "body", "send a JSON object")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise DatawardError(f"{first['msg']}", f"field {field!r}", "see /api/docs") from None


def client_param(ws: Workspace, slug: str | None) -> str | None:
    """Return ?client= for a service: 404 when it names no client in a scoped user's view.

    A client-scoped user gets the same 404 for another client's slug as for a made-up one (the
    services answer 403 and 400). Users who may view the operation see every client and the
    operation itself, so their slug goes to the service as given.
    """
    if not slug:
        return None
    if not may(ws.actor, Action.VIEW, None):
        client_or_404(ws, slug)
    return slug
