"""Print rows as a Rich table or as JSON, JSON Lines or CSV that stand alone on stdout."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dataward.core.engine.workspace import atomic_write

err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
"""Progress, logs and warnings go to stderr so stdout stays machine-readable."""


class Format(StrEnum):
    """The output formats of listings."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: Format, title: str) -> str:
    """Return rows rendered in the chosen format."""
    if fmt is Format.JSON:
        return json.dumps(list(rows), indent=2, default=str) + "\n"
    if fmt is Format.JSONL:
        return "".join(json.dumps(r, default=str) + "\n" for r in rows)
    if fmt is Format.CSV:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: inert(_cell(r.get(k))) for k in columns} for r in rows)
        return buf.getvalue()
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col.replace("_", " "))
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c))) for c in columns))  # user text is not markup
    console = Console(file=io.StringIO(), width=_width(), force_terminal=sys.stdout.isatty())
    console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def _width() -> int:
    return Console().width if sys.stdout.isatty() else 160


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def emit(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: Format = Format.TABLE,
    title: str = "",
    output: Path | None = None,
) -> None:
    """Write rows to --output atomically, or to stdout."""
    text = render(list(rows), columns, fmt, title)
    if output is not None:
        atomic_write(output, text.encode(), mode=0o600)
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def emit_doc(doc: Any, output: Path | None = None) -> None:
    """Write one JSON document to --output or stdout."""
    text = json.dumps(doc, indent=2, default=str) + "\n"
    if output is not None:
        atomic_write(output, text.encode(), mode=0o600)
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


def write_xlsx(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], path: Path, sheet: str = "Sheet1"
) -> None:
    """Write rows to an XLSX workbook atomically (aware timestamps as ISO text)."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    out = book.create_sheet(sheet)
    out.append(list(columns))
    for row in rows:
        values = [row.get(c) for c in columns]
        out.append(
            [
                v.isoformat() if isinstance(v, datetime) and v.tzinfo else _xlsx_cell(v)
                for v in values
            ]
        )
    buf = io.BytesIO()
    book.save(buf)
    atomic_write(path, buf.getvalue(), mode=0o600)


def _xlsx_cell(value: Any) -> Any:
    """Return a value openpyxl can store (lists joined, mappings as JSON), never a formula."""
    if isinstance(value, list | tuple | set | dict):
        return inert(_cell(value))
    return inert(value) if isinstance(value, str) else value


_NUMBER = re.compile(r"^-\d+(\.\d+)?$")


def inert(text: str) -> str:
    """Return text a spreadsheet will not run as a formula (imported names can be hostile).

    Text starting with = + @ tab or CR, or with - unless it is a plain negative number or a
    lone dash, gets a leading apostrophe (OWASP's advice for CSV and spreadsheet injection).
    """
    risky = text[:1] in ("=", "+", "@", "\t", "\r") or (
        text.startswith("-") and len(text) > 1 and not _NUMBER.match(text)
    )
    return "'" + text if risky else text
