"""API: the encryption registers — TLS endpoints and results, transfer channels, data at rest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.encryption import endpoints, registers, service
from dataward.web.api import Paged, api_ws
from dataward.web.api._shared import client_param

router = Router(tags=["encryption"])
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {}


class TlsEndpointOut(Schema):
    """An endpoint in the TLS register with its latest verdict."""

    client: str
    endpoint: str
    protocol: str
    purpose: str
    source: str
    last_checked: datetime | None
    verdict: str


class TlsResultOut(Schema):
    """One stored check of an endpoint against the TLS profile (findings are messages only)."""

    checked_at: datetime
    client: str
    endpoint: str
    verdict: str
    summary: str
    actor: str
    profile: str


class ChannelOut(Schema):
    """A transfer channel and whether what it carries travels encrypted."""

    client: str
    channel: str
    protocol: str
    host: str
    port: int | None
    transport: str
    tls_min: str
    direction: str
    purpose: str
    approved: bool
    status: str
    summary: str


class AtRestOut(Schema):
    """A storage location and whether it is encrypted at rest."""

    client: str
    path: str
    at_rest: str
    method: str
    note: str
    set_by: str
    set_at: datetime | date | None


@router.get("/endpoints", response=list[TlsEndpointOut], url_name="encryption_endpoints")
@paginate(Paged)
def list_endpoints(request: HttpRequest, client: str | None = None) -> Any:
    """List the TLS endpoints in scope, each with its latest verdict."""
    ws = api_ws(request)
    return endpoints.list_rows(ws, client_param(ws, client))


@router.get("/results", response=list[TlsResultOut], url_name="encryption_results")
@paginate(Paged)
def list_results(request: HttpRequest, client: str | None = None, latest: bool = True) -> Any:
    """List stored TLS results, newest first (only each endpoint's latest unless latest=false)."""
    ws = api_ws(request)
    return service.result_rows(ws, client_param(ws, client), latest)


@router.get("/channels", response=list[ChannelOut], url_name="encryption_channels")
@paginate(Paged)
def list_channels(request: HttpRequest, client: str | None = None) -> Any:
    """List the transfer channels in scope with their encryption verdict."""
    ws = api_ws(request)
    return registers.channel_rows(ws, client_param(ws, client))


@router.get("/locations", response=list[AtRestOut], url_name="encryption_locations")
@paginate(Paged)
def list_locations(request: HttpRequest, client: str | None = None) -> Any:
    """List the at-rest register: which storage holds client data and how it is encrypted."""
    ws = api_ws(request)
    return registers.location_rows(ws, client_param(ws, client))
