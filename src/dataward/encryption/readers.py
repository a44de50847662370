"""Give the encryption checks one client's endpoints, channels, at-rest register and archives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.encryption.endpoints import latest_scans
from dataward.encryption.engine.archives import MemberHit, archive_of
from dataward.encryption.engine.at_rest import AtRestEntry
from dataward.encryption.engine.channels import Channel
from dataward.encryption.engine.endpoints import Endpoint
from dataward.encryption.engine.tls_facts import TlsFacts, from_dict
from dataward.encryption.models import AtRestLocation, TlsEndpoint, TransferChannel
from dataward.encryption.registers import channel_of


@dataclass(frozen=True)
class EndpointResult:
    """An in-scope endpoint and the facts of its latest check (None: never checked)."""

    endpoint: Endpoint
    latest: TlsFacts | None


def tls_endpoints(ws: Workspace, client: Client) -> tuple[EndpointResult, ...]:
    """Return the client's in-scope endpoints with their latest stored results."""
    latest = latest_scans(client)
    out = []
    for e in TlsEndpoint.objects.for_client(client).order_by("host", "port"):
        scan = latest.get((e.host, e.port))
        spec = Endpoint(e.host, e.port, e.purpose, e.protocol, e.source)
        out.append(EndpointResult(spec, from_dict(scan.facts) if scan else None))
    return tuple(out)


def channels(ws: Workspace, client: Client) -> tuple[Channel, ...]:
    """Return the client's transfer channels as its register lists them."""
    rows = TransferChannel.objects.for_client(client).order_by("ref")
    return tuple(channel_of(r) for r in rows)


def at_rest(ws: Workspace, client: Client) -> tuple[AtRestEntry, ...]:
    """Return the client's at-rest register."""
    rows = AtRestLocation.objects.for_client(client).order_by("path")
    return tuple(AtRestEntry(r.path, r.state, r.method) for r in rows)


def archive_hits(ws: Workspace, client: Client) -> dict[str, Any]:
    """Return sensitive values found inside container members, and encrypted members skipped.

    Read from discovery's records (findings keep the member path inside a container); with no
    completed scan, ``scanned`` is False.
    """
    from dataward.discovery.models import Finding, Location, ScanRun
    from dataward.discovery.readers import display

    scanned = ScanRun.objects.for_client(client).filter(status="completed").exists()
    grouped = (
        Finding.objects.for_client(client)
        .filter(location__present=True, location__kind="file")
        .exclude(member="")
        .values("location_id", "member", "entity_type", "category")
        .annotate(n=Count("id"))
        .order_by("location_id", "member", "entity_type")
    )
    rows = list(grouped)
    ids = {r["location_id"] for r in rows}
    locations = list(Location.objects.for_client(client).filter(pk__in=ids))
    places = {loc.pk: display(loc) for loc in locations}
    hits = [
        MemberHit(places[r["location_id"]], r["member"], r["entity_type"], r["category"], r["n"])
        for r in rows
    ]
    encrypted: dict[str, int] = {}
    for loc in locations:
        for skip in loc.skipped or []:
            place = archive_of(places[loc.pk], str(skip.get("member", "")))
            if skip.get("reason") == "encrypted member" and place:
                encrypted[place[0]] = encrypted.get(place[0], 0) + 1
    return {"scanned": scanned, "hits": hits, "encrypted": encrypted}
