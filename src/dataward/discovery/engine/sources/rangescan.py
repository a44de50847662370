"""Read and scan one range of a table on its own read-only connection, in a worker process.

A worker is given the database URL in-process (through the pool's initializer, never a command
line or the environment) and opens a new read-only connection per range. On PostgreSQL it first
adopts the coordinator's exported snapshot, so every range sees the same rows. Whatever goes
wrong becomes a reason naming the kind of failure, never the driver's text (which may quote a
value or the URL).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from dataward.discovery.engine.scanner import Fingerprint, LocationResult, ScanOptions, scan_parts
from dataward.discovery.engine.sources import database, sqlread
from dataward.discovery.engine.sources.ranges import Plan, range_select
from dataward.discovery.engine.sources.sqlread import TableRef
from dataward.discovery.engine.types import Table, Where
from dataward.errors import DatawardError

_SNAPSHOT = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
NOT_READ = "not read: another range of the table failed"
STOPPED = "not read: the scan was stopped"
#: Rows read between two looks at the stop flag.
STOP_EVERY = 256


@dataclass(frozen=True, slots=True)
class RangeTask:
    """One range of one table to read: where it sits in the scan and how to select its rows."""

    table: int
    index: int
    ref: TableRef
    columns: tuple[str, ...]
    plan: Plan
    limit: int | None = None
    snapshot: str | None = None


@dataclass(slots=True)
class RangeOutcome:
    """What a range gave: rows read, non-empty cells per column, the result, or why it failed."""

    task: RangeTask
    rows: int = 0
    filled: list[int] = field(default_factory=list)
    result: LocationResult | None = None
    error: str = ""


class StoppedError(Exception):
    """Raised inside a worker when the scan asks it to stop reading."""


class RangeReader:
    """Scan ranges of one database; holds the engine, fingerprint and options of a scan.

    ``stop`` is looked at before each range and every ``STOP_EVERY`` rows: a stopped range
    returns at once with a small outcome (so the pool can wind down instead of being killed).
    """

    def __init__(
        self,
        url: str,
        fingerprint: Fingerprint,
        opts: ScanOptions,
        batch_rows: int = 5000,
        stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Prepare an engine for ``url`` (connections are opened per range)."""
        self.url = url
        self.fingerprint = fingerprint
        self.opts = opts
        self.batch_rows = batch_rows
        self.stop = stop
        self.engine: Engine = database.open_engine(url)

    def read(self, task: RangeTask) -> RangeOutcome:
        """Read and scan one range; failures become a reason on the outcome."""
        outcome = RangeOutcome(task, filled=[0] * len(task.columns))
        try:
            if self.stop():
                raise StoppedError
            with database.connect(self.engine, self.url) as conn:
                _adopt(conn, task.snapshot)
                outcome.result = self._scan(conn, task, outcome)
        except StoppedError:
            outcome.error = STOPPED
        except DatawardError:
            outcome.error = "could not connect to the database"
        except SQLAlchemyError as exc:
            outcome.error = sqlread.table_reason(exc)
        except Exception as exc:  # noqa: BLE001 - one bad range must not stop a scan
            # The exception text may quote a value, so only its type is kept.
            outcome.error = f"could not scan the table ({type(exc).__name__})"
        if outcome.error:
            outcome.result = None
        return outcome

    def _scan(self, conn: Connection, task: RangeTask, outcome: RangeOutcome) -> LocationResult:
        stmt = range_select(task.ref, task.columns, task.plan, task.index, task.limit)
        result = sqlread.stream(conn, stmt, self.batch_rows)
        count_cells = task.plan.count > 1  # a merge needs them; a single stream does not

        def rows() -> Iterator[Sequence[str]]:
            filled = outcome.filled
            for raw in result:
                row = list(map(sqlread.cell, raw))
                outcome.rows += 1
                if outcome.rows % STOP_EVERY == 0 and self.stop():
                    raise StoppedError
                if count_cells:
                    for i, text in enumerate(row):
                        if text:
                            filled[i] += 1
                yield row

        try:
            table = Table(list(task.columns), rows(), Where(member=task.ref.member))
            return scan_parts([table], self.fingerprint, self.opts)
        finally:
            result.close()
            conn.rollback()

    def close(self) -> None:
        """Release the engine."""
        self.engine.dispose()


def _adopt(conn: Connection, snapshot: str | None) -> None:
    """Start a repeatable-read transaction on the coordinator's exported snapshot."""
    if snapshot is None:
        return
    if not _SNAPSHOT.fullmatch(snapshot):
        raise ValueError("not a snapshot id")
    conn.execution_options(isolation_level="REPEATABLE READ")
    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")


class Stop(Protocol):
    """A flag shared with the workers (a ``multiprocessing`` event)."""

    def is_set(self) -> bool:
        """Return whether the scan asked the workers to stop."""


_STATE: dict[str, RangeReader] = {}


def init_worker(
    url: str, fingerprint: Fingerprint, opts: ScanOptions, batch_rows: int, stop: Stop
) -> None:
    """Prepare this worker process's reader; Ctrl-C is left to the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["reader"] = RangeReader(url, fingerprint, opts, batch_rows, stop.is_set)


def read_task(task: RangeTask) -> RangeOutcome:
    """Read one range with this worker's reader."""
    return _STATE["reader"].read(task)
