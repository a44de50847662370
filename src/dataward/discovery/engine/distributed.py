"""Run file scans on a Dask cluster: workers extract and detect, the caller stores.

The caller walks the folders, decides which files changed and cuts them into chunks (at most
``CHUNK_FILES`` files or ``CHUNK_BYTES`` bytes each). Each chunk is one Dask task running
:func:`scan_chunk`, the same per-file code the local process pool runs, so results are identical.
At most a few chunks per worker thread are in flight; finished chunks come back to the caller,
which stores them in batches, so a worker lost mid-chunk only means Dask runs that chunk again
elsewhere: nothing was stored from it yet, and nothing is stored twice.

Workers get the fingerprint subkey only (:class:`Fingerprinter`), never the keyring; still, that
subkey lets its holder test guesses against fingerprints, so Dask traffic off one machine must use
``tls://`` addresses and certificates (Dask's own security settings).

Every worker must run the same dataward version and see the scanned folders at the same paths;
both are checked before a folder is scanned. A chunk that kills its worker again and again (the
file exhausts memory, say) is split into single files, and a file that still kills its worker is
recorded as failed with that reason: no input stops the scan.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dataward import __version__
from dataward.core.engine.crypto import Fingerprinter
from dataward.discovery.engine.pool import FileOutcome, FileTask, scan_file
from dataward.discovery.engine.scanner import ScanOptions
from dataward.errors import DatawardError

#: A chunk holds at most this many files or bytes (a large file is a chunk on its own).
CHUNK_FILES = 32
CHUNK_BYTES = 64 << 20
#: Chunks kept in flight per worker thread: enough to hide the round trip, few enough that an
#: interrupt or a lost worker wastes little.
IN_FLIGHT_PER_THREAD = 3
CONNECT_TIMEOUT = 15
DIED = "the scan worker died on this file (out of memory or a crash); it was not scanned"
_HINT = "start the scheduler (dask scheduler) or check --scheduler; e.g. tcp://host:8786"


class WorkerMismatchError(RuntimeError):
    """Raised on a worker whose dataward version differs from the caller's."""


def scan_chunk(
    tasks: Sequence[FileTask], fingerprint: Fingerprinter, opts: ScanOptions, version: str
) -> list[FileOutcome]:
    """Scan a chunk of files on a worker (the Dask task); refuses a different dataward version."""
    if version != __version__:
        raise WorkerMismatchError(f"worker runs dataward {__version__}, the scan {version}")
    return [scan_file(task, fingerprint, opts) for task in tasks]


def worker_info(roots: Sequence[str]) -> tuple[str, list[bool]]:
    """Return this worker's dataward version and which roots it can see (run on every worker)."""
    return __version__, [os.path.isdir(root) or os.path.isfile(root) for root in roots]


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


@dataclass
class Cluster:
    """A connected Dask client and, for ``--workers N``, the LocalCluster it started."""

    client: Any
    local: Any = None
    address: str = ""

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this scan started one."""
        self.client.close()
        if self.local is not None:
            self.local.close()

    def threads(self) -> int:
        """Return the worker threads the scheduler knows of now (at least 1)."""
        return max(1, int(sum(self.client.nthreads().values())))


def connect(scheduler: str = "", workers: int = 0) -> Cluster:
    """Connect to a scheduler address, or start a LocalCluster of ``workers`` processes."""
    _quiet()
    dask: Any = importlib.import_module("distributed")  # untyped library

    security = dask.security.Security()  # Dask's config and DASK_DISTRIBUTED__COMM__* variables
    if not scheduler:
        with _no_ctrl_c_in_children():
            local = dask.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                security=True if security.require_encryption else None,  # throwaway certificates
            )  # fmt: skip
        return Cluster(dask.Client(local, set_as_default=False), local, local.scheduler_address)
    if "://" not in scheduler:
        scheduler = f"tcp://{scheduler}"
    if security.require_encryption and not scheduler.startswith("tls://"):
        raise DatawardError(
            "Dask's settings require encryption, and this address is not tls://", scheduler,
            "give the scheduler's tls:// address",
        )  # fmt: skip
    if scheduler.startswith("tls://") and not _tls_configured(security):
        raise DatawardError(
            "a tls:// scheduler needs Dask's TLS settings", scheduler,
            "set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, …__TLS__CLIENT__CERT and "
            "…__TLS__CLIENT__KEY (or the same in Dask's config file)",
        )  # fmt: skip
    try:
        client = dask.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError, RuntimeError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
        raise DatawardError(
            f"cannot reach the Dask scheduler ({reason})", scheduler, _HINT
        ) from None
    return Cluster(client, None, scheduler)


def _tls_configured(security: Any) -> bool:
    """Return True when Dask's config gives this client a CA and certificate for tls://."""
    args = security.get_connection_args("client")
    return args.get("ssl_context") is not None


def check_workers(cluster: Cluster, roots: Sequence[str]) -> None:
    """Fail before scanning unless every worker runs this dataward and sees every root."""
    found: dict[str, tuple[str, list[bool]]] = cluster.client.run(worker_info, list(roots))
    if not found:
        raise DatawardError(
            "the Dask scheduler has no workers", cluster.address, "start dask worker processes"
        )
    for worker, (version, seen) in sorted(found.items()):
        if version != __version__:
            raise DatawardError(
                f"Dask worker {worker} runs dataward {version}, this command {__version__}",
                cluster.address,
                "install the same dataward version on every worker",
            )
        for root, ok in zip(roots, seen, strict=True):
            if not ok:
                raise DatawardError(
                    f"Dask worker {worker} cannot see {root}",
                    cluster.address,
                    "mount the share at the same path on every worker",
                )


def outcomes(
    cluster: Cluster, tasks: Sequence[FileTask], fingerprint: Fingerprinter, opts: ScanOptions
) -> Iterator[FileOutcome]:
    """Yield each file's outcome as its chunk finishes anywhere on the cluster."""
    as_completed: Any = importlib.import_module("distributed").as_completed
    client = cluster.client
    todo = chunks(tasks)
    running = as_completed(loop=client.loop)
    chunk_of: dict[str, list[FileTask]] = {}  # kept by task key, to split a chunk that kills
    limit = cluster.threads() * IN_FLIGHT_PER_THREAD

    def submit(chunk: list[FileTask]) -> None:
        future = client.submit(scan_chunk, chunk, fingerprint, opts, __version__, pure=False)
        chunk_of[future.key] = chunk
        running.add(future)

    try:
        for chunk in todo:
            submit(chunk)
            if running.count() >= limit:
                break
        for future in running:
            yield from _result(future, chunk_of.pop(future.key), submit)
            for chunk in todo:
                submit(chunk)
                break
    except BaseException:  # Ctrl-C or the consumer gave up: stop what is queued or running
        client.cancel(list(running.futures))
        raise


def _result(future: Any, chunk: list[FileTask], submit: Any) -> list[FileOutcome]:
    """Return a finished chunk's outcomes; split a worker-killing chunk, fail a killing file."""
    from distributed import KilledWorker

    try:
        result: list[FileOutcome] = future.result()
    except KilledWorker:
        if len(chunk) > 1:
            for task in chunk:
                submit([task])
            return []
        return [FileOutcome(chunk[0], error=DIED)]
    except WorkerMismatchError as exc:
        raise DatawardError(
            f"a Dask worker changed mid-scan: {exc}", "scan", "install the same dataward everywhere"
        ) from None
    except Exception as exc:  # noqa: BLE001 - the text may quote file content; keep the type
        raise DatawardError(
            f"a Dask task failed ({type(exc).__name__})", "scan", "rerun; the scan resumes"
        ) from None
    finally:
        future.release()
    return result


@contextmanager
def _no_ctrl_c_in_children() -> Iterator[None]:
    """Start local workers with Ctrl-C ignored: this process owns the interrupt and stops them.

    Ctrl-C reaches the whole foreground process group; without this every worker would print its
    own traceback. A process started while SIGINT is ignored keeps ignoring it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _quiet() -> None:
    """Keep Dask's own logging to errors: progress is ours, and logs go to stderr anyway."""
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)
