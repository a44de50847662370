"""The overview: posture per client and area, risk heat map, alerts to triage, overdue duties."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from dataward.controls import catalog_service, posture_service
from dataward.core import reminders
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.monitoring import service as monitoring
from dataward.risks import service as risks
from dataward.risks.engine.scoring import band
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Overview", "overview:index", Action.VIEW, order=10)

#: Heat map colour per rating band; an empty cell is h0.
HEAT = {"low": "h1", "medium": "h2", "high": "h3", "critical": "h4"}
#: The page that handles each kind of obligation `dataward remind` gathers.
DUTY_PAGES = {
    "alert triage": "/alerts/",
    "attestation renewal": "/controls/",
    "control due": "/controls/",
    "exception expiry": "/controls/",
    "device check-in": "/devices/",
    "incident closure": "/incidents/",
    "notification clock": "/incidents/",
    "risk acceptance expiry": "/risks/",
    "risk closure": "/risks/",
    "risk treatment": "/risks/",
    "training": "/training/",
    "vendor review": "/vendors/",
}
#: Overdue items listed per client; the rest are counted.
DUTIES_SHOWN = 8


def _link(base: str, slug: str | None) -> str:
    """Return a page link narrowed to one client (the operation's records have no filter)."""
    return f"{base}?{urlencode({'client': slug})}" if slug and slug != "operation" else base


def _posture_cards(ws: Workspace, scope: list[Client]) -> list[dict[str, Any]]:
    """Return one card per client: overall score, its change, the trend and each area's counts."""
    found = posture_service.overview(ws, scope)
    areas = catalog_service.catalog().areas
    cards = []
    for client in scope:
        data = found[client.slug]
        scores = data["posture"].get("areas") or {}
        trend = [t for t in data["trend"] if t is not None]
        rows = [
            {"title": a.title, "score": scores.get(a.id), **data["areas"].get(a.id, {})}
            for a in areas
            if a.id in scores or a.id in data["areas"]
        ]
        if "other" in data["areas"]:
            rows.append({"title": "Not in the catalog", "score": None, **data["areas"]["other"]})
        cards.append(
            {
                "client": client,
                "at": data["at"],
                "overall": data["posture"].get("overall"),
                "change": round(trend[-1] - trend[-2], 1) if len(trend) > 1 else None,
                "trend": trend,
                "areas": rows,
                "link": _link("/controls/", client.slug),
            }
        )
    return cards


def _heat(ws: Workspace, slug: str | None) -> list[list[dict[str, Any]]]:
    """Return the heat map as five rows (likelihood 5 to 1) of five cells (impact 1 to 5)."""
    cells = [
        {
            "likelihood": c.likelihood,
            "impact": c.impact,
            "count": c.count,
            "cls": HEAT[band(c.likelihood * c.impact)] if c.count else "h0",
        }
        for c in risks.heat_counts(ws, slug)
    ]
    return [cells[i : i + 5] for i in range(0, len(cells), 5)]


def _names(clients: list[Client]) -> dict[str, str]:
    """Return each client's name by slug, and how the operation's own records are labelled."""
    return {"operation": "The operation", **{c.slug: c.name for c in clients}}


def _triage(ws: Workspace, slug: str | None, names: dict[str, str]) -> list[dict[str, Any]]:
    """Return one row per client with alerts new or under investigation, oldest first."""
    rows = [
        {"client": key, "name": names.get(key, key), "link": _link("/alerts/", key), **value}
        for key, value in monitoring.triage_backlog(ws, slug).items()
    ]
    return sorted(rows, key=lambda r: r["oldest"])


@page()
def index(request: HttpRequest) -> HttpResponse:
    """Show posture, risks, alerts awaiting triage and (loaded after) overdue duties."""
    ws = request_ws(request)
    client = selected_client(request)
    clients = clients_for(ws)
    scope = [client] if client else clients
    slug = client.slug if client else None
    context = {
        "clients": clients,
        "client": client,
        "cards": _posture_cards(ws, scope),
        "heat": _heat(ws, slug),
        "impacts": [1, 2, 3, 4, 5],
        "triage": _triage(ws, slug, _names(clients)),
        "overdue_url": _link(reverse("overview:overdue"), slug),
    }
    return render(request, "web/overview.html", context)


@page()
def overdue(request: HttpRequest) -> HttpResponse:
    """Show the obligations `dataward remind` gathers that are overdue, per client."""
    ws = request_ws(request)
    client = selected_client(request)
    today = ws.clock().date()
    rows = reminders.gather(ws, today, client=client.slug if client else None)
    names = _names(clients_for(ws))
    if not may(ws.actor, Action.VIEW, None):
        del names["operation"]  # a vendor serving several clients is the operation's duty
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["client"], r["due"], r["kind"], r["ref"])):
        if row["state"] == "overdue" and row["client"] in names:
            row["link"] = _link(DUTY_PAGES.get(row["kind"], "/"), row["client"])
            row["days"] = (today - row["due"]).days
            groups.setdefault(row["client"], []).append(row)
    blocks = [
        {
            "client": key,
            "name": names.get(key, key),
            "count": len(items),
            "items": items[:DUTIES_SHOWN],
            "more": max(0, len(items) - DUTIES_SHOWN),
        }
        for key, items in groups.items()
    ]
    return render(request, "web/overview_overdue.html", {"blocks": blocks, "today": today})


urlpatterns = [
    path("", index, name="index"),
    path("overview/overdue/", overdue, name="overdue"),
]
