"""API: the data inventory (locations and what they hold) and findings, never a value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.discovery import report
from dataward.discovery.models import Finding, InventoryItem, Location
from dataward.discovery.readers import display
from dataward.web.api import Paged, api_ws
from dataward.web.views import client_or_404, clients_for

router = Router(tags=["inventory"])
#: No route takes a path parameter; clients come as ?client= and are checked against the scope.
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {}


def _clients(request: HttpRequest, client: str | None) -> list[Client]:
    """Return the one client asked for (404 outside the token's scope) or every one in scope."""
    ws = api_ws(request)
    return [client_or_404(ws, client, Action.VIEW)] if client else clients_for(ws, Action.VIEW)


class LocationOut(Schema):
    """A scanned file or table of one client, with how many findings it held when last scanned."""

    id: int
    client: str
    kind: str
    location: str
    owner: str
    size: int
    modified_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    present: bool
    findings_total: int
    truncated: bool

    @staticmethod
    def resolve_client(obj: Location) -> str:
        """Return the client's slug."""
        return obj.client.slug

    @staticmethod
    def resolve_location(obj: Location) -> str:
        """Return the full path, or url#schema.table for a table."""
        return display(obj)


class ItemOut(Schema):
    """One inventory row: a location, an entity type, how much, how many distinct, since when."""

    client: str
    location_id: int
    location: str
    category: str
    entity_type: str
    count: int
    distinct: int
    first_seen: datetime
    last_seen: datetime
    approved: bool

    @staticmethod
    def resolve_client(obj: InventoryItem) -> str:
        """Return the client's slug."""
        return obj.client.slug

    @staticmethod
    def resolve_location(obj: InventoryItem) -> str:
        """Return where the data is."""
        return display(obj.location)

    @staticmethod
    def resolve_approved(obj: InventoryItem) -> bool:
        """Return whether the client approved this location for this category."""
        return report.is_approved(obj)


class FindingOut(Schema):
    """One finding: where, what, score, a masked preview and the keyed fingerprint."""

    id: int
    client: str
    location_id: int
    location: str
    entity_type: str
    category: str
    member: str
    sheet: str
    page: int | None
    line: int | None
    row: int | None
    column: str
    start: int
    end: int
    score: float
    preview: str
    fingerprint: str

    @staticmethod
    def resolve_client(obj: Finding) -> str:
        """Return the client's slug."""
        return obj.client.slug

    @staticmethod
    def resolve_location(obj: Finding) -> str:
        """Return where the finding is."""
        return display(obj.location)


@router.get("/locations", response=list[LocationOut], url_name="inventory_locations")
@paginate(Paged)
def list_locations(request: HttpRequest, client: str | None = None, present: bool = True) -> Any:
    """List scanned locations of one client or every client in scope (present ones by default)."""
    rows = Location.objects.for_clients(_clients(request, client)).select_related("client")
    if present:
        rows = rows.filter(present=True)
    return rows.order_by("id")


@router.get("/items", response=list[ItemOut], url_name="inventory_items")
@paginate(Paged)
def list_items(
    request: HttpRequest, client: str | None = None, entity_type: str | None = None
) -> Any:
    """List the inventory rows (location x entity type) of present locations."""
    rows = report.inventory_items(_clients(request, client))
    if entity_type:
        rows = rows.filter(entity_type=entity_type.upper())
    return rows.order_by("id")


@router.get("/findings", response=list[FindingOut], url_name="inventory_findings")
@paginate(Paged)
def list_findings(
    request: HttpRequest,
    client: str | None = None,
    entity_type: str | None = None,
    location_id: int | None = None,
) -> Any:
    """List findings, oldest first; filter by client, entity type or location id."""
    clients = _clients(request, client)
    rows = report.finding_rows(clients)
    if location_id is not None:
        rows = rows.filter(location_id=location_id)
    if entity_type:
        rows = rows.filter(entity_type=entity_type.upper())
    return rows.order_by("id")
