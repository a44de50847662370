"""Read the data inventory for checks, one client at a time."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.discovery.engine.inventory import InventoryRow
from dataward.discovery.models import Finding, InventoryItem, Location, ScanRun


def display(loc: Location) -> str:
    """Return how a location is shown: the file's full path, or ``url#schema.table``."""
    if loc.kind == "table":
        return f"{loc.root}#{loc.path}"
    return f"{loc.root.rstrip('/')}/{loc.path}"


def inventory(ws: Workspace, client: Client) -> dict[str, Any]:
    """Return the client's inventory rows for present locations, and whether it was ever scanned."""
    scanned = ScanRun.objects.for_client(client).filter(status="completed").exists()
    items = (
        InventoryItem.objects.for_client(client)
        .filter(location__present=True)
        .select_related("location")
        .order_by("location__root", "location__path", "entity_type")
    )
    rows = [
        InventoryRow(
            location=display(i.location),
            kind=i.location.kind,
            entity_type=i.entity_type,
            category=i.category,
            count=i.count,
            distinct=i.distinct,
            first_seen=i.first_seen,
            last_seen=i.last_seen,
            modified_at=i.location.modified_at,
            owner=i.location.owner,
        )
        for i in items
    ]
    return {"scanned": scanned, "rows": rows}


def fingerprints(ws: Workspace, client: Client) -> dict[str, set[str]]:
    """Return the fingerprints found in each present file, to spot copies of one extract."""
    out: dict[str, set[str]] = defaultdict(set)
    found = (
        Finding.objects.for_client(client)
        .filter(location__present=True, location__kind="file")
        .values_list("location__root", "location__path", "fingerprint")
    )
    for root, path, fp in found.iterator(chunk_size=5000):
        out[f"{root.rstrip('/')}/{path}"].add(fp)
    return dict(out)
