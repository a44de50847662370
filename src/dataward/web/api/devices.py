"""API: the current devices with the rules each fails, and one device's state and history."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.devices import service
from dataward.devices.models import DeviceState
from dataward.errors import DatawardError
from dataward.web.api import Paged, api_ws
from dataward.web.views import client_or_404

router = Router(tags=["devices"])
OBJECTS = {"devices_device": (DeviceState, {"pk": "pk"})}


class DeviceOut(Schema):
    """One current device: who it links to, where it works, the rules it fails or cannot tell."""

    id: int | None
    device: str
    source: str
    employee_id: str
    job_role: str
    clients: list[str]
    site: str
    location: str
    os: str
    last_seen: str
    failing: list[str]
    unknown: list[str]


class DeviceRuleOut(Schema):
    """One rule's verdict on the device for one client."""

    rule: str
    check: str
    client: str
    status: str
    failing_since: date | None
    reason: str


class DeviceHistoryOut(Schema):
    """One recorded state of the device and what changed in it."""

    recorded_from: str
    recorded_to: str
    changed: list[str]


class DeviceDetailOut(Schema):
    """A device's recorded state at a time, each rule's verdict, and its history."""

    device: str
    source: str
    serial: str
    as_of: str
    recorded_from: str
    recorded_to: str
    last_seen: str
    employee_id: str
    job_role: str
    clients: list[str]
    site: str
    location: str
    policy: str
    posture: dict[str, Any]
    origin: dict[str, str]
    rules: list[DeviceRuleOut]
    history: list[DeviceHistoryOut]


@router.get("/devices", response=list[DeviceOut], url_name="devices_list")
@paginate(Paged)
def list_devices(
    request: HttpRequest,
    client: str | None = None,
    state: str = "",
    rule: str = "",
    where: str = "",
) -> Any:
    """List the devices in scope: state failing, unknown or passing; a failing rule; a place."""
    ws = api_ws(request)
    found = client_or_404(ws, client) if client else None
    rows = service.listing(ws, found.slug if found else None)
    return service.pick(rows, state, rule, where)


@router.get("/devices/{pk}", response=DeviceDetailOut, url_name="devices_device")
def get_device(request: HttpRequest, pk: int, on: date | None = None) -> Any:
    """Return a device's recorded state now (or at the end of day ``on``) and its history."""
    try:
        return service.state_doc(api_ws(request), pk, on)
    except DatawardError:
        raise Http404("no such device") from None
