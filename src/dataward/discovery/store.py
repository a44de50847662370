"""Store scan results per location, keeping the inventory's first-seen dates across scans."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q

from dataward.core import audit
from dataward.core.bulk import insert_rows
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
    """Open a scan run for a client.

    Called under the client's scan lock, so a run of this client still marked running belongs to
    a process that died (killed, power cut) without closing it: it is marked ``abandoned``.
    """
    ScanRun.objects.for_client(client).filter(status="running").update(status="abandoned")
    return ScanRun.objects.create(
        client=client, started_at=ws.clock(), actor=ws.actor.name, targets=targets
    )


def known_files(client: Client, folder: str) -> dict[str, Location]:
    """Return the file locations already recorded inside a folder, by full path.

    A file is one location however it was reached: scanning ``/share`` and later
    ``/share/sub`` (or the other way round) finds the same records, never a second copy.
    """
    folder = folder.rstrip("/") or "/"
    inside = "/" if folder == "/" else folder + "/"
    query = Q(root=folder) | Q(root__startswith=inside)
    for parent in PurePosixPath(folder).parents:
        above = str(parent)
        query |= Q(root=above, path__startswith=inside[len(above.rstrip("/")) + 1 :])
    rows = Location.objects.for_client(client).filter(query, kind__in=("file", "folder"))
    return {full_path(loc.root, loc.path): loc for loc in rows}


def full_path(root: str, path: str) -> str:
    """Return the full path of a file location (as shown everywhere)."""
    return f"{root.rstrip('/')}/{path}"


def record_skips(
    ws: Workspace,
    run: ScanRun,
    skips: Iterable[tuple[Scanned, str]],
    known: dict[str, Location],
) -> None:
    """Record what a folder walk could not read, with the reason, as this run's skips.

    A locked folder, an unreadable file, a link out of the scanned folder or a pipe each become
    (or update) a location whose ``skipped`` says why. A file recorded before keeps the findings
    of its last reading, and loses its size, time and hash so it is read in full once it can be.
    """
    now = ws.clock()
    with transaction.atomic():
        for item, reason in skips:
            skipped = [{"member": "", "reason": reason}]
            loc = known.get(full_path(item.root, item.path))
            if loc is not None:
                Location.objects.for_client(run.client).filter(pk=loc.pk).update(
                    skipped=skipped, last_seen=now, last_run=run, present=True,
                    mtime_ns=0, sha256="",
                )  # fmt: skip
                continue
            Location.objects.for_client(run.client).update_or_create(
                client=run.client, root=item.root, path=item.path,
                defaults={"kind": item.kind, "skipped": skipped, "last_seen": now,
                          "last_run": run, "present": True, "mtime_ns": 0, "sha256": ""},
                create_defaults={"kind": item.kind, "skipped": skipped, "first_seen": now,
                                 "last_seen": now, "last_run": run},
            )  # fmt: skip


def mark_gone(client: Client, location_ids: Iterable[int]) -> None:
    """Record that files a completed scan of their folder no longer found are gone."""
    ids = list(location_ids)
    for start in range(0, len(ids), 500):
        Location.objects.for_client(client).filter(pk__in=ids[start : start + 500]).update(
            present=False
        )


def touch(ws: Workspace, run: ScanRun, locations: Iterable[Location], **changes: Any) -> None:
    """Mark unchanged locations as seen by this run."""
    ids = [loc.pk for loc in locations]
    if ids:
        Location.objects.for_client(run.client).filter(pk__in=ids).update(
            last_seen=ws.clock(), last_run=run, present=True, **changes
        )


def save(
    ws: Workspace,
    run: ScanRun,
    item: Scanned,
    result: LocationResult,
    *,
    new: bool = False,
    only: tuple[str, ...] | None = None,
) -> Location:
    """Replace a location's findings, column profiles and inventory with a new result.

    ``new`` says the caller knows no location exists yet under this root and path. ``only``
    (a scan limited with ``--entity``) replaces just those types and leaves the file's size,
    time and hash as they were, so the next full scan still reads the file for everything else.

    Atomic (on its own or inside the caller's batch), so an interrupt never leaves a
    half-stored file. Findings go
    in with one multi-row insert: a dense export holds thousands, and model objects would cost
    more than finding them did.
    """
    now = ws.clock()
    client = run.client
    modified = datetime.fromtimestamp(item.mtime_ns / 1e9, tz=UTC) if item.mtime_ns else None
    # No savepoint: inside a scan's batch, any error aborts the whole batch anyway.
    with transaction.atomic(savepoint=False):
        defaults = {
            "kind": item.kind, "size": item.size, "mtime_ns": item.mtime_ns,
            "sha256": item.sha256, "modified_at": modified, "owner": item.owner,
            "last_seen": now, "last_run": run, "present": True,
            "skipped": [{"member": s.where.member, "reason": s.reason} for s in result.skipped],
            "findings_total": sum(result.tally.counts.values()),
            "truncated": result.truncated,
        }  # fmt: skip
        if only is not None:
            for key in ("size", "mtime_ns", "sha256", "modified_at", "findings_total"):
                del defaults[key]
        if new:
            loc = Location.objects.for_client(client).create(
                client=client, root=item.root, path=item.path, first_seen=now, **defaults
            )
            created = True
        else:
            loc, created = Location.objects.for_client(client).update_or_create(
                client=client,
                root=item.root,
                path=item.path,
                defaults=defaults,
                create_defaults={**defaults, "first_seen": now},
            )
        if not created:
            for model in (Finding, ColumnProfile):
                stale = model.objects.for_client(client).filter(location=loc)
                if only is not None:
                    stale = stale.filter(entity_type__in=only)
                stale.delete()
        _insert_findings(client, loc, result)
        _insert(
            ColumnProfile, _COLUMN_FIELDS,
            [
                (client.pk, loc.pk, c.member[:500], c.column[:300], c.entity_type, c.rows_with,
                 c.rows_total)
                for c in result.columns
            ],
        )  # fmt: skip
        _update_inventory(client, loc, result, now, created, only)
    return loc  # type: ignore[no-any-return]


_FINDING_FIELDS = (
    "client", "location", "entity_type", "category", "member", "sheet", "page", "line", "row",
    "column", "start", "end", "score", "preview", "fingerprint",
)  # fmt: skip


_COLUMN_FIELDS = (
    "client", "location", "member", "column", "entity_type", "rows_with", "rows_total",
)  # fmt: skip
_INVENTORY_FIELDS = (
    "client", "location", "entity_type", "category", "count", "distinct", "first_seen",
    "last_seen",
)  # fmt: skip


def _insert(model: type[Model], names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows with one statement: model objects would cost more than the scan did."""
    if rows:
        insert_rows(model, names, rows, batch=len(rows), prepare=False)


def _insert_findings(client: Client, loc: Location, result: LocationResult) -> None:
    rows = [
        (
            client.pk, loc.pk, f.entity_type, category_of(f.entity_type), f.where.member[:500],
            (f.where.sheet or "")[:200], f.where.page, f.where.line, f.where.row,
            (f.where.column or "")[:300], f.start, f.end, f.score, f.preview[:80], f.fingerprint,
        )
        for f in result.items
    ]  # fmt: skip
    _insert(Finding, _FINDING_FIELDS, rows)


def _update_inventory(
    client: Client,
    loc: Location,
    result: LocationResult,
    now: Any,
    created: bool,
    only: tuple[str, ...] | None,
) -> None:
    counts = result.tally.counts
    distinct = {e: len(result.tally.distinct.get(e, ())) for e in counts}
    existing: dict[str, InventoryItem] = {}
    if not created:
        items = InventoryItem.objects.for_client(client).filter(location=loc)
        gone = items.exclude(entity_type__in=list(counts))
        if only is not None:
            gone = gone.filter(entity_type__in=only)
        gone.delete()
        existing = {i.entity_type: i for i in items.filter(entity_type__in=list(counts))}
    for entity, item in existing.items():
        item.count, item.distinct, item.last_seen = counts[entity], distinct[entity], now
        item.category = category_of(entity)
    if existing:
        InventoryItem.objects.for_client(client).bulk_update(
            existing.values(), ["count", "distinct", "last_seen", "category"]
        )
    stamp = connection.ops.adapt_datetimefield_value(now)
    _insert(
        InventoryItem, _INVENTORY_FIELDS,
        [
            (client.pk, loc.pk, entity, category_of(entity), count, distinct[entity], stamp, stamp)
            for entity, count in counts.items()
            if entity not in existing
        ],
    )  # fmt: skip


def finish_run(
    ws: Workspace, run: ScanRun, status: str, counts: dict[str, int], gone: Iterable[int] = ()
) -> None:
    """Close a run; a completed run marks the files its folders no longer hold as gone."""
    with transaction.atomic():
        if status == "completed":
            mark_gone(run.client, gone)
        run.status, run.counts, run.finished_at = status, counts, ws.clock()
        run.save()
        audit.record(
            ws, f"scan.{status}", run.client.slug, "scan", str(run.pk),
            detail={"targets": run.targets, **counts},
        )  # fmt: skip
