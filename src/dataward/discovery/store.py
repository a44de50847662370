"""Store scan results per location, keeping the inventory's first-seen dates across scans."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.discovery.engine.scanner import LocationResult, category_of
from dataward.discovery.models import ColumnProfile, Finding, InventoryItem, Location, ScanRun


@dataclass(frozen=True)
class Scanned:
    """A scanned file or table as the store records it."""

    kind: str
    root: str
    path: str
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""
    owner: str = ""


def start_run(ws: Workspace, client: Client, targets: list[str]) -> ScanRun:
    """Open a scan run for a client."""
    return ScanRun.objects.create(
        client=client, started_at=ws.clock(), actor=ws.actor.name, targets=targets
    )


def known_files(client: Client, root: str) -> dict[str, Location]:
    """Return the locations already recorded under a root, by path."""
    rows = Location.objects.for_client(client).filter(root=root, kind="file")
    return {loc.path: loc for loc in rows}


def touch(ws: Workspace, run: ScanRun, locations: Iterable[Location], **changes: Any) -> None:
    """Mark unchanged locations as seen by this run."""
    ids = [loc.pk for loc in locations]
    if ids:
        Location.objects.for_client(run.client).filter(pk__in=ids).update(
            last_seen=ws.clock(), last_run=run, present=True, **changes
        )


def save(ws: Workspace, run: ScanRun, item: Scanned, result: LocationResult) -> Location:
    """Replace a location's findings, column profiles and inventory with a new result."""
    now = ws.clock()
    client = run.client
    modified = datetime.fromtimestamp(item.mtime_ns / 1e9, tz=UTC) if item.mtime_ns else None
    with transaction.atomic():
        defaults = {
            "kind": item.kind, "size": item.size, "mtime_ns": item.mtime_ns,
            "sha256": item.sha256, "modified_at": modified, "owner": item.owner,
            "last_seen": now, "last_run": run, "present": True,
            "skipped": [{"member": s.where.member, "reason": s.reason} for s in result.skipped],
            "findings_total": sum(result.tally.counts.values()),
            "truncated": result.truncated,
        }  # fmt: skip
        loc, _ = Location.objects.for_client(client).update_or_create(
            client=client,
            root=item.root,
            path=item.path,
            defaults=defaults,
            create_defaults={**defaults, "first_seen": now},
        )
        Finding.objects.for_client(client).filter(location=loc).delete()
        ColumnProfile.objects.for_client(client).filter(location=loc).delete()
        Finding.objects.bulk_create(_findings(client, loc, result), batch_size=2000)
        ColumnProfile.objects.bulk_create(
            ColumnProfile(
                client=client, location=loc, member=c.member, column=c.column[:300],
                entity_type=c.entity_type, rows_with=c.rows_with, rows_total=c.rows_total,
            )
            for c in result.columns
        )  # fmt: skip
        _update_inventory(client, loc, result, now)
    return loc  # type: ignore[no-any-return]


def _findings(client: Client, loc: Location, result: LocationResult) -> list[Finding]:
    return [
        Finding(
            client=client, location=loc, entity_type=f.entity_type,
            category=category_of(f.entity_type), member=f.where.member[:500],
            sheet=(f.where.sheet or "")[:200], page=f.where.page, line=f.where.line,
            row=f.where.row, column=(f.where.column or "")[:300], start=f.start, end=f.end,
            score=f.score, preview=f.preview[:80], fingerprint=f.fingerprint,
        )
        for f in result.items
    ]  # fmt: skip


def _update_inventory(client: Client, loc: Location, result: LocationResult, now: Any) -> None:
    items = InventoryItem.objects.for_client(client).filter(location=loc)
    items.exclude(entity_type__in=list(result.tally.counts)).delete()
    for entity, count in result.tally.counts.items():
        InventoryItem.objects.for_client(client).update_or_create(
            client=client,
            location=loc,
            entity_type=entity,
            defaults={
                "category": category_of(entity),
                "count": count,
                "distinct": len(result.tally.distinct.get(entity, ())),
                "last_seen": now,
            },
            create_defaults={
                "category": category_of(entity),
                "count": count,
                "distinct": len(result.tally.distinct.get(entity, ())),
                "first_seen": now,
                "last_seen": now,
            },
        )


def finish_run(
    ws: Workspace, run: ScanRun, status: str, counts: dict[str, int], roots: Iterable[str]
) -> None:
    """Close a run; a completed run marks files no longer under its roots as gone."""
    with transaction.atomic():
        if status == "completed":
            for root in roots:
                gone = Location.objects.for_client(run.client).filter(root=root, kind="file")
                gone.exclude(last_run=run).update(present=False)
        run.status, run.counts, run.finished_at = status, counts, ws.clock()
        run.save()
        audit.record(
            ws, f"scan.{status}", run.client.slug, "scan", str(run.pk),
            detail={"targets": run.targets, **counts},
        )  # fmt: skip
