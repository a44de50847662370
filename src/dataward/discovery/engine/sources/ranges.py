"""Split a large table into half-open ranges that workers read in parallel, every row once.

How a table is split, first choice first:

* PostgreSQL 14 or later, when the scan shares one exported snapshot with its workers: block
  ranges of the table's heap (``ctid``), read with TID range scans. Any table qualifies, with or
  without a key; ranges are even in bytes, so a skewed or gappy key does not matter, and each
  range yields its rows in the same physical order as one sequential scan. The coordinator holds
  an ACCESS SHARE lock on the table until the scan ends, so no rewrite moves rows meanwhile.
* SQLite: the ``rowid`` (every table but ``WITHOUT ROWID`` ones, whatever their key), split
  evenly between its minimum and maximum, read in rowid order.
* Otherwise a single-column integer primary key, or a unique NOT NULL integer column, split
  evenly between its minimum and maximum (two index look-ups, never a sort), read in key order.
  A gappy key gives uneven ranges; that costs balance, never correctness.
* Anything else is read as one sequential stream, as is every table estimated below
  ``Split.min_rows`` rows (PostgreSQL's ``pg_class.reltuples``, else a count that stops there).

The first range has no lower bound and the last none above, so rows beyond the planned span
(added since, or a stale estimate) are still read, exactly once.

Sampling a split table reads about ``sample_rows / k`` rows from each of its ``k`` ranges (the
first rows of each), so the sample is spread over the table instead of being its first rows. A
range holding fewer rows than its share (a gap in the key) gives what it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.exc import SQLAlchemyError

from dataward.discovery.engine.sources.sqlread import TableRef, table_of

#: The ways a table is read: whole, in heap block ranges, or in key ranges.
STREAM, CTID, KEY = "stream", "ctid", "key"


@dataclass(frozen=True, slots=True)
class Split:
    """When to split a table and how finely.

    Tables estimated below ``min_rows`` stay one stream; a split table gets about one range per
    ``range_rows`` rows, at most ``per_job`` ranges per worker process (so a slow range does not
    hold the others up). ``ctid`` allows PostgreSQL block ranges.
    """

    min_rows: int = 50_000
    range_rows: int = 25_000
    per_job: int = 4
    ctid: bool = True


@dataclass(frozen=True, slots=True)
class Plan:
    """How one table is read: ``how`` (stream, ctid or key), the key, and the inner bounds.

    ``k = len(bounds) + 1`` ranges: ``(-inf, b0)``, ``[b0, b1)``, ..., ``[b_last, +inf)``.
    """

    how: str = STREAM
    key: str = ""
    bounds: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        """Return the number of ranges."""
        return len(self.bounds) + 1

    def span(self, index: int) -> tuple[int | None, int | None]:
        """Return range ``index``'s lower (inclusive) and upper (exclusive) bound."""
        lo = self.bounds[index - 1] if index > 0 else None
        hi = self.bounds[index] if index < len(self.bounds) else None
        return lo, hi

    def limit(self, sample_rows: int | None, index: int) -> int | None:
        """Return the rows range ``index`` reads: its share of the sample, or all (``None``)."""
        if sample_rows is None:
            return None
        share, extra = divmod(max(0, sample_rows), self.count)
        return share + (1 if index < extra else 0)


def plan_table(
    conn: Connection,
    ref: TableRef,
    described: Sequence[ReflectedColumn],
    *,
    ranges: int,
    split: Split,
    sample_rows: int | None,
    snapshot: bool,
) -> Plan:
    """Decide how to read one table: one stream, or at most ``ranges`` ranges.

    ``snapshot`` says the workers share the coordinator's snapshot (PostgreSQL), which block
    ranges need.

    Raises:
        SQLAlchemyError: the table cannot be read (the caller records why).
    """
    if sample_rows is not None:
        ranges = min(ranges, sample_rows)
    if ranges < 2:
        return Plan()
    estimate = _estimate(conn, ref, split.min_rows)
    if 0 <= estimate < split.min_rows:
        return Plan()
    want = ranges if estimate < 0 else min(ranges, max(2, estimate // split.range_rows))
    version = conn.dialect.server_version_info or ()
    if conn.dialect.name == "postgresql" and snapshot and split.ctid and version >= (14,):
        return _even(CTID, "ctid", 0, _blocks(conn, ref), want)
    key = _key(conn, ref, described)
    if not key:
        return Plan()
    table = table_of(ref, [key])
    lo, hi = conn.execute(sa.select(sa.func.min(table.c[key]), sa.func.max(table.c[key]))).one()
    if lo is None or hi is None:
        return Plan()
    span = int(hi) - int(lo) + 1
    if estimate < 0:  # unknown but large: the key's span is the better guess
        want = min(ranges, max(2, span // split.range_rows))
    return _even(KEY, key, int(lo), int(hi) + 1, want)


def range_select(
    ref: TableRef, columns: Sequence[str], plan: Plan, index: int, limit: int | None
) -> sa.Select[Any]:
    """Return the query reading range ``index`` of ``plan`` (or the whole table for a stream)."""
    names = list(columns)
    if plan.how == KEY and plan.key not in names:
        names.append(plan.key)
    table = table_of(ref, names)
    stmt = sa.select(*(table.c[c] for c in columns))
    lo, hi = plan.span(index)
    if plan.how == CTID:  # integers only, so inlining them is safe
        if lo is not None:
            stmt = stmt.where(sa.text(f"ctid >= '({int(lo)},0)'::tid"))
        if hi is not None:
            stmt = stmt.where(sa.text(f"ctid < '({int(hi)},0)'::tid"))
    elif plan.how == KEY:
        key = table.c[plan.key]
        if lo is not None:
            stmt = stmt.where(key >= lo)
        if hi is not None:
            stmt = stmt.where(key < hi)
        stmt = stmt.order_by(key)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def _even(how: str, key: str, lo: int, hi: int, want: int) -> Plan:
    """Split ``[lo, hi)`` into ``want`` even ranges (fewer if it is narrower)."""
    k = min(want, hi - lo)
    if k < 2:
        return Plan()
    return Plan(how, key, tuple(lo + (hi - lo) * i // k for i in range(1, k)))


def _estimate(conn: Connection, ref: TableRef, cap: int) -> int:
    """Return the table's rows: an estimate, an exact count below ``cap``, or -1 (many)."""
    if conn.dialect.name == "postgresql":
        tuples = conn.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
            {"t": _qualified(conn, ref)},
        ).scalar()
        if tuples is not None and tuples > 0:
            return int(tuples)
    inner = sa.select(sa.literal(1)).select_from(table_of(ref, [])).limit(cap).subquery()
    found = int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())
    return found if found < cap else -1


def _blocks(conn: Connection, ref: TableRef) -> int:
    """Return the number of heap blocks of a PostgreSQL table, now."""
    return int(
        conn.execute(
            sa.text(
                "SELECT pg_relation_size(CAST(:t AS regclass))"
                " / current_setting('block_size')::bigint"
            ),
            {"t": _qualified(conn, ref)},
        ).scalar_one()
    )


def _qualified(conn: Connection, ref: TableRef) -> str:
    return str(conn.dialect.identifier_preparer.format_table(table_of(ref, [])))


def _key(conn: Connection, ref: TableRef, described: Sequence[ReflectedColumn]) -> str:
    """Return the name of a unique, non-null integer key to split on, or ``""``."""
    names = {c["name"].lower() for c in described}
    if conn.dialect.name == "sqlite":
        for alias in ("rowid", "_rowid_", "oid"):
            if alias not in names and _has_rowid(conn, ref, alias):
                return alias
    ints = {c["name"] for c in described if _is_int(c["type"])}
    inspector = sa.inspect(conn)
    primary = inspector.get_pk_constraint(ref.name, schema=ref.schema)["constrained_columns"]
    if len(primary) == 1 and primary[0] in ints:
        return primary[0]
    not_null = {c["name"] for c in described if not c.get("nullable", True)} & ints
    unique: list[Sequence[str | None]] = [
        u["column_names"] for u in inspector.get_unique_constraints(ref.name, schema=ref.schema)
    ]
    unique += [
        i["column_names"]
        for i in inspector.get_indexes(ref.name, schema=ref.schema)
        if i.get("unique")
    ]
    for cols in unique:
        if len(cols) == 1 and cols[0] in not_null:
            return str(cols[0])
    return ""


def _has_rowid(conn: Connection, ref: TableRef, alias: str) -> bool:
    try:
        conn.execute(sa.select(table_of(ref, [alias]).c[alias]).limit(0)).close()
    except SQLAlchemyError:  # a WITHOUT ROWID table
        return False
    return True


def _is_int(coltype: Any) -> bool:
    try:
        return coltype.python_type is int
    except NotImplementedError:
        return False
