"""The data inventory: per client and location, what sensitive data is kept; and its findings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path, reverse

from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.discovery import report
from dataward.discovery.engine.types import CATEGORY, ENTITIES
from dataward.discovery.models import Finding, Location
from dataward.discovery.readers import display
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Data inventory", "inventory:index", Action.VIEW, order=20)
#: No URL of these pages takes a path parameter (locations come as ?location=, checked in scope).
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {}

ENTITY_CHOICES = [(e, e) for e in ENTITIES]
CATEGORY_CHOICES = [(c, c) for c in sorted(set(CATEGORY.values()))]
KIND_CHOICES = [("file", "file"), ("table", "table")]


def _findings_link(location: Location, client: Client) -> str:
    query = urlencode({"client": client.slug, "location": location.pk})
    return f"{reverse('inventory:findings')}?{query}"


def _scope(request: HttpRequest) -> tuple[Client | None, list[Client], list[Client]]:
    """Return the chosen client (or None), the clients in scope, and those to show."""
    client = selected_client(request)
    clients = clients_for(request_ws(request))
    return client, clients, [client] if client else clients


def _item_columns() -> list[tables.Column]:
    return [
        tables.Column("client.slug", "Client", sort="client__slug"),
        tables.Column(
            "location",
            "Location",
            sort="location__path",
            value=lambda i: display(i.location),
            link=lambda i: _findings_link(i.location, i.client),
        ),
        tables.Column("location.kind", "Kind"),
        tables.Column("category", "Category", sort="category"),
        tables.Column("entity_type", "Entity type", sort="entity_type"),
        tables.Column("count", "Count", sort="count"),
        tables.Column("distinct", "Distinct values", sort="distinct"),
        tables.Column("first_seen", "First seen (UTC)", sort="first_seen"),
        tables.Column("last_seen", "Last seen (UTC)", sort="last_seen"),
        tables.Column("location.owner", "Owner", sort="location__owner"),
        tables.Column(
            "approved", "Approved", value=lambda i: "yes" if report.is_approved(i) else "no"
        ),
    ]


@page()
def index(request: HttpRequest) -> HttpResponseBase:
    """List the inventory: per client, location and entity type, how much and since when."""
    client, clients, shown = _scope(request)
    table = tables.Table(
        name="data-inventory",
        columns=_item_columns(),
        rows=report.inventory_items(shown),
        filters=[
            tables.Filter("category", "Category", CATEGORY_CHOICES, "category"),
            tables.Filter("entity_type", "Entity type", ENTITY_CHOICES, "entity_type"),
            tables.Filter("kind", "Kind", KIND_CHOICES, "location__kind"),
        ],
        search=["location__path", "location__owner"],
        default_sort="-count",
    )
    totals = _totals(report.inventory_totals(shown), shown)
    extra = {"clients": clients, "client": client, "totals": totals}
    return tables.respond(request, "web/inventory.html", extra, table)


def _totals(rows: list[dict[str, Any]], shown: list[Client]) -> list[dict[str, Any]]:
    """Group the per client and category totals into one summary per client."""
    by_slug: dict[str, dict[str, Any]] = {
        c.slug: {"client": c, "count": 0, "categories": []} for c in shown
    }
    slugs = {c.pk: c.slug for c in shown}
    for row in rows:
        summary = by_slug[slugs[row["client_id"]]]
        summary["count"] += row["count"] or 0
        summary["categories"].append(row)
    return list(by_slug.values())


def _location(request: HttpRequest, clients: list[Client]) -> Location | None:
    """Return the location named by ?location= if it belongs to a client in scope; else 404."""
    wanted = request.GET.get("location", "")
    if not wanted:
        return None
    found = report.location_of(clients, int(wanted)) if wanted.isdigit() else None
    if found is None:
        raise Http404("no such location")
    return found


def _where(f: Finding) -> str:
    """Return where in the file a finding is: archive member, sheet, page."""
    parts = [f.member, f"sheet {f.sheet}" if f.sheet else "", f"page {f.page}" if f.page else ""]
    return " · ".join(p for p in parts if p)


def _short(f: Finding) -> str:
    """Return the start of the keyed fingerprint's digest: enough to compare, not to look up."""
    return str(f.fingerprint).rsplit(":", 1)[-1][:12]


def _finding_columns(location: Location | None) -> list[tables.Column]:
    """Return the findings table's columns; line order only within one location (cheap there)."""
    return [
        tables.Column("client.slug", "Client"),
        tables.Column(
            "location",
            "Location",
            sort="location_id",
            value=lambda f: display(f.location),
            link=lambda f: _findings_link(f.location, f.client),
        ),
        tables.Column("where", "Part", value=_where),
        tables.Column("line", "Line", sort="line" if location else None),
        tables.Column("row", "Row"),
        tables.Column("column", "Column"),
        tables.Column("entity_type", "Entity type", sort="entity_type"),
        tables.Column("score", "Score", sort="score"),
        tables.Column("preview", "Masked preview"),
        tables.Column("fingerprint", "Fingerprint", value=_short),
    ]


@page()
def findings(request: HttpRequest) -> HttpResponseBase:
    """List findings (masked previews and short fingerprints only), filtered, sorted and paged."""
    client, clients, shown = _scope(request)
    location = _location(request, shown)
    table = tables.Table(
        name="findings",
        columns=_finding_columns(location),
        rows=report.finding_rows(shown, location),
        filters=[
            tables.Filter("entity_type", "Entity type", ENTITY_CHOICES, "entity_type"),
        ],
        default_sort="location_id",
    )
    extra = {
        "clients": clients,
        "client": client,
        "location": location,
        "location_name": display(location) if location else "",
        "clear_location": _without(request, "location"),
    }
    return tables.respond(request, "web/inventory_findings.html", extra, table)


def _without(request: HttpRequest, name: str) -> str:
    """Return the current query string without one parameter (and without the page number)."""
    kept = {k: v for k, v in request.GET.items() if k not in (name, "page", "export")}
    return "?" + urlencode(kept) if kept else "?"


urlpatterns = [
    path("inventory/", index, name="index"),
    path("inventory/findings/", findings, name="findings"),
]
