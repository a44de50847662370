"""Source databases for the range-scan tests: the same tables in SQLite and on PostgreSQL.

Tables (rows inserted in key order, so a sequential scan reads them in key order too):
``people`` (integer key, an SSN column valid only in its first rows), ``gappy`` (an integer key
with large gaps: most rows far beyond the rest), ``loose`` (no key at all), ``texty`` (a text
key) and ``scans`` (binary only, never read).
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_ENV = "DATAWARD_TEST_POSTGRES_URL"
PEOPLE, GAPPY, LOOSE, TEXTY = 2400, 1600, 1600, 1600
FIRST = ("Maria", "James", "Priya", "Olusegun", "Sarah", "Rahul", "Grace", "Daniel", "Aisha")
LAST = ("Santos", "Walker", "Sharma", "Okafor", "Hughes", "Mehta", "Reyes", "Turner", "Khan")


@dataclass
class Source:
    """A source database: its URL, rows per table and each ``people`` id's raw e-mail."""

    url: str
    backend: str
    emails: dict[int, str]
    rows: dict[str, int]


def table_rows() -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    """Return each table's column list and rows, the same on every backend."""
    from dataward.demo.engine import contact
    from dataward.demo.engine import identifiers as ids

    rng = random.Random(20261129)

    def name(i: int) -> str:
        return f"{FIRST[i % len(FIRST)]} {LAST[i * 7 % len(LAST)]}"

    people = [
        (
            i, name(i), None if i % 9 == 0 else f"person{i}@example.org",
            ids.us_ssn(rng) if i <= 250 else "pending", f"call back about ticket {i}",
        )
        for i in range(1, PEOPLE + 1)
    ]  # fmt: skip
    keys = [*range(1, 301), *range(5000, 5100), *range(10**9, 10**9 + GAPPY - 400)]
    gappy = [(k, f"g{k}@example.net", contact.phone(rng, "US")) for k in keys]
    loose = [(name(i), f"loose{i}@example.com", ids.card_number(rng)) for i in range(LOOSE)]
    texty = [(f"K{i:06d}", f"t{i}@example.co.uk", ids.gb_iban(rng)) for i in range(TEXTY)]
    return {
        "people": ("id, full_name, email, ssn, note", people),
        "gappy": ("id, email, phone", gappy),
        "loose": ("full_name, email, card_number", loose),
        "texty": ("code, email, iban", texty),
    }


SQLITE_SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, ssn TEXT, note TEXT);
CREATE TABLE gappy (id INTEGER PRIMARY KEY, email TEXT, phone TEXT);
CREATE TABLE loose (full_name TEXT, email TEXT, card_number TEXT);
CREATE TABLE texty (code TEXT PRIMARY KEY, email TEXT, iban TEXT);
CREATE TABLE scans (raw BLOB);
"""
PG_SCHEMA = """
CREATE TABLE people (id integer PRIMARY KEY, full_name text, email text, ssn text, note text);
CREATE TABLE gappy (id integer PRIMARY KEY, email text, phone text);
CREATE TABLE loose (full_name text, email text, card_number text);
CREATE TABLE texty (code text PRIMARY KEY, email text, iban text);
CREATE TABLE scans (raw bytea);
"""


def sqlite_source(path: Path) -> Source:
    """Write the tables into an SQLite file."""
    tables = table_rows()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript(SQLITE_SCHEMA)
        for table, (columns, rows) in tables.items():
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        conn.commit()
    return Source(f"sqlite:///{path}", "sqlite", _emails(tables), _counts(tables))


def admin_url() -> str:
    """Return the test server's URL, or skip."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL not available: set {PG_ENV}")
    return url


def pg_exec(url: str, sql: str) -> None:
    """Run SQL on the server with autocommit."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """Create a throwaway PostgreSQL database and drop it afterwards."""
    admin = admin_url()
    name = f"dw_rng_{uuid.uuid4().hex[:10]}"
    pg_exec(admin, f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with contextlib.suppress(Exception):  # cleanup of a throwaway database
            pg_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_fill(url: str) -> Source:
    """Create and fill the tables on PostgreSQL, then analyze them (as autovacuum would)."""
    import psycopg

    tables = table_rows()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PG_SCHEMA.encode())
        for table, (columns, rows) in tables.items():
            marks = ", ".join(["%s"] * len(rows[0]))
            with conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})".encode(),  # noqa: S608
                    rows,
                )
        conn.execute(b"ANALYZE")
    return Source(url, "postgres", _emails(tables), _counts(tables))


def _counts(tables: dict[str, tuple[str, list[tuple[Any, ...]]]]) -> dict[str, int]:
    return {name: len(rows) for name, (_, rows) in tables.items()}


def _emails(tables: dict[str, tuple[str, list[tuple[Any, ...]]]]) -> dict[int, str]:
    return {row[0]: row[2] for row in tables["people"][1] if row[2]}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def source(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Source]:
    """Yield the source database on each backend."""
    if request.param == "sqlite":
        yield sqlite_source(tmp_path_factory.mktemp("src") / "crm.db")
        return
    with pg_database() as url:
        yield pg_fill(url)


class Kit:
    """The builders above, for test modules (which cannot import a conftest)."""

    sqlite_source = staticmethod(sqlite_source)
    pg_database = staticmethod(pg_database)
    pg_fill = staticmethod(pg_fill)
    pg_exec = staticmethod(pg_exec)
    admin_url = staticmethod(admin_url)


@pytest.fixture(scope="session")
def kit() -> type[Kit]:
    """Return the source builders."""
    return Kit
