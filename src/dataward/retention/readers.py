"""Read what the retention engine judges: a client's holdings, rules and holds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.discovery.engine.inventory import approved_for
from dataward.retention.engine.overdue import Hold, Holding
from dataward.retention.engine.policy import Rule, from_client_record
from dataward.retention.models import LegalHold, RetentionPolicy


def holdings(client: Client) -> list[Holding]:
    """Return the client's present locations with the categories and values they hold."""
    from dataward.discovery.models import InventoryItem
    from dataward.discovery.readers import display

    cats: dict[int, set[str]] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    locs: dict[int, Any] = {}
    items = (
        InventoryItem.objects.for_client(client)
        .filter(location__present=True)
        .select_related("location")
    )
    for item in items.iterator(chunk_size=5000):
        cats[item.location_id].add(item.category)
        counts[item.location_id] += item.count
        locs[item.location_id] = item.location
    entries = list(client.approved_locations)
    out = []
    for pk, loc in locs.items():
        shown = display(loc)
        held = tuple(sorted(cats[pk]))
        out.append(
            Holding(
                location=shown,
                rel=loc.path,
                kind=loc.kind,
                categories=held,
                records=counts[pk],
                size=loc.size,
                modified_at=loc.modified_at,
                sha256=loc.sha256,
                approved=all(approved_for(shown, c, entries) for c in held),
            )
        )
    return sorted(out, key=lambda h: h.location)


def roots(client: Client) -> dict[str, str]:
    """Return each present file's scanned root, by its full path."""
    from dataward.discovery.models import Location
    from dataward.discovery.readers import display

    rows = Location.objects.for_client(client).filter(present=True, kind="file")
    return {display(loc): loc.root for loc in rows}


def rules(client: Client) -> tuple[list[Rule], str]:
    """Return the rules in force for the client and where they come from."""
    contract = from_client_record(client.slug, client.retention_rules)
    stored = RetentionPolicy.objects.for_client(client).order_by("-id").first()
    if stored is not None:
        return [Rule(**r) for r in stored.rules] + contract, f"{stored.location} and client record"
    return contract, "client record"


def holds(client: Client, active_only: bool = False) -> list[Hold]:
    """Return the client's legal holds (placed and, if so, released)."""
    rows = LegalHold.objects.for_client(client).order_by("id")
    if active_only:
        rows = rows.filter(released_at__isnull=True)
    return [Hold(h.ref, h.matter, h.path, h.category, h.placed_at, h.released_at) for h in rows]


def retention(ws: Workspace, client: Client) -> dict[str, Any]:
    """Return everything the retention checks read for one client."""
    from dataward.discovery.models import ScanRun
    from dataward.discovery.readers import fingerprints

    found, origin = rules(client)
    return {
        "scanned": ScanRun.objects.for_client(client).filter(status="completed").exists(),
        "holdings": holdings(client),
        "rules": found,
        "origin": origin,
        "holds": holds(client),
        "fingerprints": fingerprints(ws, client),
        "gone": gone_under_hold(client),
        "measures": measures(client),
        "now": ws.clock(),
    }


def gone_under_hold(client: Client) -> list[tuple[str, str, str]]:
    """Return (hold, location, when) for files that vanished while a hold covered them."""
    from dataward.discovery.models import InventoryItem
    from dataward.discovery.readers import display

    active = holds(client)
    if not active:
        return []
    cats: dict[int, set[str]] = defaultdict(set)
    locs: dict[int, Any] = {}
    items = (
        InventoryItem.objects.for_client(client)
        .filter(location__present=False)
        .select_related("location")
    )
    for item in items.iterator(chunk_size=5000):
        cats[item.location_id].add(item.category)
        locs[item.location_id] = item.location
    out = []
    for pk, loc in locs.items():
        held = tuple(sorted(cats[pk]))
        holding = Holding(display(loc), loc.path, loc.kind, held, 0, loc.size, loc.modified_at)
        for hold in active:
            if hold.covers(holding, loc.last_seen):
                out.append((hold.ref, holding.location, loc.last_seen.isoformat()))
    return out


def categories_now(client: Client, item: Any) -> set[str]:
    """Return the categories the inventory holds now for a planned file."""
    from dataward.discovery.models import InventoryItem

    rows = InventoryItem.objects.for_client(client).filter(
        location__root=item.root, location__path=item.rel, location__kind="file"
    )
    return set(rows.values_list("category", flat=True))


def measures(client: Client) -> list[dict[str, Any]]:
    """Return the client's last date-column measurements (`dataward retention measure`)."""
    from dataward.retention.models import RowMeasure

    rows = RowMeasure.objects.for_client(client).order_by("location", "category")
    return [
        {"location": m.location, "category": m.category, "column": m.column,
         "keep_days": m.keep_days, "total": m.total, "expired": m.expired,
         "undated": m.undated, "oldest": m.oldest, "error": m.error,
         "measured_at": m.measured_at}
        for m in rows
    ]  # fmt: skip
