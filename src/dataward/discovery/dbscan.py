"""Scan a database target for a client: tables read in parallel ranges, each stored when done.

Each table is one location (``kind="table"``, root = the redacted URL, path = the table), stored
atomically once all its ranges are merged, so an interrupted scan keeps every stored table. A
rerun after an interruption resumes: tables the interrupted run (the latest earlier run of the
same client over the same URL, if it did not complete) already stored are marked seen and not
read again; ``--full`` reads them all. The URL, password included, only reaches the workers
in-process; what is shown and stored is the redacted URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.progress import Progress

from dataward.core.workspace import Workspace
from dataward.discovery import store
from dataward.discovery.models import Location, ScanRun

if TYPE_CHECKING:
    from dataward.discovery.engine.sources.ranges import Split
    from dataward.discovery.scan import ScanRequest, Totals

#: Earlier runs looked at to find an interrupted scan of the same database.
RECENT_RUNS = 50


def scan_database(
    ws: Workspace,
    run: ScanRun,
    url: str,
    req: ScanRequest,
    totals: Totals,
    progress: Progress,
    split: Split | None = None,
) -> None:
    """Scan every wanted table of the database at ``url`` and store each as it finishes."""
    from dataward.discovery.engine.sources.database import redact_url  # loads SQLAlchemy
    from dataward.discovery.engine.sources.ranges import Split
    from dataward.discovery.engine.sources.tables import DatabaseScan, RangeDone, scan_database

    shown = redact_url(url)
    held = {} if req.full else resumable(run, shown)
    if held:
        store.touch(ws, run, held.values())
        totals.outcome("tables_resumed", len(held))
    how = DatabaseScan(
        req.sample_rows, req.jobs, req.include, req.exclude, frozenset(held), split or Split()
    )
    task_id = progress.add_task(f"scanning {shown}", total=None, files=0, findings=0)
    for event in scan_database(url, ws.keyring.fingerprinter(), req.options, how):
        if isinstance(event, RangeDone):
            if event.total > 1:
                progress.update(
                    task_id,
                    description=f"scanning {shown}: {event.member} {event.done}/{event.total} "
                    f"ranges, {event.rows:,} rows",
                )
            continue
        item = store.Scanned("table", shown, event.member)
        if event.failed:
            store.save(ws, run, item, event.result)
            totals.outcome("tables_skipped")
        else:
            store.save(ws, run, item, event.result, only=req.options.entities)
            totals.outcome("tables_scanned")
            totals.outcome("findings", sum(event.result.tally.counts.values()))
        progress.update(
            task_id,
            description=f"scanning {shown}",
            files=totals.counts["tables_scanned"],
            findings=totals.counts["findings"],
        )


def resumable(run: ScanRun, shown: str) -> dict[str, Location]:
    """Return the tables, by name, that an unfinished earlier scan of ``shown`` read and stored."""
    earlier = ScanRun.objects.for_client(run.client).filter(pk__lt=run.pk).order_by("-pk")
    previous = next((r for r in earlier[:RECENT_RUNS] if shown in r.targets), None)
    if previous is None or previous.status == "completed":
        return {}
    rows = Location.objects.for_client(run.client).filter(
        kind="table", root=shown, last_run=previous
    )
    return {loc.path: loc for loc in rows if not loc.skipped}  # retry what it could not read
