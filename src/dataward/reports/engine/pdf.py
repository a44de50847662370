"""Render a client report as a PDF an auditor can file (fpdf2, core fonts, A4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from dataward.reports.engine.html import METHOD
from dataward.reports.engine.report_data import ReportData


def _latin(text: object) -> str:
    """Return text the core fonts can print (other characters become '?')."""
    return (
        str(text if text is not None else "")
        .replace("·", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _table(
    pdf: FPDF, rows: Sequence[dict[str, Any]], columns: Sequence[str], widths: Sequence[int]
) -> None:
    """Print rows as a table with a repeated header."""
    pdf.set_font("helvetica", size=7.5)
    head = FontFace(emphasis="BOLD", fill_color=(235, 238, 242))
    with pdf.table(
        col_widths=tuple(widths),
        headings_style=head,
        line_height=4.2,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        header = table.row()
        for c in columns:
            header.cell(c.replace("_", " "))
        for r in rows:
            line = table.row()
            for c in columns:
                line.cell(_latin(r.get(c)))


class _Report(FPDF):
    """A4 pages with a footer naming the client and the page."""

    client = ""

    def footer(self) -> None:
        """Print the footer line."""
        self.set_y(-10)
        self.set_font("helvetica", size=7)
        self.cell(
            0,
            5,
            _latin(f"{self.client} - dataward baseline report - page {self.page_no()}"),
            align="R",
        )


def render(data: ReportData) -> bytes:
    """Return the report as PDF bytes."""
    pdf = _Report(orientation="portrait", unit="mm", format="A4")
    pdf.client = data.client_name
    pdf.set_title(_latin(f"{data.client_name} data-security baseline"))
    pdf.set_author("dataward")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=16)
    _cell(pdf, 8, _latin(f"{data.client_name}: data-security baseline"))
    pdf.set_font("helvetica", size=9)
    when = data.snapshot.started_at.strftime("%Y-%m-%d %H:%M UTC") if data.snapshot else "never"
    ident = data.snapshot.assessment_id if data.snapshot else "-"
    cats, fws = ", ".join(data.categories) or "-", ", ".join(data.frameworks) or "-"
    lines = [
        f"Client {data.client_slug} - {data.industry or '-'} - data {cats} - frameworks {fws}",
        f"Assessment {ident} of {when} - catalog {data.catalog}",
        f"Generated {data.generated.strftime('%Y-%m-%d %H:%M UTC')}",
    ]
    for line in lines:
        _cell(pdf, 5, _latin(line))
    counts = data.status_counts()
    overall = "n/a" if data.overall is None else f"{data.overall:.1f}"
    new, fixed = data.changes.get("newly_failing", 0), data.changes.get("fixed", 0)
    headline = (
        f"Posture {overall} / 100 - {len(data.checklist)} controls in scope - "
        f"{counts.get('fail', 0)} failing results - {counts.get('excepted', 0)} excepted - "
        f"{new} newly failing, {fixed} fixed"
    )
    pdf.ln(2)
    pdf.set_font("helvetica", style="B", size=11)
    _cell(pdf, 6, _latin(headline))
    _section(pdf, "Posture by area")
    areas = [
        {"area": title, "score": "n/a" if s is None else f"{s:.1f}"} for _, title, s in data.areas
    ]
    _table(pdf, areas, ["area", "score"], (140, 40))
    _section(pdf, "Controls in scope")
    _table(
        pdf, data.checklist, ["control", "title", "status", "owner", "due"], (16, 84, 46, 20, 16)
    )
    _section(pdf, "Risk register")
    if data.risks:
        _table(
            pdf, list(data.risks), ["ref", "rating", "status", "owner", "due", "title"],
            (20, 18, 26, 26, 20, 72),
        )  # fmt: skip
    else:
        _cell(pdf, 5, "No open risks.")
    _section(pdf, "Failing checks")
    failures = data.failures()
    if failures:
        _table(pdf, failures, ["severity", "check", "subject", "summary"], (16, 44, 50, 72))
    else:
        _cell(pdf, 5, "None.")
    _section(pdf, "Method")
    pdf.set_font("helvetica", size=8)
    _cell(pdf, 4.5, _latin(METHOD))
    return bytes(pdf.output())


def _cell(pdf: FPDF, height: float, text: str) -> None:
    """Print a paragraph across the page and move to the next line at the left margin."""
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, title: str) -> None:
    """Start a titled section."""
    pdf.ln(4)
    pdf.set_font("helvetica", style="B", size=12)
    _cell(pdf, 7, title)
