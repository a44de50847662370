"""Devices: each current device with its state per policy rule, and one device's history.

The listing is what `dataward devices list` prints, judged once per inventory snapshot, scope
and day (devices.service.listing keeps it), then filtered, sorted and paged per request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse

from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.devices import service
from dataward.devices.engine.types import ON_SITE, REMOTE, UNKNOWN_PLACE
from dataward.devices.models import DeviceState
from dataward.errors import DatawardError
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Devices", "devices:index", Action.VIEW, order=40)
OBJECTS = {"detail": (DeviceState, {"pk": "pk"})}
RULES = list(dict.fromkeys(service.SHORT.values()))
FILTERS = ("state", "rule", "where")
PLACES = (REMOTE, ON_SITE, UNKNOWN_PLACE)
STATE_CHOICES = [
    ("failing", "failing a rule"),
    ("unknown", "a rule cannot tell"),
    ("passing", "passing all"),
]


def _state(rule: str) -> Any:
    """Return a cell function: fail, unknown or pass (pass includes rules that do not apply)."""
    return lambda r: (
        "fail" if rule in r["failing"] else "unknown" if rule in r["unknown"] else "pass"
    )


@page()
def index(request: HttpRequest) -> HttpResponseBase:
    """List the devices in scope with each rule's state; filter failing ones, a rule, a client."""
    ws = request_ws(request)
    client = selected_client(request)
    wanted = {k: request.GET.get(k, "") for k in FILTERS}
    rows = service.pick(service.listing(ws, client.slug if client else None), **wanted)
    link = lambda r: reverse("devices:detail", args=[r["id"]]) if r["id"] else ""  # noqa: E731
    table = tables.Table(
        name="devices",
        columns=[
            tables.Column("device", "Device", sort="device", link=link),
            tables.Column("source", "Source", sort="source"),
            tables.Column("employee_id", "Employee", sort="employee_id"),
            tables.Column("job_role", "Job role", sort="job_role"),
            tables.Column("clients", "Clients"),
            tables.Column("location", "Where", sort="location"),
            tables.Column("os", "OS", sort="os"),
            tables.Column("last_seen", "Last seen (UTC)", sort="last_seen"),
            *[tables.Column(rule, rule.replace("_", " "), value=_state(rule)) for rule in RULES],
        ],
        rows=rows,
        search=["device", "employee_id", "job_role", "os"],
        default_sort="device",
    )
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):
        return tables.export(request, table, fmt)
    ctx = tables.context(request, table)
    ctx["hidden"] = [(k, v) for k, v in ctx["hidden"] if k not in FILTERS]
    split = len(table.columns) - len(RULES)
    ctx["rows"] = [(body[:split], body[split:]) for body in ctx["body"]]
    extra = {"clients": clients_for(ws), "client": client, "wanted": wanted, "places": PLACES,
             "rules": [(r, r.replace("_", " ")) for r in RULES], "states": STATE_CHOICES,
             "imported": service.imported(ws)}  # fmt: skip
    htmx = getattr(request, "htmx", False)
    partial = htmx and request.headers.get("HX-Target") == ctx["table_id"]
    return render(
        request, "web/devices_table.html" if partial else "web/devices.html", {**extra, **ctx}
    )


@page()
def detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Show one device: its state now (or on a past day), each rule per client, its history."""
    ws = request_ws(request)
    on_text = request.GET.get("on", "")
    try:
        on = date.fromisoformat(on_text) if on_text else None
    except ValueError:
        on = None
    doc = _doc(ws, pk, on)
    if doc is None and on is not None:
        _doc(ws, pk, None)  # 404 unless the user may see the device now
    posture = []
    if doc:
        for key, value in doc["posture"].items():
            many = key == "software" and isinstance(value, list | tuple)
            posture.append(
                (key.replace("_", " "), f"{len(value)} installed" if many else tables.text(value))
            )
    ctx = {"doc": doc, "posture": posture, "on": on, "pk": pk}
    return render(request, "web/devices_detail.html", ctx)


def _doc(ws: Workspace, pk: int, on: date | None) -> dict[str, Any] | None:
    """Return the device's document on a day (None: not on record then); 404 if never seen now."""
    try:
        return service.state_doc(ws, pk, on)
    except DatawardError:
        if on is None:
            raise Http404("no such device") from None
        return None


urlpatterns = [
    path("devices/", index, name="index"),
    path("devices/<int:pk>/", detail, name="detail"),
]
