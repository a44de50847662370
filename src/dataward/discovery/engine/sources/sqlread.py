"""Read rows of a table as text: its columns, a lightweight table construct, cells, failures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.exc import SQLAlchemyError

NO_COLUMNS = "no text or numeric columns"


@dataclass(frozen=True, slots=True)
class TableRef:
    """A user table: its schema (``None`` for SQLite's own), name and the member name shown."""

    schema: str | None
    name: str
    member: str


def describe(conn: Connection, ref: TableRef) -> list[ReflectedColumn]:
    """Return the table's columns as the database describes them (name, type, nullable)."""
    return sa.inspect(conn).get_columns(ref.name, schema=ref.schema)


def text_columns(described: Sequence[ReflectedColumn]) -> list[str]:
    """Return the names of the columns the scan reads: all but binary ones."""
    return [c["name"] for c in described if not _is_binary(c["type"])]


def table_of(ref: TableRef, columns: Sequence[str]) -> sa.TableClause:
    """Return a lightweight table construct naming ``columns`` (quoted as the dialect needs)."""
    return sa.table(ref.name, *map(sa.column, columns), schema=ref.schema)


def stream(conn: Connection, stmt: sa.Executable, batch_rows: int) -> sa.CursorResult[Any]:
    """Execute ``stmt`` with a server-side cursor fetching ``batch_rows`` rows at a time."""
    options = {"stream_results": True, "yield_per": max(1, batch_rows)}
    return conn.execute(stmt, execution_options=options)


def _is_binary(coltype: Any) -> bool:
    try:
        return bool(coltype.python_type is bytes)
    except NotImplementedError:
        return False


def cell(value: object) -> str:
    """Render one database value as text; ``None`` and bytes become ``""``."""
    if value is None or isinstance(value, bytes | bytearray | memoryview):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def table_reason(exc: SQLAlchemyError) -> str:
    """Say why a table could not be read, from the error's kind only (never its text's values)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "permission denied" in text or "access denied" in text or "not authorized" in text:
        return "permission denied"
    if getattr(exc, "connection_invalidated", False):
        return "the connection to the database was lost"
    return f"could not read the table ({type(getattr(exc, 'orig', None) or exc).__name__})"
