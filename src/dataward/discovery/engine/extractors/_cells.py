"""Render spreadsheet and Parquet cell values as the text a person would read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def cell_text(value: object) -> str:
    """Return a cell's text: dates in ISO form, whole floats without ``.0``, empty for None."""
    if value is None or isinstance(value, bytes | bytearray | memoryview):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
