"""Which tables split, on which key, into which half-open ranges; and the sample's shares."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataward.discovery.engine.sources import database
from dataward.discovery.engine.sources.ranges import CTID, KEY, STREAM, Plan, Split, plan_table

SPLIT = Split(min_rows=400, range_rows=100)
ROWS = 1000


def plans(url: str, *, snapshot: bool = False, **how: Any) -> dict[str, Plan]:
    options = {"ranges": 4, "split": SPLIT, "sample_rows": None, "snapshot": snapshot, **how}
    engine = database.open_engine(url)
    try:
        with database.connect(engine, url) as conn:
            return {
                ref.name: plan_table(conn, ref, database.describe(conn, ref), **options)
                for ref in database.list_tables(conn, url)
            }
    finally:
        engine.dispose()


SQLITE = """
CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE shadow (rowid TEXT, _rowid_ TEXT, oid TEXT, v TEXT);
CREATE TABLE keyed (k INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE worded (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE small (id INTEGER PRIMARY KEY, v TEXT);
"""


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    path = tmp_path / "plans.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript(SQLITE)
        for table in ("plain", "shadow", "keyed", "worded"):
            width = len(conn.execute(f"SELECT * FROM {table} LIMIT 0").description)  # noqa: S608
            rows = [(i * 3 + 7, *[f"r{i}"] * (width - 1)) for i in range(ROWS)]
            if table == "worded":
                rows = [(f"w{i:05d}", f"r{i}") for i in range(ROWS)]
            marks = ", ".join("?" * width)
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608
        conn.executemany("INSERT INTO small VALUES (?, ?)", [(i, "x") for i in range(50)])
        conn.commit()
    return f"sqlite:///{path}"


def test_sqlite_splits_on_the_rowid_else_an_integer_key_else_streams(sqlite_url: str) -> None:
    got = plans(sqlite_url)
    assert (got["plain"].how, got["plain"].key) == (KEY, "rowid")
    assert got["plain"].bounds == (756, 1506, 2255)  # ids 7..3004 in four even spans
    assert (got["keyed"].how, got["keyed"].key, got["keyed"].count) == (KEY, "k", 4)
    assert got["shadow"].how == STREAM  # every rowid name is a column: no safe key
    assert got["worded"].how == STREAM  # a text key without a rowid
    assert got["small"].how == STREAM  # below min_rows
    assert plans(sqlite_url, ranges=1)["plain"].how == STREAM


def test_a_sample_never_has_more_ranges_than_rows(sqlite_url: str) -> None:
    assert plans(sqlite_url, sample_rows=3)["plain"].count == 3
    assert plans(sqlite_url, sample_rows=1)["plain"].how == STREAM


@pytest.mark.parametrize(
    ("plan", "sample", "limits"),
    [
        (Plan(KEY, "id", (10, 20, 30)), 10, [3, 3, 2, 2]),
        (Plan(KEY, "id", (10, 20, 30)), None, [None] * 4),
        (Plan(), 1000, [1000]),
        (Plan(CTID, "ctid", (5,)), 1, [1, 0]),
    ],
)
def test_a_sample_is_shared_between_the_ranges(
    plan: Plan, sample: int | None, limits: list[int | None]
) -> None:
    assert [plan.limit(sample, i) for i in range(plan.count)] == limits


def test_ranges_are_half_open_and_unbounded_at_both_ends() -> None:
    plan = Plan(KEY, "id", (10, 20))
    assert [plan.span(i) for i in range(plan.count)] == [(None, 10), (10, 20), (20, None)]
    assert Plan().span(0) == (None, None)


PG = f"""
CREATE TABLE uniq (code text, n integer NOT NULL UNIQUE);
CREATE TABLE maybe (code text, n integer UNIQUE);
CREATE TABLE pk (id bigint PRIMARY KEY, v text);
INSERT INTO uniq SELECT 'c' || g, g FROM generate_series(1, {ROWS}) g;
INSERT INTO maybe SELECT 'c' || g, g FROM generate_series(1, {ROWS}) g;
INSERT INTO pk SELECT g, 'v' FROM generate_series(1, {ROWS}) g;
"""  # noqa: S608 (constants only)


@pytest.fixture
def pg_url(kit: Any) -> Iterator[str]:
    with kit.pg_database() as url:
        kit.pg_exec(url, PG)
        yield url


@pytest.mark.postgres
def test_postgres_splits_blocks_with_a_snapshot_else_a_unique_integer(pg_url: str) -> None:
    with_snapshot = plans(pg_url, snapshot=True)
    assert {name: plan.how for name, plan in with_snapshot.items()} == dict.fromkeys(
        ("maybe", "pk", "uniq"), CTID
    )
    keys = plans(pg_url)
    assert (keys["pk"].how, keys["pk"].key) == (KEY, "id")
    assert (keys["uniq"].how, keys["uniq"].key) == (KEY, "n")
    assert keys["maybe"].how == STREAM  # unique but nullable: NULL rows fit no range
    assert plans(pg_url, snapshot=True, split=Split(400, 100, ctid=False))["maybe"].how == STREAM
