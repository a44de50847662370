"""API: the audit trail the token's user may read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.core import audit
from dataward.web.api import Paged, api_ws

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    """One audit event (digests of before/after states, never the states themselves)."""

    seq: int
    at: str
    actor: str
    action: str
    client: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


@router.get("/events", response=list[AuditEventOut])
@paginate(Paged)
def list_events(request: HttpRequest, client: str | None = None) -> Any:
    """List audit events, oldest first, for one client or every client in scope."""
    return audit.visible_events(api_ws(request), client or None)
