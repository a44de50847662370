"""Scan every table of a database: plan each, read its ranges on all cores, merge, report.

The coordinator (this module, in the scan's own process) lists the tables, plans each one
(``ranges.py``) and hands the ranges to ``forkserver`` worker processes, each reading with its
own read-only connection (``rangescan.py``); small scans (one job, or one range in all) run in
this process instead. On PostgreSQL the coordinator opens a read-only repeatable-read
transaction, exports its snapshot and keeps it open until the scan ends, so every range of every
table sees the same rows, however many connections read them (as ``pg_dump -j`` does).

A table is reported once all its ranges are in: merged into the result a sequential scan of the
same rows gives (``merge.py``), or, if any range failed, skipped with the first failure's reason.
Ctrl-C (or the caller giving up) stops the workers at once; nothing is half-reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, NestedTransaction
from sqlalchemy.exc import SQLAlchemyError

from dataward.discovery.engine.scanner import Fingerprint, LocationResult, ScanOptions
from dataward.discovery.engine.sources import database, sqlread
from dataward.discovery.engine.sources.merge import merge
from dataward.discovery.engine.sources.rangepool import in_process, pooled
from dataward.discovery.engine.sources.ranges import CTID, Plan, Split, plan_table
from dataward.discovery.engine.sources.rangescan import (
    NOT_READ,
    RangeOutcome,
    RangeTask,
)
from dataward.discovery.engine.types import Skipped, Where


@dataclass(frozen=True, slots=True)
class DatabaseScan:
    """How to scan a database: rows to sample (``None``: all), jobs, filters, splitting.

    ``leave`` names tables (by member) not to scan at all: those a resumed scan already holds.
    """

    sample_rows: int | None = 1000
    jobs: int = 0
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    leave: frozenset[str] = frozenset()
    split: Split = field(default_factory=Split)
    batch_rows: int = 5000


@dataclass(frozen=True, slots=True)
class RangeDone:
    """Progress: ``done`` of a table's ``total`` ranges are read, ``rows`` rows so far."""

    member: str
    done: int
    total: int
    rows: int


@dataclass(slots=True)
class TableDone:
    """A finished table: its result, or (``failed``) a result holding only why it was skipped."""

    member: str
    result: LocationResult
    rows: int = 0
    ranges: int = 1
    failed: bool = False


@dataclass(slots=True)
class _Pending:
    columns: tuple[str, ...]
    total: int
    parts: list[RangeOutcome] = field(default_factory=list)


def scan_database(
    url: str, fingerprint: Fingerprint, opts: ScanOptions, how: DatabaseScan
) -> Iterator[RangeDone | TableDone]:
    """Scan the database at ``url``; yield progress and one ``TableDone`` per table.

    ``fingerprint`` must pickle (a ``Fingerprinter``) when more than one job runs.

    Raises:
        DatawardError: the URL is malformed, its driver is missing or the server refuses us.
    """
    engine = database.open_engine(url)
    try:
        with database.connect(engine, url) as conn:
            tables = database.list_tables(conn, url, how.include, how.exclude)
            tables = [t for t in tables if t.member not in how.leave]
            snapshot = _export_snapshot(conn)
            jobs = how.jobs or os.cpu_count() or 1
            tasks: list[RangeTask] = []
            for number, ref in enumerate(tables):
                planned = _plan(conn, number, ref, how, jobs, snapshot)
                if isinstance(planned, TableDone):
                    yield planned
                else:
                    tasks.extend(planned)
            yield from _gather(tasks, url, fingerprint, opts, how, jobs)
    finally:
        engine.dispose()


def _export_snapshot(conn: Connection) -> str | None:
    """On PostgreSQL, open a repeatable-read transaction and export its snapshot."""
    if conn.dialect.name != "postgresql":
        return None
    conn.rollback()
    conn.execution_options(isolation_level="REPEATABLE READ")
    try:  # the transaction idles while workers read: a server-wide idle timeout must spare it
        conn.exec_driver_sql("SET idle_in_transaction_session_timeout = 0")
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    except SQLAlchemyError:  # e.g. a server that cannot export one: ranges by key only
        conn.rollback()
        return None
    return str(snapshot) if snapshot else None


def _plan(
    conn: Connection,
    number: int,
    ref: sqlread.TableRef,
    how: DatabaseScan,
    jobs: int,
    snapshot: str | None,
) -> list[RangeTask] | TableDone:
    """Return a table's range tasks, or the reason it cannot be read."""
    # One job reading every row gains nothing from ranges; a sample gains its spread.
    ranges = how.split.per_job * jobs if jobs > 1 or how.sample_rows is not None else 1
    # Inside the snapshot's transaction an error must not end it: use a savepoint.
    nested = conn.begin_nested() if snapshot else None
    try:
        described = sqlread.describe(conn, ref)
        columns = tuple(sqlread.text_columns(described))
        plan = Plan()
        if columns:
            plan = plan_table(
                conn, ref, described, ranges=ranges, split=how.split,
                sample_rows=how.sample_rows, snapshot=snapshot is not None,
            )  # fmt: skip
        if plan.how == CTID:  # block ranges need the rows to stay where they are
            name = conn.dialect.identifier_preparer.format_table(sqlread.table_of(ref, []))
            conn.exec_driver_sql(f"LOCK TABLE {name} IN ACCESS SHARE MODE")
    except SQLAlchemyError as exc:
        _end(conn, nested, keep=False)
        return _skipped(ref.member, sqlread.table_reason(exc))
    _end(conn, nested, keep=True)
    if not columns:
        return _skipped(ref.member, sqlread.NO_COLUMNS)
    return [
        RangeTask(number, i, ref, columns, plan, plan.limit(how.sample_rows, i), snapshot)
        for i in range(plan.count)
    ]


def _end(conn: Connection, nested: NestedTransaction | None, *, keep: bool) -> None:
    """Close the planning savepoint (keeping its lock), or end the planning transaction."""
    if nested is None:
        conn.rollback()
    elif keep:
        nested.commit()
    else:
        nested.rollback()


def _skipped(member: str, reason: str) -> TableDone:
    result = LocationResult()
    result.skipped.append(Skipped(Where(member=member), reason))
    return TableDone(member, result, failed=True)


def _gather(
    tasks: Sequence[RangeTask],
    url: str,
    fingerprint: Fingerprint,
    opts: ScanOptions,
    how: DatabaseScan,
    jobs: int,
) -> Iterator[RangeDone | TableDone]:
    """Run the tasks and yield progress and each table once all its ranges are in."""
    pending: dict[int, _Pending] = {}
    for task in tasks:
        pending.setdefault(task.table, _Pending(task.columns, task.plan.count))
    failed: set[int] = set()
    if jobs <= 1 or len(tasks) <= 1:
        outcomes = in_process(tasks, failed, url, fingerprint, opts, how.batch_rows)
    else:
        workers = (min(jobs, len(tasks)), url, fingerprint, opts, how.batch_rows)
        outcomes = pooled(tasks, failed, *workers)
    for outcome in outcomes:
        task = outcome.task
        table = pending[task.table]
        table.parts.append(outcome)
        if outcome.error:
            failed.add(task.table)
        yield RangeDone(
            task.ref.member, len(table.parts), table.total, sum(p.rows for p in table.parts)
        )
        if len(table.parts) == table.total:
            del pending[task.table]
            yield _finish(task.ref.member, table, opts.max_findings)


def _finish(member: str, table: _Pending, limit: int) -> TableDone:
    parts = sorted(table.parts, key=lambda p: p.task.index)
    errors = [p.error for p in parts if p.error and p.error != NOT_READ]
    if errors:
        return _skipped(member, errors[0])
    rows = sum(p.rows for p in parts)
    return TableDone(member, merge(parts, table.columns, limit), rows, table.total)
