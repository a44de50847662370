"""Count the rows of a spreadsheet or a database table whose date column is past retention.

"HR records seven years after exit" is a rule on each row's own date, not on the file's age. A
rule with ``date_column`` reads that column and counts the rows older than the limit; an empty
cell or one that is not a date is counted as undated (never as expired), so a badly kept export
shows as such instead of passing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dataward.core.engine.tabular import read_rows
from dataward.errors import ImportFileError

SHEETS = (".csv", ".tsv", ".txt", ".xlsx")
FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


@dataclass(frozen=True)
class RowCount:
    """How many rows a location holds, and how many are past the limit by their date column."""

    column: str
    total: int
    expired: int
    undated: int
    oldest: date | None


def parse_day(text: str, day_first: bool = True) -> date | None:
    """Return the date in a cell (ISO first, then common local forms), or None."""
    value = text.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    formats = FORMATS if day_first else (FORMATS[1], FORMATS[0], *FORMATS[2:])
    for fmt in formats:
        try:
            return datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    return None


def count_file(path: Path, column: str, cutoff: date, day_first: bool = True) -> RowCount:
    """Count a CSV/TSV/XLSX file's rows by a date column (a missing column is an error)."""
    if path.suffix.lower() not in SHEETS:
        raise ImportFileError("is not a spreadsheet (CSV, TSV or XLSX)", str(path),
                              "date-column rules apply to tables and spreadsheets")  # fmt: skip
    total = expired = undated = 0
    oldest: date | None = None
    for row in read_rows(path, {"date": [column]}, ["date"]):
        total += 1
        day = parse_day(row.text("date"), day_first)
        if day is None:
            undated += 1
            continue
        oldest = day if oldest is None or day < oldest else oldest
        if day < cutoff:
            expired += 1
    return RowCount(column, total, expired, undated, oldest)


def count_table(url: str, table: str, column: str, cutoff: date) -> RowCount:
    """Count a database table's rows by a date column, in the database (SQLAlchemy)."""
    import sqlalchemy as sa

    schema, _, name = table.rpartition(".")
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        try:
            tbl = sa.Table(name, meta, schema=schema or None, autoload_with=engine)
        except sa.exc.NoSuchTableError:
            raise ImportFileError(f"no table {table}", "database", "check the name") from None
        if column not in tbl.c:
            raise ImportFileError(f"table {table} has no column {column!r}", "database",
                                  "fix date_column in the policy")  # fmt: skip
        col: Any = tbl.c[column]
        query = sa.select(
            sa.func.count(),
            sa.func.count(col),
            sa.func.sum(sa.case((col < cutoff, 1), else_=0)),
            sa.func.min(col),
        ).select_from(tbl)
        with engine.connect() as conn:
            total, dated, expired, oldest = conn.execute(query).one()
    finally:
        engine.dispose()
    first = oldest.date() if isinstance(oldest, datetime) else oldest
    return RowCount(column, int(total), int(expired or 0), int(total - dated), first)
