"""Run a scan for one client: walk the targets, scan changed files on all cores, store as we go."""

from __future__ import annotations

import multiprocessing
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from dataward.core.locks import exclusive
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.discovery import store
from dataward.discovery.dbscan import scan_database
from dataward.discovery.engine.cluster import Cluster
from dataward.discovery.engine.pool import FileOutcome, FileTask, init_worker, scan_file, scan_task
from dataward.discovery.engine.scanner import LocationResult, ScanOptions
from dataward.discovery.engine.types import Skipped, Where
from dataward.discovery.models import Location, ScanRun
from dataward.errors import DatawardError
from dataward.output import err

#: Files stored per transaction, and the findings that close a batch early: commits are the
#: main process's largest cost on many small files, and an interrupt loses at most one batch.
BATCH_FILES = 64
BATCH_FINDINGS = 20_000
#: PostgreSQL advisory-lock keys for scans: this base plus the client's id.
ADVISORY_BASE = 0x6477_5343_0000


@dataclass
class ScanRequest:
    """What to scan and how: targets (folders, files, database URLs) and the scan's options."""

    targets: list[str]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int = 0
    full: bool = False
    sample_rows: int | None = 1000
    options: ScanOptions = field(default_factory=ScanOptions)
    progress: bool = True
    #: A Dask scheduler address, or a LocalCluster of this many worker processes (files only).
    scheduler: str = ""
    workers: int = 0


class ScanInterruptedError(DatawardError):
    """Raised when a scan is interrupted; what was stored stays and a rerun resumes."""


@dataclass
class Totals:
    """Running counts shown in the progress bar and stored on the run."""

    counts: Counter[str] = field(default_factory=Counter)

    def outcome(self, kind: str, n: int = 1) -> None:
        """Count n of something."""
        self.counts[kind] += n


def storable(path: str) -> str:
    """Return a path as stored and shown: bytes that are not UTF-8 become backslash escapes.

    The scan still opens the file by its real name; only the record uses this form, the same one
    every time, so incremental scans recognise the file.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def is_database(target: str) -> bool:
    """Return True when a target is a database URL rather than a path."""
    return "://" in target


def run_scan(ws: Workspace, client: Client, req: ScanRequest) -> tuple[int, dict[str, int]]:
    """Scan every target for the client; return the run id and its counts."""
    shown = [
        _redacted(t) if is_database(t) else storable(str(Path(t).resolve())) for t in req.targets
    ]
    with _one_scan_per_client(ws, client), _cluster(req) as cluster:
        return _run_locked(ws, client, req, shown, cluster)


@contextmanager
def _cluster(req: ScanRequest) -> Iterator[Cluster | None]:
    """Connect to the Dask cluster the request names (or start a local one) for this scan.

    Only files are scanned on Dask: with database targets alone no cluster is started or reached.
    """
    if not (req.scheduler or req.workers) or all(is_database(t) for t in req.targets):
        yield None
        return
    from dataward.discovery.engine.cluster import connect

    try:
        cluster = connect(req.scheduler, req.workers)
    except KeyboardInterrupt:  # the cluster it was starting is stopped already
        raise ScanInterruptedError(
            "scan interrupted while the Dask cluster was starting", "scan",
            "nothing was scanned yet; rerun the same command",
        ) from None  # fmt: skip
    try:
        yield cluster
    finally:
        cluster.close()


@contextmanager
def _one_scan_per_client(ws: Workspace, client: Client) -> Iterator[None]:
    """Refuse a second concurrent scan for the same client: both would store the same files.

    A lock file in the workspace folder covers every process on this machine; on PostgreSQL a
    session advisory lock also covers scans started from other machines.
    """
    busy = DatawardError(
        f"another scan for client {client.slug} is running", "scan",
        "wait for it to finish (or stop it), then rerun",
    )  # fmt: skip
    with exclusive(ws, f"scan-{client.pk}", ADVISORY_BASE + client.pk, busy):
        yield


def _run_locked(
    ws: Workspace, client: Client, req: ScanRequest, shown: list[str], cluster: Cluster | None
) -> tuple[int, dict[str, int]]:
    run = store.start_run(ws, client, shown)
    totals = Totals()
    gone: list[int] = []
    status = "interrupted"
    try:
        with _progress(req.progress) as progress:
            for target in req.targets:
                if is_database(target):
                    scan_database(ws, run, target, req, totals, progress)
                else:
                    gone += _scan_folder(ws, run, Path(target), req, totals, progress, cluster)
        status = "completed"
    except KeyboardInterrupt:
        raise ScanInterruptedError(
            f"scan interrupted after {totals.counts['files_scanned']} files",
            "scan",
            "what was scanned is stored; rerun the same command to resume",
        ) from None
    finally:
        store.finish_run(ws, run, status, dict(totals.counts), gone)
    return run.pk, dict(totals.counts)


def _redacted(url: str) -> str:
    from dataward.discovery.engine.sources.database import redact_url  # loads SQLAlchemy

    return redact_url(url)


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[files]} files, {task.fields[findings]} findings"),
        TimeRemainingColumn(),
        console=err,
        disable=not enabled,
        transient=True,
    )


def _scan_folder(
    ws: Workspace,
    run: ScanRun,
    target: Path,
    req: ScanRequest,
    totals: Totals,
    progress: Progress,
    cluster: Cluster | None = None,
) -> list[int]:
    """Scan a folder (or one file); return the recorded files the folder no longer holds."""
    from dataward.discovery.engine.sources.folder import walk

    if not target.exists():
        raise DatawardError(f"no such file or folder: {target}", "scan", "check the path")
    root = target.resolve()
    base = root if root.is_dir() else root.parent
    known = store.known_files(run.client, storable(str(base)))
    tasks: list[FileTask] = []
    unchanged = []
    seen: set[str] = set()
    skips: list[Skipped] = []
    for ref in walk(root, include=req.include, exclude=req.exclude):
        if isinstance(ref, Skipped):
            totals.outcome("files_skipped")
            skips.append(ref)
            continue
        rel = ref.rel if root.is_dir() else root.name
        loc = known.get(_key(base, rel))
        if (
            loc is not None
            and loc.size == ref.size
            and loc.mtime_ns == ref.mtime_ns
            and not req.full
        ):
            unchanged.append(loc)
            seen.add(_key(base, rel))
            continue
        sha = loc.sha256 if loc is not None and not req.full else ""
        tasks.append(FileTask(str(base), rel, ref.size, ref.mtime_ns, sha))
        seen.add(_key(base, rel))
    store.touch(ws, run, unchanged)
    if skips:
        seen |= _record_skips(ws, run, root, base, skips, known)
    totals.outcome("files_unchanged", len(unchanged))
    task_id = progress.add_task(
        f"scanning {root.name}", total=sum(t.size for t in tasks), files=0, findings=0
    )
    batch: list[FileOutcome] = []
    for outcome in _outcomes(ws, tasks, req, cluster):
        batch.append(outcome)
        if len(batch) >= BATCH_FILES or sum(_items(o) for o in batch) >= BATCH_FINDINGS:
            _store_batch(ws, run, batch, known, totals, req.options.entities)
            batch = []
        progress.update(
            task_id,
            advance=outcome.task.size,
            files=totals.counts["files_scanned"] + len(batch),
            findings=totals.counts["findings"],
        )
    _store_batch(ws, run, batch, known, totals, req.options.entities)
    if not root.is_dir() or req.include or req.exclude:
        return []  # only a whole folder's walk tells which files are gone
    return [loc.pk for path, loc in known.items() if path not in seen and loc.present]


def _record_skips(
    ws: Workspace,
    run: ScanRun,
    root: Path,
    base: Path,
    skips: list[Skipped],
    known: dict[str, Location],
) -> set[str]:
    """Store the walk's skips; return the recorded files under them, which are not gone.

    A folder that could not be listed hides what it holds: its recorded files keep their
    findings instead of being marked gone by this scan.
    """
    items: list[tuple[store.Scanned, str]] = []
    kept: set[str] = set()
    hidden: list[str] = []  # prefixes of recorded paths the walk could not look under
    for skip in skips:
        rel = skip.where.member if root.is_dir() else root.name
        if rel == ".":  # the scanned folder itself could not be listed
            place = (storable(str(base.parent)), storable(base.name or str(base)))
            items.append((store.Scanned("folder", *place), skip.reason))
            hidden.append(_key(base, ""))
            continue
        try:
            kind = "folder" if stat.S_ISDIR(os.lstat(base / rel).st_mode) else "file"
        except OSError:
            kind = "file"
        items.append((store.Scanned(kind, storable(str(base)), storable(rel)), skip.reason))
        kept.add(_key(base, rel))
        if kind == "folder":
            hidden.append(_key(base, rel + "/"))
    store.record_skips(ws, run, items, known)
    return kept | {path for path in known if path.startswith(tuple(hidden))}


def _key(base: Path, rel: str) -> str:
    return storable(f"{str(base).rstrip('/')}/{rel}")


def _items(outcome: FileOutcome) -> int:
    return len(outcome.result.items) if outcome.result is not None else 0


def _store_batch(
    ws: Workspace,
    run: ScanRun,
    batch: list[FileOutcome],
    known: dict[str, Location],
    totals: Totals,
    only: tuple[str, ...] | None,
) -> None:
    """Store finished files together: one commit per batch, counted only once it is committed."""
    done = Totals()
    with transaction.atomic():
        for outcome in batch:
            _store_file(ws, run, outcome, known, done, only)
    for kind, n in done.counts.items():
        totals.outcome(kind, n)


def _store_file(
    ws: Workspace,
    run: ScanRun,
    outcome: FileOutcome,
    known: dict[str, Location],
    totals: Totals,
    only: tuple[str, ...] | None,
) -> None:
    task = outcome.task
    loc = known.get(_key(Path(task.root), task.rel))
    # A file already recorded under another scan root keeps its record (and its history).
    root, path = (loc.root, loc.path) if loc else (storable(task.root), storable(task.rel))
    item = store.Scanned(
        "file", root, path, task.size, task.mtime_ns, outcome.sha256, outcome.owner
    )  # fmt: skip
    if outcome.unchanged:
        assert loc is not None
        store.touch(ws, run, [loc], size=task.size, mtime_ns=task.mtime_ns)
        totals.outcome("files_unchanged")
        return
    result = outcome.result or LocationResult()
    if outcome.error:
        result.skipped.append(Skipped(Where(), outcome.error))
        totals.outcome("files_failed")
    elif any(not s.where.member for s in result.skipped) and not result.tally.counts:
        totals.outcome("files_not_read")
    elif result.skipped:
        totals.outcome("parts_skipped", len(result.skipped))
    store.save(ws, run, item, result, new=loc is None, only=only)
    totals.outcome("files_scanned")
    totals.outcome("bytes_scanned", task.size)
    totals.outcome("findings", sum(result.tally.counts.values()))


def _outcomes(
    ws: Workspace, tasks: list[FileTask], req: ScanRequest, cluster: Cluster | None
) -> Iterator[FileOutcome]:
    if cluster is not None and tasks:
        from dataward.discovery.engine import distributed
        from dataward.discovery.engine.cluster import check_workers

        check_workers(cluster, [tasks[0].root])
        yield from distributed.outcomes(cluster, tasks, ws.keyring.fingerprinter(), req.options)
        return
    jobs = req.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) <= 1:
        fingerprint = ws.keyring.fingerprinter()  # the subkey once, as pool workers get it
        for task in tasks:
            yield scan_file(task, fingerprint, req.options)
        return
    ctx = multiprocessing.get_context("forkserver")
    init: Callable[..., None] = init_worker
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=init,
        initargs=(ws.keyring.to_json(), req.options),
    )  # fmt: skip
    pending: set[Future[FileOutcome]] = set()
    try:
        for task in tasks:
            pending.add(pool.submit(scan_task, task))
            if len(pending) >= jobs * 4:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
    except BaseException:  # Ctrl-C, an error while storing, or the consumer gave up
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now, even mid-file: their unfinished files are simply scanned next time."""
    # The executor has no public way to stop tasks already running; its worker list is the way.
    workers = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=5)
