"""A parallel range scan of a real table gives exactly what one sequential scan of it gives."""

from __future__ import annotations

from typing import Any

import pytest

from dataward.core.engine.crypto import Fingerprinter, Keyring
from dataward.discovery.engine.scanner import LocationResult, ScanOptions, scan_parts
from dataward.discovery.engine.sources.database import iter_tables
from dataward.discovery.engine.sources.ranges import Split
from dataward.discovery.engine.sources.tables import (
    DatabaseScan,
    RangeDone,
    TableDone,
    scan_database,
)
from dataward.discovery.engine.types import Table, Where

#: Small enough that the test tables split into 4 ranges per job.
SPLIT = Split(min_rows=400, range_rows=100)
KEYS = Keyring.generate()
TABLES = ["gappy", "loose", "people", "texty"]
PEOPLE = 2400  # rows of the people table (conftest.py)


def fingerprint() -> Fingerprinter:
    return KEYS.fingerprinter()


def short(member: str) -> str:
    """Return a table's name without PostgreSQL's default schema."""
    return member.removeprefix("public.")


def sequential(url: str, opts: ScanOptions) -> dict[str, LocationResult]:
    """Scan every table the way scans did before ranges: one stream each, in this process."""
    out = {}
    for part in iter_tables(url, sample_rows=None):
        if isinstance(part, Table):
            out[short(part.where.member)] = scan_parts([part], fingerprint(), opts)
    return out


def parallel(url: str, opts: ScanOptions, **how: Any) -> dict[str, TableDone]:
    events = list(scan_database(url, fingerprint(), opts, DatabaseScan(**how)))
    done = [e for e in events if isinstance(e, TableDone)]
    assert len(done) == len({e.member for e in done})  # one result per table
    return {short(e.member): e for e in done}


def same(got: LocationResult, want: LocationResult) -> None:
    assert got.items == want.items
    assert got.columns == want.columns
    assert got.tally.counts == want.tally.counts
    assert got.tally.distinct == want.tally.distinct
    assert got.skipped == want.skipped
    assert (got.chars, got.truncated) == (want.chars, want.truncated)


@pytest.fixture(scope="module")
def reference(source: Any) -> dict[str, LocationResult]:
    return sequential(source.url, ScanOptions())


@pytest.fixture(scope="module")
def split_scan(source: Any) -> dict[str, TableDone]:
    return parallel(source.url, ScanOptions(), sample_rows=None, jobs=2, split=SPLIT)


def test_large_tables_are_split_and_binary_ones_skipped(split_scan: dict[str, TableDone]) -> None:
    assert sorted(split_scan) == sorted([*TABLES, "scans"])
    assert {m: split_scan[m].ranges for m in TABLES} == dict.fromkeys(TABLES, 8)
    assert split_scan["scans"].failed
    assert split_scan["scans"].result.skipped[0].reason == "no text or numeric columns"


def test_every_row_is_read_once(source: Any, split_scan: dict[str, TableDone]) -> None:
    assert {m: split_scan[m].rows for m in TABLES} == {m: source.rows[m] for m in TABLES}
    assert source.rows["people"] == PEOPLE


@pytest.mark.parametrize("member", TABLES)
def test_a_parallel_full_scan_equals_the_sequential_one(
    split_scan: dict[str, TableDone], reference: dict[str, LocationResult], member: str
) -> None:
    want = reference[member]
    assert want.tally.counts  # the table holds findings to compare
    same(split_scan[member].result, want)


def test_a_column_found_in_one_range_counts_the_cells_of_every_range(
    split_scan: dict[str, TableDone],
) -> None:
    ssn = [c for c in split_scan["people"].result.columns if c.column == "ssn"]
    assert [(c.entity_type, c.rows_with, c.rows_total) for c in ssn] == [("US_SSN", 250, PEOPLE)]


def test_kept_findings_are_the_first_in_key_order(source: Any) -> None:
    opts = ScanOptions(max_findings=40)
    got = parallel(source.url, opts, sample_rows=None, jobs=2, split=SPLIT, include=("*people",))
    want = sequential(source.url, opts)["people"]
    assert want.truncated
    same(got["people"].result, want)


def in_key_order(url: str, table: str, key: str) -> LocationResult:
    """Scan one table as a single stream read in key order (what key ranges must add up to)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        result = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {key}")  # noqa: S608
        header = list(result.keys())
        rows = ([str(v) if v is not None else "" for v in row] for row in result)
        found = scan_parts([Table(header, rows, Where(member=f"public.{table}"))], fingerprint(),
                           ScanOptions())  # fmt: skip
    engine.dispose()
    return found


def test_without_block_ranges_postgres_splits_integer_keys_and_streams_the_rest(
    source: Any, reference: dict[str, LocationResult]
) -> None:
    if source.backend != "postgres":
        pytest.skip("block ranges are PostgreSQL's")
    no_ctid = Split(min_rows=400, range_rows=100, ctid=False)
    got = parallel(source.url, ScanOptions(), sample_rows=None, jobs=2, split=no_ctid)
    assert {m: got[m].ranges for m in TABLES} == {"gappy": 8, "loose": 1, "people": 8, "texty": 1}
    for member in ("loose", "texty"):  # one stream, as before
        same(got[member].result, reference[member])
    for member in ("gappy", "people"):  # key ranges: a stream in key order, not heap order
        same(got[member].result, in_key_order(source.url, member, "id"))


def test_progress_counts_ranges_and_rows(source: Any) -> None:
    how = DatabaseScan(sample_rows=None, jobs=2, split=SPLIT, include=("*people",))
    events = list(scan_database(source.url, fingerprint(), ScanOptions(), how))
    progress = [e for e in events if isinstance(e, RangeDone)]
    assert [(short(e.member), e.done, e.total) for e in progress] == [
        ("people", n, 8) for n in range(1, 9)
    ]
    assert progress[-1].rows == PEOPLE
    assert [e.rows for e in progress] == sorted(e.rows for e in progress)
    assert isinstance(events[-1], TableDone)


def _sampled_ids(source: Any, done: TableDone) -> list[int]:
    """Map the sampled e-mail findings back to their rows' ids through the fingerprints."""
    from dataward.discovery import normalize

    ids = {
        KEYS.fingerprint(f"EMAIL_ADDRESS:{normalize('EMAIL_ADDRESS', e)}"): i
        for i, e in source.emails.items()
    }
    return sorted(ids[f.fingerprint] for f in done.result.items if f.where.column == "email")


@pytest.mark.parametrize(("jobs", "ranges"), [(1, 4), (2, 8)])
def test_a_sample_of_a_split_table_is_spread_over_its_ranges(
    source: Any, jobs: int, ranges: int
) -> None:
    how = {"sample_rows": 96, "jobs": jobs, "split": SPLIT, "include": ("*people",)}
    done = parallel(source.url, ScanOptions(), **how)["people"]
    assert (done.rows, done.ranges) == (96, ranges)
    ids = _sampled_ids(source, done)
    width = PEOPLE // ranges
    assert min(ids) < width
    assert max(ids) > PEOPLE - width
    clusters = 1 + sum(1 for a, b in zip(ids, ids[1:], strict=False) if b - a > 50)
    assert clusters == ranges  # a run of rows from the start of every range


def test_a_sample_of_a_small_table_is_its_first_rows(source: Any) -> None:
    big = Split(min_rows=10_000)
    done = parallel(source.url, ScanOptions(), sample_rows=96, jobs=2, split=big)["people"]
    assert (done.rows, done.ranges) == (96, 1)
    assert max(_sampled_ids(source, done)) <= 96
