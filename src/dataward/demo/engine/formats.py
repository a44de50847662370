"""Render tagged content to deterministic bytes in every format the estate uses."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, TypeAlias

from docx import Document
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from dataward.demo.engine.model import Cell, Hit, Location, S, Text, render, render_cell

Rendered: TypeAlias = tuple[bytes, list[Hit]]
Sheet: TypeAlias = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]
Para: TypeAlias = tuple[str, Text]
AUTHOR = "Meridian Contact Solutions"
PDF_LINE_MM = 6


def csv_doc(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Rendered:
    """Render a table as CSV; hits are located by row (header is row 1) and column."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    hits: list[Hit] = []
    for r, row in enumerate(rows, start=2):
        out = []
        for column, cell in zip(header, row, strict=True):
            text, found = render_cell(cell)
            out.append(text)
            hits += [Hit({"row": r, "column": column}, s) for s in found]
        writer.writerow(out)
    return buf.getvalue().encode("utf-8"), hits


def xlsx_doc(sheets: Sequence[Sheet], when: datetime) -> Rendered:
    """Render sheets into an XLSX workbook with fixed properties and zip timestamps."""
    wb = Workbook()
    wb.remove(wb.active)
    hits: list[Hit] = []
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append(list(header))
        for r, row in enumerate(rows, start=2):
            values: list[Any] = []
            for column, cell in zip(header, row, strict=True):
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    values.append(cell)
                    continue
                text, found = render_cell(cell)
                values.append(text)
                hits += [Hit({"sheet": name, "row": r, "column": column}, s) for s in found]
            ws.append(values)
    wb.properties.creator = AUTHOR
    wb.properties.created = when.replace(tzinfo=None)
    wb.properties.modified = when.replace(tzinfo=None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalize_zip(buf.getvalue(), when), hits


def docx_doc(paragraphs: Sequence[Para], when: datetime, title: str) -> Rendered:
    """Render (style, text) paragraphs into a DOCX; hits are located by paragraph number."""
    doc = Document()
    hits: list[Hit] = []
    for n, (style, content) in enumerate(paragraphs, start=1):
        text, found = render(content)
        doc.add_paragraph(text, style=style)
        hits += [Hit({"paragraph": n}, s) for s in found]
    props = doc.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.title = title
    props.revision = 1
    naive = when.replace(tzinfo=None)
    props.created = naive
    props.modified = naive
    props.last_printed = naive
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue(), when), hits


def pdf_doc(pages: Sequence[Sequence[Text]], when: datetime, title: str) -> Rendered:
    """Render pages of single-line texts into a PDF; hits are located by page and line."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_creation_date(when)
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_creator(AUTHOR)
    pdf.set_producer(AUTHOR)
    hits: list[Hit] = []
    for p, lines in enumerate(pages, start=1):
        pdf.add_page()
        for n, content in enumerate(lines, start=1):
            text, found = render(content)
            pdf.set_font("Helvetica", "B" if n == 1 else "", 13 if n == 1 else 10)
            pdf.cell(0, PDF_LINE_MM, text, new_x="LMARGIN", new_y="NEXT")
            hits += [Hit({"page": p, "line": n}, s) for s in found]
    return bytes(pdf.output()), hits


def eml_doc(
    headers: Sequence[tuple[str, Text]], body: Sequence[Text], when: datetime, msg_id: str
) -> Rendered:
    """Render an email with fixed Date and Message-ID; hits are located by file line."""
    msg = EmailMessage(policy=policy.default)
    values: list[S] = []
    for name, content in headers:
        text, found = render(content)
        msg[name] = text
        values += found
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{msg_id}>"
    lines = []
    for content in body:
        text, found = render(content)
        lines.append(text)
        values += found
    msg.set_content("\n".join(lines) + "\n", cte="7bit")
    data = msg.as_bytes()
    return data, locate_lines(data.decode("ascii").split("\n"), values)


def locate_lines(lines: Sequence[str], values: Sequence[S]) -> list[Hit]:
    """Return one hit per (line, distinct value) wherever the value occurs on a line."""
    hits: list[Hit] = []
    distinct = list(dict.fromkeys(values))
    for n, line in enumerate(lines, start=1):
        hits += [Hit({"line": n}, s) for s in distinct if s.value in line]
    return hits


def lines_doc(lines: Sequence[Text]) -> Rendered:
    """Render text lines (TXT or syslog); hits are located by line number."""
    out: list[str] = []
    hits: list[Hit] = []
    for n, content in enumerate(lines, start=1):
        text, found = render(content)
        out.append(text)
        hits += [Hit({"line": n}, s) for s in found]
    return ("\n".join(out) + "\n").encode("utf-8"), hits


def json_doc(obj: Any) -> Rendered:
    """Render a tagged JSON document; hits are located by JSON pointer."""
    hits: list[Hit] = []
    plain = _resolve(obj, "", hits, None)
    return (json.dumps(plain, indent=2) + "\n").encode("utf-8"), hits


def jsonl_doc(records: Sequence[Any]) -> Rendered:
    """Render tagged records as JSON Lines; hits are located by line number."""
    hits: list[Hit] = []
    out = [
        json.dumps(_resolve(r, "", hits, n), separators=(",", ":"))
        for n, r in enumerate(records, 1)
    ]
    return ("\n".join(out) + "\n").encode("utf-8"), hits


def _resolve(obj: Any, pointer: str, hits: list[Hit], line: int | None) -> Any:
    """Replace tagged leaves by their text, recording a pointer (or line) hit for each."""
    if isinstance(obj, dict):
        return {k: _resolve(v, f"{pointer}/{_escape(k)}", hits, line) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_resolve(v, f"{pointer}/{i}", hits, line) for i, v in enumerate(obj)]
    if isinstance(obj, S | tuple):
        text, found = render(obj)
        where: Location = {"line": line} if line is not None else {"pointer": pointer}
        hits += [Hit(dict(where), s) for s in found]
        return text
    return obj


def _escape(key: str) -> str:
    """Escape a key for a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def zip_doc(members: Sequence[tuple[str, Rendered]], when: datetime) -> Rendered:
    """Pack rendered members into a ZIP; each member's hits name the member."""
    buf = io.BytesIO()
    hits: list[Hit] = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (data, member_hits) in members:
            archive.writestr(_info(name, when), data)
            hits += [Hit(h.location, h.value, member=name) for h in member_hits]
    return buf.getvalue(), hits


def normalize_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a ZIP so every entry has the same timestamp, attributes and order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            dst.writestr(_info(name, when), src.read(name))
    return out.getvalue()


def _info(name: str, when: datetime) -> zipfile.ZipInfo:
    """Return a ZipInfo with a fixed timestamp, Unix attributes and deflate compression."""
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info
