"""Render a client report as an XLSX workbook for managers (one sheet per view)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from dataward.output import inert
from dataward.reports.engine.report_data import RISK_COLUMNS, ReportData


def _sheet(
    book: Workbook, title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]
) -> None:
    """Add one sheet with a bold header and widened columns."""
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_value(row.get(c)) for c in columns])
    for i, c in enumerate(columns, start=1):
        width = max([len(str(c))] + [len(str(r.get(c) or "")) for r in rows[:200]])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"


def _value(value: Any) -> Any:
    """Return a value a spreadsheet cell holds (aware times as text)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return inert(value)  # an imported name must never become a live formula
    return value


def render(data: ReportData) -> bytes:
    """Return the workbook's bytes."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    snap = data.snapshot
    summary: list[dict[str, Any]] = [
        {"item": "client", "value": f"{data.client_name} ({data.client_slug})"},
        {"item": "assessment", "value": snap.assessment_id if snap else "never assessed"},
        {"item": "assessed at", "value": snap.started_at if snap else None},
        {"item": "posture (0-100)", "value": data.overall},
        {"item": "controls in scope", "value": len(data.checklist)},
        {"item": "newly failing", "value": data.changes.get("newly_failing", 0)},
        {"item": "fixed", "value": data.changes.get("fixed", 0)},
        {"item": "catalog", "value": data.catalog},
        {"item": "generated", "value": data.generated},
    ]
    _sheet(book, "Summary", summary, ["item", "value"])
    areas = [{"area": title, "score": score} for _, title, score in data.areas]
    _sheet(book, "Areas", areas, ["area", "score"])
    _sheet(
        book,
        "Checklist",
        list(data.checklist),
        [
            "control",
            "area",
            "title",
            "status",
            "failing_checks",
            "owner",
            "due",
            "applies_because",
            "evidence",
            "requirements",
        ],
    )
    _sheet(
        book,
        "Failing checks",
        data.failures(),
        ["severity", "check", "subject", "summary", "controls"],
    )
    _sheet(book, "Risks", list(data.risks), list(RISK_COLUMNS))
    _sheet(
        book,
        "Trend",
        [{"assessment": a, "overall": v} for a, v in data.trend],
        ["assessment", "overall"],
    )
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
