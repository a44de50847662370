"""Run file scans on a Dask cluster: workers extract and detect, the caller stores.

The caller walks the folders, decides which files changed and cuts them into chunks (at most
``CHUNK_FILES`` files or ``CHUNK_BYTES`` bytes each). Each chunk is one Dask task running
:func:`scan_chunk`, the same per-file code the local process pool runs, so results are identical
(owners included: a worker resolves them where it reads the file). At most a few chunks per worker
thread are in flight; finished chunks come back to the caller, which stores them in batches, so a
worker lost mid-chunk only means Dask runs that chunk again elsewhere: nothing was stored from it
yet, and nothing is stored twice.

Workers get the fingerprint subkey only (:class:`Fingerprinter`), never the keyring; still, that
subkey lets its holder test guesses against fingerprints, so Dask traffic off one machine must use
``tls://`` addresses and certificates (Dask's own security settings). Connecting, and checking the
scheduler and workers before a folder is scanned, is :mod:`.cluster`.

Faults end in one line, with what was stored kept (a rerun resumes): a lost scheduler, a worker
that joined mid-scan with another dataward version or without the folder (each chunk checks its
worker before scanning, so no file is recorded as unreadable there), a worker that cannot load
dataward. A chunk that kills its worker again and again (the file exhausts memory, say) is split
into single files, and a file that still kills its worker is recorded as failed with that reason:
no input stops the scan.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import suppress
from itertools import islice
from typing import Any

from dataward import __version__
from dataward.core.engine.crypto import Fingerprinter
from dataward.discovery.engine.cluster import Cluster, check_workers
from dataward.discovery.engine.pool import FileOutcome, FileTask, scan_file
from dataward.discovery.engine.scanner import ScanOptions
from dataward.errors import DatawardError

#: A chunk holds at most this many files or bytes (a large file is a chunk on its own).
CHUNK_FILES = 32
CHUNK_BYTES = 64 << 20
#: Chunks kept in flight per worker thread: enough to hide the round trip, few enough that an
#: interrupt or a lost worker wastes little.
IN_FLIGHT_PER_THREAD = 3
#: Seconds between looks at the cluster while nothing finishes, and how long a scan waits for a
#: worker when the scheduler has none (they restart within seconds; an empty cluster ends it).
WATCH_SECONDS = 5.0
NO_WORKERS_SECONDS = 300.0
DIED = "the scan worker died on this file (out of memory or a crash); it was not scanned"
_RESUME = "what was scanned is stored; rerun the same command to resume"
_LOST = "the connection to the Dask scheduler was lost mid-scan (it stopped or is unreachable)"


class WorkerMismatchError(RuntimeError):
    """Raised on a worker that runs another dataward version or cannot see a scanned folder."""


def scan_chunk(
    tasks: Sequence[FileTask], fingerprint: Fingerprinter, opts: ScanOptions, version: str
) -> list[FileOutcome]:
    """Scan a chunk of files on a worker (the Dask task), after checking this worker can."""
    refusal = _refusal(tasks, version)
    if refusal:
        raise WorkerMismatchError(f"Dask worker {_this_worker()} {refusal}")
    return [scan_file(task, fingerprint, opts) for task in tasks]


def _refusal(tasks: Sequence[FileTask], version: str) -> str:
    """Say why this worker must not scan the chunk (another version, a folder it cannot see)."""
    if version != __version__:
        return f"runs dataward {__version__}, this scan {version}"
    for root in sorted({task.root for task in tasks}):
        if not os.path.isdir(root):
            return f"cannot see {root}"
    return ""


def _this_worker() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # not on a Dask worker (a direct call)
        return "(not a Dask worker)"


def chunks(tasks: Sequence[FileTask], files: int = 0, size: int = 0) -> Iterator[list[FileTask]]:
    """Cut the files into chunks of at most ``files`` files or ``size`` bytes, in order."""
    files, size = files or CHUNK_FILES, size or CHUNK_BYTES
    chunk: list[FileTask] = []
    total = 0
    for task in tasks:
        if chunk and (len(chunk) >= files or total + task.size > size):
            yield chunk
            chunk, total = [], 0
        chunk.append(task)
        total += task.size
    if chunk:
        yield chunk


def outcomes(
    cluster: Cluster, tasks: Sequence[FileTask], fingerprint: Fingerprinter, opts: ScanOptions
) -> Iterator[FileOutcome]:
    """Yield each file's outcome as its chunk finishes anywhere on the cluster."""
    wait: Any = importlib.import_module("distributed").wait
    client = cluster.client
    todo = chunks(tasks)
    pending: dict[str, tuple[Any, list[FileTask]]] = {}  # by task key: a killing chunk is split
    idle = 0.0

    def submit(chunk: list[FileTask]) -> None:
        future = client.submit(scan_chunk, chunk, fingerprint, opts, __version__, pure=False)
        pending[future.key] = (future, chunk)

    try:
        for chunk in islice(todo, cluster.threads() * IN_FLIGHT_PER_THREAD):
            submit(chunk)
        while pending:
            try:
                with client.as_current():  # wait() uses the current client, and ours is no default
                    done, _ = wait(
                        [future for future, _ in pending.values()],
                        timeout=WATCH_SECONDS, return_when="FIRST_COMPLETED",
                    )  # fmt: skip
            except TimeoutError:
                idle = _without_workers(cluster, idle)
                continue
            idle = 0.0
            for future in done:
                yield from _result(cluster, future, pending.pop(future.key)[1], submit)
                for chunk in islice(todo, 1):
                    submit(chunk)
    except BaseException as exc:  # Ctrl-C, a fault, or the consumer gave up: stop what is queued
        if not cluster.lost():  # a lost scheduler has forgotten them already
            with suppress(Exception):
                client.cancel([future for future, _ in pending.values()])
        if isinstance(exc, Exception) and not isinstance(exc, DatawardError):
            raise _fault(cluster, [], exc) from None
        raise


def _without_workers(cluster: Cluster, idle: float) -> float:
    """Return how long nothing finished with no worker there; fail once that is too long."""
    if cluster.lost():
        raise DatawardError(_LOST, cluster.address, f"check the scheduler; {_RESUME}")
    if cluster.client.nthreads():
        return 0.0
    idle += WATCH_SECONDS
    if idle >= NO_WORKERS_SECONDS:
        raise DatawardError(
            f"the Dask scheduler has had no workers for {int(idle)} s", cluster.address,
            f"start dask worker processes; {_RESUME}",
        )  # fmt: skip
    return idle


def _result(
    cluster: Cluster, future: Any, chunk: list[FileTask], submit: Callable[[list[FileTask]], None]
) -> list[FileOutcome]:
    """Return a finished chunk's outcomes; split a worker-killing chunk, fail a killing file."""
    from distributed import KilledWorker

    try:
        try:
            return list(future.result())
        finally:
            with suppress(Exception):
                future.release()
    except KilledWorker:
        if len(chunk) > 1:
            for task in chunk:
                submit([task])
            return []
        return [FileOutcome(chunk[0], error=DIED)]
    except WorkerMismatchError as exc:
        raise DatawardError(
            str(exc), cluster.address,  # it joined, or lost the share, since the folder began
            f"stop that worker, or give it this dataward and the shares; {_RESUME}",
        ) from None  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - the text may quote file content; keep the type
        raise _fault(cluster, chunk, exc) from None


def _fault(cluster: Cluster, chunk: list[FileTask], exc: Exception) -> DatawardError:
    """Return the one line for a failed chunk: a lost scheduler, a worker without dataward..."""
    groups = getattr(exc, "error_groups", [])  # distributed.wait's FuturesCancelledError
    reasons = {getattr(exc, "reason", ""), *(getattr(group, "reason", "") for group in groups)}
    if (
        cluster.lost()
        or isinstance(exc, OSError)  # Dask's CommClosedError: the scheduler went mid-request
        or "scheduler-connection-lost" in reasons
    ):
        return DatawardError(_LOST, cluster.address, f"check the scheduler; {_RESUME}")
    if isinstance(exc, CancelledError):
        return DatawardError("the Dask scheduler cancelled a scan task", cluster.address, _RESUME)
    if isinstance(exc, (ImportError, AttributeError, TypeError)) and chunk:
        check_workers(cluster, sorted({task.root for task in chunk}))  # names it, if still there
        return DatawardError(
            f"a Dask worker could not run dataward's scan task ({type(exc).__name__})",
            cluster.address, f"install dataward {__version__} on every worker; {_RESUME}",
        )  # fmt: skip
    return DatawardError(f"a Dask task failed ({type(exc).__name__})", cluster.address, _RESUME)
