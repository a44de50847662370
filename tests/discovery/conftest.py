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
        "nhs": ids.uk_nhs(rng),
        "pan": ids.in_pan(rng, "Quintero"),
        "tin": ids.ph_tin(rng),
        "sss": ids.ph_sss(rng),
        "phone": "+44 20 7946 0321",
        "password": ids.password(rng),
    }


def write_planted(root: Path) -> Planted:
    """Write one real file of every format the scanner reads, each holding known values."""
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
    _write_more(root, v)
    return Planted(root, v)


def _write_more(root: Path, v: dict[str, str]) -> None:
    """Write the log, TSV, JSON Lines, PDF, EML, MSG and Parquet files."""
    from email.message import EmailMessage

    import pyarrow as pa
    import pyarrow.parquet as pq
    from fpdf import FPDF

    from dataward.demo.engine.msgfile import write_msg

    (root / "ivr.log").write_text(
        "2026-11-20T08:01:02Z INFO call started queue=billing\n"
        f"2026-11-20T08:01:09Z INFO callback requested phone {v['phone']}\n"
    )
    (root / "patients.tsv").write_text(f"ref\tnhs_number\nP-1\t{v['nhs']}\n")
    (root / "events.jsonl").write_text(
        json.dumps({"event": "kyc", "pan": v["pan"]}) + "\n" + json.dumps({"event": "noop"}) + "\n"
    )
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.cell(text=f"Tax identification number (TIN): {v['tin']}")
    pdf.output(str(root / "statement.pdf"))
    mail = EmailMessage()
    mail["From"] = "Payroll Desk <payroll@example.com>"
    mail["To"] = "ops@example.com"
    mail["Subject"] = "Contribution file"
    mail.set_content("Attached is the member list for November.\n")
    mail.add_attachment(
        f"member,sss_number\nM-9,{v['sss']}\n".encode(),
        maintype="text", subtype="csv", filename="members.csv",
    )  # fmt: skip
    (root / "contribution.eml").write_bytes(bytes(mail))
    write_msg(
        root / "handover.msg", subject="Service account handover", sender="ops@example.com",
        to=["it@example.com"], body="See the attached config.\n",
        attachments=[("app.env", f"DB_PASSWORD={v['password']}\n".encode())],
    )  # fmt: skip
    table = pa.table({"employee": ["E-1", "E-2"], "iban": [v["iban"], None]})
    pq.write_table(table, root / "payroll.parquet")


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
