"""Scan a throwaway database on the real PostgreSQL server: schemas, sampling, streaming, rights."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from dataward.discovery.engine.sources import database
from dataward.discovery.engine.sources.database import iter_tables, redact_url
from dataward.discovery.engine.types import Table
from dataward.errors import DatawardError

PG_ENV = "DATAWARD_TEST_POSTGRES_URL"
pytestmark = pytest.mark.postgres

CUSTOMERS, CALLS, REFUNDS = 3000, 2000, 40
SCHEMA = f"""
CREATE SCHEMA crm;
CREATE TABLE public.customers (id int PRIMARY KEY, name text, email varchar(80),
    balance numeric(12, 2), born date, photo bytea, prefs jsonb, active boolean);
INSERT INTO public.customers
  SELECT g, 'Customer ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'c' || g || '@example.test' END,
         g * 1.25, DATE '1960-01-01' + g, decode('00ff', 'hex'), jsonb_build_object('tier', g % 4),
         g % 2 = 0
  FROM generate_series(1, {CUSTOMERS}) g;
CREATE TABLE crm.calls (id bigint PRIMARY KEY, agent text, notes text, started timestamp);
INSERT INTO crm.calls SELECT g, 'agent' || (g % 7), 'call notes ' || g, TIMESTAMP '2026-11-29 08:00'
  FROM generate_series(1, {CALLS}) g;
CREATE TABLE crm.refunds (id int, amount numeric(8, 2));
INSERT INTO crm.refunds SELECT g, g / 4.0 FROM generate_series(1, {REFUNDS}) g;
CREATE TABLE crm.scans (raw bytea);
CREATE TABLE crm."Odd Name" ("Full Name" text, "select" int);
INSERT INTO crm."Odd Name" VALUES ('Quoted Person', 1);
CREATE VIEW crm.big_calls AS SELECT * FROM crm.calls WHERE id > 10;
"""  # noqa: S608 (constants only)


def _admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL not available: set {PG_ENV} (bash .ci/run starts a server)")
    return url


def _exec(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    admin = _admin_url()
    name = f"dw_src_{uuid.uuid4().hex[:10]}"
    _exec(admin, f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        _exec(url, SCHEMA)
        yield url
    finally:
        with contextlib.suppress(Exception):  # cleanup of a throwaway database
            _exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scan(url: str, **kwargs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in iter_tables(url, **kwargs):
        if isinstance(part, Table):
            out[part.where.member] = (list(part.header), [list(r) for r in part.rows])
        else:
            out[part.where.member] = part.reason
    return out


def test_a_full_scan_reads_every_table_in_every_user_schema(pg_url: str) -> None:
    parts = scan(pg_url, sample_rows=None, batch_rows=500)
    assert list(parts) == [
        "crm.Odd Name",
        "crm.calls",
        "crm.refunds",
        "crm.scans",
        "public.customers",
    ]
    assert parts["crm.Odd Name"] == (["Full Name", "select"], [["Quoted Person", "1"]])
    assert parts["crm.scans"] == "no text or numeric columns"
    header, rows = parts["public.customers"]
    assert header == ["id", "name", "email", "balance", "born", "prefs", "active"]
    assert len(rows) == CUSTOMERS
    by_id = {row[0]: row for row in rows}
    assert by_id["3"] == ["3", "Customer 3", "", "3.75", "1960-01-04", '{"tier": 3}', "False"]
    assert by_id["4"][2] == "c4@example.test"
    header, rows = parts["crm.calls"]
    assert header == ["id", "agent", "notes", "started"]
    assert len(rows) == CALLS
    assert ["1", "agent1", "call notes 1", "2026-11-29 08:00:00"] in rows
    assert len(parts["crm.refunds"][1]) == REFUNDS


@pytest.mark.parametrize(("sample_rows", "expected"), [(100, 100), (2500, 2500), (None, 3000)])
def test_sampling_limits_the_rows_read(pg_url: str, sample_rows: int | None, expected: int) -> None:
    parts = scan(pg_url, sample_rows=sample_rows, batch_rows=700, include=["public.*"])
    assert len(parts["public.customers"][1]) == expected


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (("crm.*",), (), ["crm.Odd Name", "crm.calls", "crm.refunds", "crm.scans"]),
        (("*.customers", "crm.calls"), (), ["crm.calls", "public.customers"]),
        ((), ("crm.*",), ["public.customers"]),
        (("CRM.*",), ("crm.scans", "*.refunds", "crm.odd*"), ["crm.calls"]),
        (("crm.big_calls", "information_schema.*", "pg_catalog.*"), (), []),
    ],
)
def test_include_and_exclude_match_schema_dot_table(
    pg_url: str, include: tuple[str, ...], exclude: tuple[str, ...], expected: list[str]
) -> None:
    assert list(scan(pg_url, sample_rows=5, include=include, exclude=exclude)) == expected


def test_rows_stream_through_a_server_side_cursor(pg_url: str) -> None:
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    tables = iter_tables(pg_url, sample_rows=None, batch_rows=250, include=["crm.calls"])
    table = next(tables)
    assert isinstance(table, Table)
    first = [next(table.rows) for _ in range(300)]
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        seen = admin.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    assert any(q.startswith("FETCH FORWARD 250 FROM") for (q,) in seen), seen
    assert len(first) + sum(1 for _ in table.rows) == CALLS
    tables.close()


def test_the_scan_connection_is_read_only(pg_url: str) -> None:
    engine = database._engine(pg_url, redact_url(pg_url))
    with (
        database._connect(engine, pg_url, "") as conn,
        pytest.raises(sa.exc.DBAPIError, match="read-only transaction"),
    ):
        conn.exec_driver_sql("DELETE FROM crm.refunds")
    engine.dispose()
    assert len(scan(pg_url, include=["crm.refunds"])["crm.refunds"][1]) == REFUNDS


@pytest.fixture
def reader(pg_url: str) -> Iterator[str]:
    """Return the URL of a login role that may read public.customers and crm.refunds only."""
    role = f"dw_reader_{uuid.uuid4().hex[:8]}"
    _exec(pg_url, f"CREATE ROLE {role} LOGIN PASSWORD 'hunter2pw'")
    _exec(
        pg_url,
        f"GRANT USAGE ON SCHEMA crm TO {role}; "
        f"GRANT SELECT ON public.customers, crm.refunds TO {role}",
    )
    prefix, rest = pg_url.split("://", 1)
    yield f"{prefix}://{role}:hunter2pw@{rest.split('@', 1)[-1]}"
    _exec(pg_url, f"DROP OWNED BY {role}; DROP ROLE {role}")


def test_tables_we_may_not_read_are_skipped_and_the_scan_goes_on(reader: str) -> None:
    parts = scan(reader, sample_rows=10)
    assert parts["crm.calls"] == "permission denied"
    assert len(parts["public.customers"][1]) == 10
    assert len(parts["crm.refunds"][1]) == 10


def test_connection_errors_name_the_server_but_never_the_password(reader: str) -> None:
    url = reader.rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(DatawardError, match="could not connect") as err:
        list(iter_tables(url))
    assert "hunter2pw" not in str(err.value)
    assert "no_such_database_here" in str(err.value)
    assert err.value.where == redact_url(url)
