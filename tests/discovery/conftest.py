"""Fixtures for discovery tests: a client and a small folder of real files with planted values."""

from __future__ import annotations

import io
import json
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Planted:
    """A folder of real files and the raw values planted in them (kept only in the test)."""

    root: Path
    values: dict[str, str]  # name -> raw value


def _values() -> dict[str, str]:
    from dataward.demo.engine import identifiers as ids

    rng = random.Random(2026)
    return {
        "card": ids.group_card(ids.card_number(rng)),
        "card2": ids.card_number(rng),
        "ssn": ids.us_ssn(rng),
        "iban": ids.gb_iban(rng),
        "email": "marisol.quintero@example.org",
        "aadhaar": ids.in_aadhaar(rng),
        "nino": ids.uk_nino(rng),
    }


def write_planted(root: Path) -> Planted:
    """Write text, CSV, JSON, XLSX, DOCX, EML and ZIP files holding known values."""
    from docx import Document
    from openpyxl import Workbook

    v = _values()
    root.mkdir(parents=True, exist_ok=True)
    (root / "notes.txt").write_text(
        "Shift notes for the disputes queue\n"
        f"Caller confirmed the card {v['card']} was lost on Friday.\n"
        f"Member SSN {v['ssn']} verified against the letter.\n"
    )
    (root / "cards.csv").write_text(
        f"case_id,card_number,contact_email\nC-1001,{v['card2']},{v['email']}\nC-1002,,\n"
    )
    (root / "payout.json").write_text(json.dumps({"payee": {"iban": v["iban"]}}))
    book = Workbook()
    sheet = book.active
    sheet.title = "KYC"
    sheet.append(["customer_ref", "national_insurance_no"])
    sheet.append(["K-77", v["nino"]])
    book.save(root / "kyc.xlsx")
    doc = Document()
    doc.add_paragraph(f"Aadhaar number {v['aadhaar']} was provided by the subscriber.")
    doc.save(root / "letter.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner/extract.csv", f"id,email\n1,{v['email']}\n")
    (root / "bundle.zip").write_bytes(buf.getvalue())
    (root / "blob.bin").write_bytes(bytes(range(256)) * 64)
    return Planted(root, v)


@pytest.fixture
def planted(tmp_path: Path) -> Planted:
    """Return a folder of files with planted values."""
    return write_planted(tmp_path / "share")


@pytest.fixture
def client_ws(ws_root: Path, cli):  # type: ignore[no-untyped-def]
    """Return a workspace root holding one client, 'acme', with an approved restricted share."""
    result = cli(
        "clients", "add", "acme", "--name", "Acme Bank", "--category", "PII",
        "--category", "PCI", "--approved-location", "share/restricted",
        "--retention", "PII=365", "--retention", "PCI=90", "-w", str(ws_root),
    )  # fmt: skip
    assert result.code == 0, result
    return ws_root
