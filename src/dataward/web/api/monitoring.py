"""API: the log sources dataward ingests, with when each last delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.monitoring import service
from dataward.monitoring.models import LogSource
from dataward.web.api import Paged, api_ws

router = Router(tags=["monitoring"])
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {}


class LogSourceOut(Schema):
    """A log source: its client, mapping, the systems it covers and its freshness."""

    name: str
    client: str
    mapping: str
    systems: list[str]
    expected_hours: int | None
    retention_days: int | None
    last_event_at: datetime | None
    last_ingest_at: datetime | None

    @staticmethod
    def resolve_client(obj: LogSource) -> str:
        """Name the client by slug."""
        return obj.client.slug


@router.get("/sources", response=list[LogSourceOut], url_name="monitoring_sources")
@paginate(Paged)
def list_sources(request: HttpRequest) -> Any:
    """List the log sources in scope."""
    return service.sources(api_ws(request))
