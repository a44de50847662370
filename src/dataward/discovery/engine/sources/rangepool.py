"""Run range reads on worker processes (or here), and stop them cleanly on Ctrl-C.

``pooled`` reads on ``forkserver`` processes, as ``engine/pool.py`` does for files (a pool whose
worker dies is replaced, twice at most); ``in_process`` reads one range after the other here.
Ctrl-C is held until a safe point (never inside the executor, where it could strand a lock or
a half-started worker); then the workers are told to stop through a shared event, finish within
a few hundred rows and send back a small outcome, and the pool winds down. Killing a worker
while it writes a large result would leave the executor waiting forever for the rest of it, so
workers are terminated only if they do not stop within ``GRACE`` seconds.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from dataward.discovery.engine.scanner import Fingerprint, ScanOptions
from dataward.discovery.engine.sources.rangescan import (
    NOT_READ,
    RangeOutcome,
    RangeReader,
    RangeTask,
    init_worker,
    read_task,
)

#: Times a broken worker pool (a worker killed, say by the OOM killer) is replaced.
RESTARTS = 2
#: Seconds stopping workers get to wind down before they are terminated.
GRACE = 3.0
WORKER_DIED = "a scan worker stopped unexpectedly"


def in_process(
    tasks: Sequence[RangeTask],
    failed: set[int],
    url: str,
    fingerprint: Fingerprint,
    opts: ScanOptions,
    batch_rows: int,
) -> Iterator[RangeOutcome]:
    """Read ranges one after the other in this process, leaving out tables in ``failed``."""
    reader = RangeReader(url, fingerprint, opts, batch_rows)
    try:
        for task in tasks:
            yield RangeOutcome(task, error=NOT_READ) if task.table in failed else reader.read(task)
    finally:
        reader.close()


def pooled(
    tasks: Sequence[RangeTask],
    failed: set[int],
    jobs: int,
    url: str,
    fingerprint: Fingerprint,
    opts: ScanOptions,
    batch_rows: int,
) -> Iterator[RangeOutcome]:
    """Read ranges on ``jobs`` worker processes, at most two per worker queued at a time.

    Tables in ``failed`` (which the caller fills as outcomes come) get no more ranges read.
    Ctrl-C is held until a safe point (never inside the executor, whose locks and half-started
    workers it would strand), then stops the workers and is raised as ``KeyboardInterrupt``.
    """
    ctx = multiprocessing.get_context("forkserver")
    stop = ctx.Event()

    def start() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=init_worker,
            initargs=(url, fingerprint, opts, batch_rows, stop),
        )  # fmt: skip

    queue, restarts = deque(tasks), 0
    running: dict[Future[RangeOutcome], RangeTask] = {}
    with _held_interrupt() as interrupted:
        pool = start()
        try:
            while queue or running:
                while queue and len(running) < jobs * 2 and not interrupted():
                    task = queue.popleft()
                    if task.table in failed:
                        yield RangeOutcome(task, error=NOT_READ)
                        continue
                    try:
                        running[pool.submit(read_task, task)] = task
                    except BrokenProcessPool:
                        if restarts >= RESTARTS:
                            yield RangeOutcome(task, error=WORKER_DIED)
                            continue
                        restarts += 1
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = start()
                        queue.appendleft(task)
                if running:
                    done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield _outcome(future, running.pop(future))
                if interrupted():
                    raise KeyboardInterrupt
            pool.shutdown(wait=True)
        except BaseException:  # Ctrl-C, an error while storing, or the consumer gave up
            stop.set()
            _stop(pool, running)
            if interrupted():  # whatever broke meanwhile (a process starting got the ^C too)
                raise KeyboardInterrupt from None
            raise


@contextlib.contextmanager
def _held_interrupt() -> Iterator[Callable[[], bool]]:
    """Turn Ctrl-C into a flag for the block (main thread only; an ignored SIGINT stays so)."""
    hit: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()
        or previous in (signal.SIG_IGN, None)  # ignored, or a handler Python did not set
    ):
        yield lambda: False
        return
    signal.signal(signal.SIGINT, lambda signum, frame: hit.append(signum))
    try:
        yield lambda: bool(hit)
    finally:
        signal.signal(signal.SIGINT, previous)


def _outcome(future: Future[RangeOutcome], task: RangeTask) -> RangeOutcome:
    try:
        return future.result()
    except BrokenProcessPool:
        return RangeOutcome(task, error=WORKER_DIED)
    except Exception as exc:  # noqa: BLE001 - e.g. a result that would not travel back
        return RangeOutcome(task, error=f"could not scan the table ({type(exc).__name__})")


def _stop(pool: ProcessPoolExecutor, running: dict[Future[RangeOutcome], Any]) -> None:
    """Drop the queued ranges, let the running ones stop, and terminate laggards."""
    # The executor has no public way to stop tasks already running; its worker list is the way.
    workers = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    _, late = wait(running, timeout=GRACE)
    if not late:
        pool.shutdown(wait=True)
        return
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=5)
