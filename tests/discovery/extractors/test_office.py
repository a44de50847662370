"""XLSX, DOCX and PDF files written by their own libraries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dataward.discovery.engine.types import Where


def test_xlsx_one_table_per_sheet(tmp_path: Path, run_path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    kyc = book.active
    kyc.title = "KYC"
    kyc.append(["customer_ref", "dob", "card", "balance", "ok"])
    kyc.append(["K-77", dt.datetime(1984, 3, 9), 4111111111111111, 12.5, True])
    kyc.append(["K-78", dt.date(1990, 1, 2), None, 3, False])
    notes = book.create_sheet("Notes")
    notes.append([])
    notes.append([None, "free text"])
    notes.append([None, "call ana@example.org"])
    book.create_sheet("Empty")
    path = tmp_path / "kyc.xlsx"
    book.save(path)
    assert run_path(path) == [
        ("table", Where(sheet="KYC"), (
            ["customer_ref", "dob", "card", "balance", "ok"],
            [["K-77", "1984-03-09", "4111111111111111", "12.5", "TRUE"],
             ["K-78", "1990-01-02", "", "3", "FALSE"]],
        )),
        ("table", Where(sheet="Notes"), (["col1", "free text"], [["", "call ana@example.org"]])),
    ]  # fmt: skip


def test_xlsx_formula_values_are_cached_values(tmp_path: Path, run_path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["a", "b"])
    book.active.append([1, "=A2*2"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    # openpyxl writes no cached value, so a data_only reader sees an empty cell, never the formula.
    [(_, _, (_, rows))] = run_path(path)
    assert rows == [["1"]]


def test_docx_paragraphs_and_tables(tmp_path: Path, run_path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Dispute letter")
    doc.add_paragraph("Aadhaar 2345 6789 0123 was given.")
    table = doc.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "name"
    table.rows[0].cells[1].text = "phone"
    table.rows[1].cells[0].text = "Ana Reyes"
    table.rows[1].cells[1].text = "+44 20 7946 0000"
    doc.add_paragraph("Signed.")
    doc.sections[0].footer.paragraphs[0].text = "Footer ref K-77"
    path = tmp_path / "letter.docx"
    doc.save(path)
    assert run_path(path) == [
        ("seg", Where(line=1), ("Dispute letter\nAadhaar 2345 6789 0123 was given.\nSigned.", "")),
        ("table", Where(), (["name", "phone"], [["Ana Reyes", "+44 20 7946 0000"]])),
        ("seg", Where(line=1), ("Footer ref K-77", "footer")),
    ]


def test_docx_paragraphs_are_batched_by_chunk_size(tmp_path: Path, run_path) -> None:
    from docx import Document

    from dataward.discovery.engine.types import Limits

    doc = Document()
    for i in range(1, 101):
        doc.add_paragraph(f"paragraph {i:03d} " + "x" * 30)
    path = tmp_path / "long.docx"
    doc.save(path)
    parts = run_path(path, Limits(chunk_chars=500))
    assert len(parts) > 5
    for _, where, (text, _) in parts:
        assert len(text) <= 500
        assert text.startswith(f"paragraph {where.line:03d} ")


def _pdf(path: Path, pages: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        for line in filter(None, text.split("\n")):
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_pdf_one_segment_per_page(tmp_path: Path, run_path) -> None:
    path = tmp_path / "statement.pdf"
    _pdf(path, ["Statement for Ana Reyes\nSSN 123-45-6789", "", "Page three: bo@example.com"])
    parts = run_path(path)
    assert [(k, w.page, w.line) for k, w, _ in parts] == [("seg", 1, 1), ("seg", 3, 1)]
    assert "SSN 123-45-6789" in parts[0][2][0]
    assert "bo@example.com" in parts[1][2][0]


@pytest.mark.parametrize(("password", "expected"), [("secret", "skip"), ("", "seg")])
def test_encrypted_pdf(tmp_path: Path, run_path, password: str, expected: str) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    _pdf(plain, ["Locked content 4111 1111 1111 1111"])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    parts = run_path(locked)
    assert [p[0] for p in parts] == [expected]
    if expected == "skip":
        assert parts[0][2] == "encrypted pdf"
