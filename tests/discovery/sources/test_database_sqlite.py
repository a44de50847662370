"""Scan real SQLite files read-only: tables, types, sampling, filters, redaction and errors."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dataward.discovery.engine.sources import database
from dataward.discovery.engine.sources.database import iter_tables, redact_url
from dataward.discovery.engine.types import Table
from dataward.errors import DatawardError

CUSTOMERS = 2500


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email VARCHAR(80),
                balance NUMERIC(10, 2), born DATE, photo BLOB, note TEXT);
            CREATE TABLE orders (id INTEGER, customer_id INTEGER, amount REAL, placed TIMESTAMP);
            CREATE TABLE attachments (data BLOB);
            CREATE TABLE loose (a, b);
            CREATE VIEW rich AS SELECT name FROM customers WHERE balance > 100;
            """
        )
        conn.executemany(
            "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"Customer {i}",
                    f"c{i}@example.test" if i % 3 else None,
                    i * 1.5,
                    f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}",
                    bytes([i % 256]) * 8,
                    None,
                )
                for i in range(1, CUSTOMERS + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [(i, i % 40, i / 4, "2026-11-29 08:30:00") for i in range(1, 301)],
        )
        conn.execute("INSERT INTO attachments VALUES (?)", (b"\x00\x01",))
        conn.execute("INSERT INTO loose VALUES (?, ?)", (b"\xff\xfe raw", 7))
    conn.close()
    return path


def scan(path: Path, **kwargs: Any) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    for part in iter_tables(f"sqlite:///{path}", **kwargs):
        if isinstance(part, Table):
            out.append((part.where.member, list(part.header), [list(r) for r in part.rows]))
        else:
            out.append((part.where.member, "skipped", part.reason))
    return out


def test_every_user_table_is_read_with_its_text_columns(db: Path) -> None:
    parts = {member: (header, rows) for member, header, rows in scan(db, sample_rows=None)}
    assert list(parts) == ["attachments", "customers", "loose", "orders"]
    assert parts["attachments"] == ("skipped", "no text or numeric columns")
    header, rows = parts["customers"]
    assert header == ["id", "name", "email", "balance", "born", "note"]
    assert len(rows) == CUSTOMERS
    assert rows[0] == ["1", "Customer 1", "c1@example.test", "1.5", "1951-02-11", ""]
    assert rows[2] == ["3", "Customer 3", "", "4.5", "1953-04-13", ""]
    assert parts["loose"] == (["a", "b"], [["", "7"]])
    assert parts["orders"][1][0] == ["1", "1", "0.25", "2026-11-29 08:30:00"]


@pytest.mark.parametrize(
    ("sample_rows", "batch_rows", "expected"),
    [(None, 5000, CUSTOMERS), (None, 7, CUSTOMERS), (1000, 5000, 1000), (10, 3, 10), (0, 10, 0)],
)
def test_sampling_takes_the_first_rows(
    db: Path, sample_rows: int | None, batch_rows: int, expected: int
) -> None:
    parts = scan(db, sample_rows=sample_rows, batch_rows=batch_rows, include=["customers"])
    [(_, _, rows)] = parts
    assert len(rows) == expected
    assert [r[0] for r in rows[:3]] == ["1", "2", "3"][:expected]


def test_rows_stream_lazily(db: Path) -> None:
    tables = iter_tables(f"sqlite:///{db}", sample_rows=None, include=["customers"])
    table = next(tables)
    assert isinstance(table, Table)
    assert iter(table.rows) is table.rows
    assert next(table.rows)[0] == "1"
    tables.close()


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        ((), (), ["attachments", "customers", "loose", "orders"]),
        (("cust*",), (), ["customers"]),
        (("main.orders",), (), ["orders"]),
        (("CUSTOMERS", "Orders"), (), ["customers", "orders"]),
        ((), ("attachments", "loose"), ["customers", "orders"]),
        (("*",), ("main.*",), []),
        (("c*", "o*"), ("orders",), ["customers"]),
        (("rich",), (), []),
    ],
)
def test_include_and_exclude_match_table_names(
    db: Path, include: tuple[str, ...], exclude: tuple[str, ...], expected: list[str]
) -> None:
    members = [m for m, *_ in scan(db, include=include, exclude=exclude)]
    assert members == expected


def test_the_scan_never_writes(db: Path) -> None:
    before = (hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_mtime_ns)
    scan(db, sample_rows=None)
    assert (hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_mtime_ns) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["crm.db"]


def test_a_write_on_the_scan_connection_fails(db: Path) -> None:
    url = f"sqlite:///{db}"
    engine = database._engine(url, url)
    with (
        database._connect(engine, url, url) as conn,
        pytest.raises(sa.exc.OperationalError, match="readonly|read-only|query_only"),
    ):
        conn.exec_driver_sql("DELETE FROM customers")
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://bob:s3cr3tpw@db.internal:5432/crm",
            "postgresql://bob:***@db.internal:5432/crm",
        ),
        ("postgresql://bob@db/crm", "postgresql://bob@db/crm"),
        ("mysql+pymysql://u:p%40ss@h/d", "mysql+pymysql://u:***@h/d"),
        (
            "postgresql://db/crm?password=s3cr3tpw&sslmode=require",
            "postgresql://db/crm?password=***&sslmode=require",
        ),
        ("sqlite:////srv/data/app.db", "sqlite:////srv/data/app.db"),
        ("weird ://u:s3cr3tpw@h/d", "weird ://u:***@h/d"),
    ],
)
def test_redact_url_hides_passwords(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.fixture
def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not an sqlite database, just some words " * 100)
    return path


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("not a url at all", "not a database URL"),
        ("sqlite:///{tmp}/missing.db", "no such SQLite file"),
        ("sqlite://", "give the path of an SQLite file"),
        ("sqlite:///{tmp}/garbage.db", "could not list the tables"),
        ("postgresql://u:hunter2pw@127.0.0.1:1/crm", "could not connect to the database"),
        ("postgres://u:hunter2pw@127.0.0.1:1/crm", "could not connect to the database"),
        ("postgresql://u:hunter2pw@db:port/crm", "not a database URL"),
        ("mysql://u:hunter2pw@127.0.0.1:1/crm", ""),
        ("oracle://u:hunter2pw@127.0.0.1:1/crm", "unsupported database type"),
        ("nosuchdb://u:hunter2pw@127.0.0.1:1/crm", "unsupported database type"),
    ],
)
def test_bad_urls_raise_one_line_errors_without_the_password(
    tmp_path: Path, garbage: Path, url: str, what: str
) -> None:
    url = url.format(tmp=tmp_path)
    with pytest.raises(DatawardError) as err:
        list(iter_tables(url))
    message = str(err.value)
    assert what in message
    assert "hunter2pw" not in message
    assert "\n" not in message
    assert err.value.where == redact_url(url)


def test_a_missing_mysql_driver_names_what_to_install() -> None:
    import importlib.util

    if importlib.util.find_spec("MySQLdb") or importlib.util.find_spec("pymysql"):
        pytest.skip("a MySQL driver is installed here")
    with pytest.raises(DatawardError, match="pip install pymysql"):
        list(iter_tables("mysql://u:pw@127.0.0.1/crm"))


def open_files() -> set[str]:
    fds = Path("/proc/self/fd")
    return {str(p.resolve()) for p in fds.iterdir() if p.is_symlink()}


def test_stopping_early_closes_the_database(db: Path) -> None:
    tables = iter_tables(f"sqlite:///{db}")
    next(tables)
    assert str(db) in open_files()
    tables.close()
    assert str(db) not in open_files()
