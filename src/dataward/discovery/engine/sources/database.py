"""Stream the tables of a database, read-only, as tables of cell text for the scanner.

Supported URLs: ``sqlite:///path/to/file.db`` (opened with ``mode=ro``), ``postgresql://...``
(psycopg 3; every transaction is read-only) and ``mysql://...`` (needs ``mysqlclient`` or
``pymysql``; the session is set read-only). Reading goes through SQLAlchemy 2 with server-side
cursors where the driver has them, so memory stays bounded by ``batch_rows``.

Sampling here takes the *first* ``sample_rows`` rows the database returns (a plain ``LIMIT``, no
``ORDER BY``): cheap on any size, usually the oldest rows of a heap table, but not a random
sample. ``sample_rows=None`` reads every row. A scan (``tables.scan_database``) reads large
tables in key ranges instead, in parallel, and spreads the sample over the ranges (``ranges.py``).
Binary columns (BLOB, BYTEA, VARBINARY) are left out and stray bytes in untyped columns become
``""``: blobs are never decoded. Views are not read (their rows come from tables that are), nor
are system schemas.

A table's rows must be read before the next table is requested: moving on closes them.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import re
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from dataward.discovery.engine.sources.sqlread import (
    NO_COLUMNS,
    TableRef,
    cell,
    describe,
    stream,
    table_of,
    table_reason,
    text_columns,
)
from dataward.discovery.engine.types import Skipped, Table, Where
from dataward.errors import DatawardError

#: Schemas that hold the database's own catalogue, never client data.
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys", "temp"}
)
_SYSTEM_PREFIXES = ("pg_temp_", "pg_toast_temp_")
_SECRET_KEYS = frozenset({"password", "passwd", "pwd", "sslpassword"})
_HINT = "use sqlite:///path/file.db, postgresql://user@host:port/db or mysql://user@host/db"
CONNECT_TIMEOUT = 10


def redact_url(url: str) -> str:
    """Return ``url`` with its password (and any password query option) replaced by ``***``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        text = re.sub(r"(://[^:/?#@]*):[^@]*@", r"\1:***@", url)
        return re.sub(r"(?i)\b(password|passwd|pwd|sslpassword)=[^&]*", r"\1=***", text)
    query = {k: "***" if k.lower() in _SECRET_KEYS else v for k, v in parsed.query.items()}
    text = parsed.set(query=query).render_as_string(hide_password=True)
    return text.replace("=%2A%2A%2A", "=***")


def iter_tables(
    url: str,
    *,
    sample_rows: int | None = 1000,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    batch_rows: int = 5000,
) -> Generator[Table | Skipped, None, None]:
    """Yield one streamed table per user table in the database at ``url``, or a skip and why.

    Close the generator (or exhaust it) to release the connection.

    Raises:
        DatawardError: the URL is malformed, its driver is missing or the server refuses us.
    """
    engine = open_engine(url)
    try:
        with connect(engine, url) as conn:
            for ref in list_tables(conn, url, include, exclude):
                yield from _read_table(conn, ref, sample_rows, max(1, batch_rows))
    finally:
        engine.dispose()


def open_engine(url: str) -> Engine:
    """Return an engine for ``url`` that opens a new connection each time (no pool).

    Raises:
        DatawardError: the URL is malformed or names a database type or driver we lack.
    """
    return _engine(url, redact_url(url))


def connect(engine: Engine, url: str) -> Connection:
    """Open a read-only connection (read-only transactions, ``query_only`` on SQLite).

    Raises:
        DatawardError: the server refuses us; the message never holds the password.
    """
    return _connect(engine, url, redact_url(url))


def _engine(url: str, where: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise DatawardError("not a database URL", where=where, hint=_HINT) from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(parsed, where)
        if backend in ("postgresql", "postgres"):
            return _server_engine(parsed.set(drivername="postgresql+psycopg"))
        if backend == "mysql":
            return _server_engine(_mysql_url(parsed, where))
    except NoSuchModuleError:
        raise DatawardError(f"unsupported database type {backend!r}", where, _HINT) from None
    except ImportError as exc:
        raise DatawardError(
            f"the database driver {exc.name or backend!r} is not installed", where, _HINT
        ) from None
    except (ArgumentError, ValueError, TypeError) as exc:
        raise DatawardError("not a usable database URL", where, _short(exc, url)) from None
    raise DatawardError(f"unsupported database type {backend!r}", where, _HINT)


def _sqlite_engine(parsed: URL, where: str) -> Engine:
    import sqlite3

    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise DatawardError("give the path of an SQLite file", where, "e.g. sqlite:///data/app.db")
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise DatawardError("no such SQLite file", where, "check the path after sqlite:///")
    uri = f"{path.as_uri()}?mode=ro"

    def creator() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return sa.create_engine("sqlite://", creator=creator, poolclass=NullPool)


def _server_engine(parsed: URL) -> Engine:
    return sa.create_engine(
        parsed, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT}
    )


def _mysql_url(parsed: URL, where: str) -> URL:
    if parsed.drivername != "mysql":
        return parsed
    if importlib.util.find_spec("MySQLdb") is not None:
        return parsed
    if importlib.util.find_spec("pymysql") is not None:
        return parsed.set(drivername="mysql+pymysql")
    raise DatawardError(
        "no MySQL driver is installed",
        where,
        "install one into dataward's environment: pip install pymysql (or mysqlclient)",
    )


def _connect(engine: Engine, url: str, where: str) -> Connection:
    conn: Connection | None = None
    try:
        conn = engine.connect()
        backend = engine.dialect.name
        if backend == "postgresql":
            conn.execution_options(postgresql_readonly=True)
        elif backend == "mysql":
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        elif backend == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
    except SQLAlchemyError as exc:
        if conn is not None:
            conn.close()
        raise DatawardError("could not connect to the database", where, _short(exc, url)) from None
    return conn


def list_tables(
    conn: Connection, url: str, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[TableRef]:
    """Return every wanted user table, sorted by schema and name.

    Raises:
        DatawardError: the database's catalogue cannot be read.
    """
    where = redact_url(url)
    sqlite = conn.dialect.name == "sqlite"
    try:
        inspector = sa.inspect(conn)
        default = inspector.default_schema_name
        schemas = sorted(s for s in inspector.get_schema_names() if not _is_system(s))
        found = [(s, sorted(inspector.get_table_names(schema=s))) for s in schemas]
    except SQLAlchemyError as exc:
        raise DatawardError("could not list the tables", where, _short(exc, url)) from None
    finally:
        conn.rollback()
    refs = []
    for schema, tables in found:
        for name in tables:
            local = sqlite and schema in ("main", default)
            member = name if local else f"{schema}.{name}"
            if _wanted((member, f"{schema}.{name}"), include, exclude):
                refs.append(TableRef(None if local else schema, name, member))
    return refs


def _is_system(schema: str) -> bool:
    return schema.lower() in SYSTEM_SCHEMAS or schema.lower().startswith(_SYSTEM_PREFIXES)


def _wanted(names: Sequence[str], include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Match case-insensitive globs (``*`` spans dots) against ``schema.table`` and the member."""

    def hit(patterns: Sequence[str]) -> bool:
        return any(fnmatch.fnmatchcase(n.lower(), p.lower()) for n in names for p in patterns)

    return not hit(exclude) and (not include or hit(include))


def _read_table(
    conn: Connection, ref: TableRef, sample_rows: int | None, batch_rows: int
) -> Iterator[Table | Skipped]:
    where = Where(member=ref.member)
    try:
        columns = text_columns(describe(conn, ref))
        if not columns:
            conn.rollback()
            yield Skipped(where, NO_COLUMNS)
            return
        stmt = sa.select(*table_of(ref, columns).c)
        if sample_rows is not None:
            stmt = stmt.limit(max(0, sample_rows))
        result = stream(conn, stmt, batch_rows)
    except SQLAlchemyError as exc:
        conn.rollback()
        yield Skipped(where, table_reason(exc))
        return
    try:
        yield Table(columns, (list(map(cell, row)) for row in result), where)
    finally:
        result.close()
        conn.rollback()


def _short(exc: BaseException, url: str) -> str:
    """Return the driver's first message line, at most 200 characters, without the password."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    text = lines[0] if lines else type(orig).__name__
    text = text.replace(url, redact_url(url))
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        found = re.search(r"://[^:/?#@]*:([^@]*)@", url)
        password = found.group(1) if found else None
    if password:
        text = text.replace(str(password), "***")
    return text[:200]
