"""Ingest log files into the workspace: stream, normalise, mask, store in batches, resume.

Each batch of events and the run's position in the file are committed together, so an
interrupted ingestion resumes exactly where the last batch ended: no event is lost or stored
twice. A file is known by its source, path and the hash of its first 64 KiB; running the same
ingestion again reads only what was appended since.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from django.db import connection, transaction
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from dataward.core import audit
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.monitoring.engine import ingest as parse
from dataward.monitoring.engine.ingest.records import Complete
from dataward.monitoring.engine.privacy import mask
from dataward.monitoring.models import IngestRun, LogEvent, LogSource
from dataward.output import err

BATCH = 5000
HEAD = 64 * 1024
#: Malformed lines kept by line number and reason per run (the count is always complete).
KEEP_MALFORMED = 200
DEFAULT_RETENTION_DAYS = 90


@dataclass
class IngestResult:
    """What one ingestion did."""

    source: str
    location: str
    run: int
    events: int = 0
    malformed: int = 0
    masked: int = 0
    resumed_from_line: int = 0
    skipped: bool = False
    pruned: int = 0
    malformed_lines: list[tuple[int, str]] = field(default_factory=list)
    clients: dict[str, int] = field(default_factory=dict)


def _identity(path: Path, length: int = HEAD) -> str:
    """Return how a log file is recognised again: the hash of its first bytes, and how many.

    A log that grows keeps its first bytes, so a later run finds the earlier one by hashing the
    same number of leading bytes it hashed then.
    """
    with path.open("rb") as fh:
        head = fh.read(length)
    return f"sha256:{len(head)}:{hashlib.sha256(head).hexdigest()}"


def refuse_utf16(path: Path) -> None:
    """Refuse a UTF-16 file (Windows PowerShell's default) with the fix, not one error a line."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) == 4 and head[1::2] == b"\0\0"):
        raise DatawardError(
            "is UTF-16 text (Windows PowerShell writes it by default); logs are read as UTF-8",
            str(path),
            "convert it first, e.g. iconv -f UTF-16 -t UTF-8, or Out-File -Encoding utf8",
        )


def _same_file(path: Path, identity: str) -> bool:
    """Return whether the file starts with the bytes an earlier run recorded."""
    try:
        _, length, _ = identity.split(":")
    except ValueError:
        return False
    return _identity(path, int(length)) == identity


def ingest(
    ws: Workspace,
    source: LogSource,
    path: Path | None,
    *,
    progress: bool = True,
    prune_after: bool = True,
    growing: bool = False,
) -> IngestResult:
    """Ingest one file (None: standard input) into a source; resume an unfinished run.

    With ``prune_after`` the source's events past retention are deleted at the end; the CLI
    prunes only after the rules have read the new events, so a backfill is judged first. With
    ``growing`` (a log still being written) a last line without its newline is left for later.
    """
    mapping = parse.load_mapping(source.mapping)
    location = "-" if path is None else str(path.resolve())
    if path is not None and not path.is_file():
        raise DatawardError(f"no such file: {path}", "logs ingest", "check the path")
    if path is not None:
        refuse_utf16(path)
    run = _run(ws, source, location, path)
    result = IngestResult(source.name, location, run.pk, resumed_from_line=run.lines)
    size = path.stat().st_size if path is not None else 0
    if path is not None and run.offset >= size:
        result.skipped = True
        return result
    writer = _Writer(ws, source, run, result)
    try:
        if path is None:
            writer.consume(parse.read_events(sys.stdin.buffer, mapping, now=ws.clock()), None)
        else:
            with path.open("rb") as fh, _bar(progress, size, run.offset) as bar:
                view: Any = Complete(fh) if growing else fh
                events = parse.read_events(
                    view, mapping, start=run.offset, start_line=run.lines, now=ws.clock()
                )
                writer.consume(events, bar)
    except KeyboardInterrupt:
        _finish(ws, source, run, result, "interrupted")
        raise DatawardError(
            f"interrupted after line {writer.done_lines} ({writer.done_events} events stored)",
            location,
            "run the same command again to resume from there",
        ) from None
    except BaseException:
        _finish(ws, source, run, result, "failed")
        raise
    _finish(ws, source, run, result, "done")
    if prune_after:
        result.pruned = prune(ws, source)
    return result


def _bar(enabled: bool, size: int, done: int) -> Progress:
    """Return a bytes progress bar on stderr."""
    bar = Progress(
        TextColumn("ingesting"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[events]} events"),
        console=err,
        disable=not enabled,
        transient=True,
    )
    bar.add_task("ingest", total=size, completed=done, events=0)
    return bar


def _run(ws: Workspace, source: LogSource, location: str, path: Path | None) -> IngestRun:
    """Return the run to continue (same source and file, same first bytes) or a new one."""
    if path is not None:
        earlier = (
            IngestRun.objects.for_client(source.client)
            .filter(source=source, location=location)
            .order_by("-id")
        )
        found: IngestRun
        for found in earlier[:20]:
            if _same_file(path, found.identity):
                found.status = "running"
                found.save(update_fields=["status"])
                return found
    return IngestRun.objects.create(
        client=source.client,
        source=source,
        location=location,
        identity=_identity(path) if path is not None else "",
        started_at=ws.clock(),
        actor=ws.actor.name,
    )


class _Writer:
    """Turn parsed records into stored events, one committed batch at a time."""

    def __init__(self, ws: Workspace, source: LogSource, run: IngestRun, result: IngestResult):
        self.ws = ws
        self.source = source
        self.run = run
        self.result = result
        self.clients: dict[str, Client | None] = {}
        self.rows: list[tuple[Any, ...]] = []
        self.latest: datetime | None = None
        self.fixed = source.client
        self.stranger = (
            "names a client that is not in the workspace or your scope"
            if source.client.is_operation
            else "names another client than the source's; declare a source of the operation"
        )
        self.done_lines, self.done_events = run.lines, 0
        self.adapt = connection.ops.adapt_datetimefield_value
        table = LogEvent._meta.db_table
        columns = "client_id, source_id, run_id, line, ts, category, action, user_name, doc"
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 9)})"  # noqa: S608

    def consume(self, records: Iterator[parse.Parsed | parse.Malformed], bar: Any) -> None:
        """Store every record; commit every BATCH events with the run's new position."""
        task = bar.tasks[0].id if bar is not None else None
        pending = 0
        for rec in records:
            self.run.offset, self.run.lines = rec.end, rec.last_line
            if isinstance(rec, parse.Malformed):
                self._malformed(rec.line, rec.reason)
            else:
                self._event(rec)
            pending += 1
            if pending >= BATCH:
                self._commit()
                pending = 0
                if bar is not None:
                    bar.update(task, completed=self.run.offset, events=self.result.events)
        self._commit()

    def _malformed(self, line: int, reason: str) -> None:
        """Count a malformed line and keep its number and reason."""
        self.run.malformed += 1
        self.result.malformed += 1
        if len(self.run.malformed_lines) < KEEP_MALFORMED:
            self.run.malformed_lines.append([line, reason])

    def _client(self, slug: str | None) -> Client | None:
        """Return the event's client: named per line, else the source's.

        Only the operation's sources carry several clients' events: a client's source that
        names another client per line would store that client's events under this source.
        """
        if slug is None or slug == self.fixed.slug:
            return self.fixed
        if not self.fixed.is_operation:
            return None
        if slug not in self.clients:
            client = Client.objects.filter(slug=slug).first()
            if client is not None and not may(self.ws.actor, Action.IMPORT, client.slug):
                client = None
            self.clients[slug] = client
        return self.clients[slug]

    def _event(self, rec: parse.Parsed) -> None:
        """Queue one event for the next batch."""
        client = self._client(rec.client)
        if client is None:
            self._malformed(rec.line, self.stranger)
            return
        fields = rec.fields
        self.result.masked += mask(fields)
        category = fields.get("event.category")
        if isinstance(category, list):
            category = ",".join(str(c) for c in category)
        user = fields.get("user.name")
        self.rows.append(
            (
                client.pk,
                self.source.pk,
                self.run.pk,
                rec.line,
                self.adapt(rec.ts),
                str(category or "")[:64],
                str(fields.get("event.action") or "")[:128],
                str(user or "")[:254],
                orjson.dumps(fields).decode(),
            )
        )
        self.result.events += 1
        self.result.clients[client.slug] = self.result.clients.get(client.slug, 0) + 1
        self.run.events += 1
        if self.latest is None or rec.ts > self.latest:
            self.latest = rec.ts

    def _commit(self) -> None:
        """Write the queued events and the run's position in one transaction."""
        with transaction.atomic():
            if self.rows:
                with connection.cursor() as cur:
                    cur.executemany(self.sql, self.rows)
            self.run.save(
                update_fields=["offset", "lines", "events", "malformed", "malformed_lines"]
            )
            if self.latest is not None:
                LogSource.objects.for_client(self.source.client).filter(
                    pk=self.source.pk, last_event_at__lt=self.latest
                ).update(last_event_at=self.latest)
                LogSource.objects.for_client(self.source.client).filter(
                    pk=self.source.pk, last_event_at__isnull=True
                ).update(last_event_at=self.latest)
        self.rows = []
        self.done_lines, self.done_events = self.run.lines, self.result.events
        self.result.malformed_lines = [(int(a), str(b)) for a, b in self.run.malformed_lines]


def _finish(
    ws: Workspace, source: LogSource, run: IngestRun, result: IngestResult, status: str
) -> None:
    """Close the run and record one audit event for it."""
    with transaction.atomic():
        run.status = status
        run.finished_at = ws.clock()
        run.save(update_fields=["status", "finished_at"])
        LogSource.objects.for_client(source.client).filter(pk=source.pk).update(
            last_ingest_at=ws.clock()
        )
        audit.record(
            ws,
            "logs.ingest",
            None if source.client.is_operation else source.client.slug,
            "log_source",
            source.name,
            detail={
                "run": run.pk,
                "location": run.location,
                "status": status,
                "events": result.events,
                "malformed": result.malformed,
                "masked": result.masked,
                "clients": result.clients,
            },
        )


def prune(ws: Workspace, source: LogSource) -> int:
    """Delete the source's events older than its retention; return how many went (audited).

    The caller has checked that the user may import into the source.
    """
    days = source.retention_days or DEFAULT_RETENTION_DAYS
    cutoff = ws.clock() - timedelta(days=days)
    with transaction.atomic():
        gone, _ = (
            LogEvent.objects.unscoped("retention applies to every client of the source")
            .filter(source=source, ts__lt=cutoff)
            .delete()
        )
        if gone:
            audit.record(
                ws,
                "logs.prune",
                None if source.client.is_operation else source.client.slug,
                "log_source",
                source.name,
                detail={"deleted": int(gone), "before": cutoff.isoformat(), "days": days},
            )
    return int(gone)


def operation_or(ws: Workspace, slug: str | None) -> Client:
    """Return the named client, or the operation when none is named."""
    if slug is None:
        return ensure_operation(ws)
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        raise DatawardError(f"no client {slug!r}", "--client", "see `dataward clients list`")
    return client
