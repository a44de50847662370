"""Share the small helpers the discovery checks use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView
from dataward.discovery.engine.inventory import InventoryRow


def inventory_rows(view: WorkspaceView) -> list[InventoryRow] | None:
    """Return the client's inventory rows, or None when the client was never scanned."""
    inv = view.read("discovery_inventory")
    return list(inv["rows"]) if inv["scanned"] else None


def not_scanned(view: WorkspaceView) -> Iterator[Result]:
    """Say that a check cannot judge a client nobody has scanned."""
    yield Result(
        Status.NOT_APPLICABLE,
        view.client.slug,
        f"{view.client.slug} has not been scanned yet: run dataward scan PATH --client "
        f"{view.client.slug}",
    )


def by_location(rows: Iterable[InventoryRow]) -> dict[str, list[InventoryRow]]:
    """Group inventory rows by location, in order."""
    out: dict[str, list[InventoryRow]] = defaultdict(list)
    for row in rows:
        out[row.location].append(row)
    return dict(out)


def counts(rows: Iterable[InventoryRow]) -> str:
    """Describe what a location holds, e.g. '40 CREDIT_CARD, 40 PERSON'."""
    return ", ".join(f"{r.count} {r.entity_type}" for r in rows)


def evidence(rows: Iterable[InventoryRow]) -> tuple[dict[str, object], ...]:
    """Return evidence rows for a location: type, category, count and distinct values."""
    return tuple(
        {
            "location": r.location,
            "entity_type": r.entity_type,
            "category": r.category,
            "count": r.count,
            "distinct": r.distinct,
        }
        for r in rows
    )
