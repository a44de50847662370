"""Craft hostile files for real: bombs, traps, locked documents, lying names and broken text.

Every file is written by the library or format that real tools use (zipfile, openpyxl, fpdf2 and
pypdf, the demo's OLE writer), or byte by byte where no library writes such a thing (a ZIP
encrypted with the traditional PKWARE cipher, which Python can read but not write).
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dataward.cli import main

SSN = "536-22-8754"
EMAIL = "marisol.quintero@example.org"
GOOD_CSV = f"case_id,contact_email,ssn\nC-1,{EMAIL},{SSN}\n"
MIB = 1024**2


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Return a ZIP holding ``members``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def ratio_bomb(size: int = 8 * MIB) -> bytes:
    """Return a ZIP whose one member inflates ~1000 times (zeros)."""
    return zip_bytes({"zeros.txt": bytes(size)})


def nested_zip(levels: int) -> bytes:
    """Return ZIPs nested ``levels`` deep, a CSV with values at the bottom."""
    data = zip_bytes({"bottom.csv": GOOD_CSV.encode()})
    for level in range(levels - 1, 0, -1):
        data = zip_bytes({f"level{level}.zip": data})
    return data


def many_members(count: int) -> bytes:
    """Return a ZIP of ``count`` empty members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"m{n:05d}.txt", b"")
    return buf.getvalue()


def zip_slip() -> bytes:
    """Return a ZIP whose member names climb out of any folder it would be unpacked in."""
    names = ["../../evil.txt", "/etc/cron.d/evil", "..\\..\\evil.bat", "a/../../evil.txt"]
    members = {name: f"ssn {SSN}\n".encode() for name in names}
    members["ok.txt"] = f"contact {EMAIL}\n".encode()
    return zip_bytes(members)


def zip_links() -> bytes:
    """Return a ZIP holding a symbolic link to /etc/passwd and a character device member."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, mode, data in (
            ("passwd", stat.S_IFLNK | 0o777, b"/etc/passwd"),
            ("zero", stat.S_IFCHR | 0o666, b""),
        ):
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix: the mode sits in the top 16 bits
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return buf.getvalue()


class _ZipCrypto:
    """The traditional PKWARE stream cipher (APPNOTE 6.1), encrypting side."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    @staticmethod
    def _crc(value: int, byte: int) -> int:
        return zlib.crc32(bytes([byte]), value ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def encrypted_zip(name: str, data: bytes, password: bytes) -> bytes:
    """Return a one-member ZIP encrypted with a password (stored, PKWARE cipher)."""
    crc = zlib.crc32(data)
    body = _ZipCrypto(password).encrypt(bytes(range(11)) + bytes([crc >> 24]) + data)
    raw = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 1, 0, 0, 0x21, crc, len(body), len(data), len(raw), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 1, 0, 0, 0x21, crc, len(body), len(data),
        len(raw), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    start = len(local) + len(raw) + len(body)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(raw), start, 0)
    return local + raw + body + central + raw + end


def encrypted_office() -> bytes:
    """Return an Office file as Word and Excel write it with a password: OLE, encrypted package."""
    from dataward.demo.engine.msgfile import Node, compound_file

    descriptor = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
        b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        b'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    info = struct.pack("<HHI", 4, 4, 0x40) + descriptor
    package = struct.pack("<Q", 9000) + bytes((i * 37) & 0xFF for i in range(9008))
    root = Node(
        "Root Entry", children=[Node("EncryptionInfo", info), Node("EncryptedPackage", package)]
    )
    return compound_file(root)


def pdf_bytes(text: str, password: str = "") -> bytes:
    """Return a one-page PDF showing ``text``, encrypted (AES-256) when a password is given."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, text)
    data = bytes(pdf.output())
    if not password:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "!", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xlsx_bytes(rows: int = 200) -> bytes:
    """Return a workbook with a header and ``rows`` data rows, as openpyxl writes it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["employee_id", "name", "status", "job_role", "email"])
    for n in range(rows):
        sheet.append([f"E{n}", f"Person {n}", "active", "agent", f"p{n}@example.org"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xlsx_broken_mid_rows() -> bytes:
    """Return a workbook whose first sheet's XML stops half-way (a ParseError after some rows)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            dst.writestr(info.filename, body)
    return out.getvalue()


def docx_bomb(size: int = 8 * MIB) -> bytes:
    """Return a DOCX whose document part inflates ~1000 times (a zip bomb dressed as Word)."""
    body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    return zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": body + b" " * size + b"</w:document>",
        }
    )


def utf16_odd(text: str) -> bytes:
    """Return UTF-16 text with its byte-order mark and one stray byte at the end (odd length)."""
    return text.encode("utf-16") + b"\x00"


def deep_json(depth: int, leaf: str) -> bytes:
    """Return a JSON array nested ``depth`` deep around one string."""
    return b"[" * depth + json.dumps(leaf).encode() + b"]" * depth


def long_line(size: int, tail: str) -> bytes:
    """Return one line of ``size`` bytes (words, no newline) ending with ``tail``."""
    return b"xy " * (size // 3) + tail.encode()


@dataclass
class HostileScan:
    """A share of hostile files next to good ones, and what `dataward scan` made of it."""

    share: Path
    outside: Path
    code: int
    doc: dict[str, Any]

    def skips(self, name: str) -> list[tuple[str, str]]:
        """Return (member, reason) of every skip recorded for the file ``name``."""
        return [
            (s["member"], s["reason"])
            for s in self.doc["skipped"]
            if s["location"].endswith(f"/{name}")
        ]

    def found(self, name: str, member: str = "") -> set[str]:
        """Return the entity types found in the file ``name`` (and member)."""
        return {
            f["entity_type"]
            for f in self.doc["findings"]
            if f["location"].endswith(f"/{name}") and f["member"] == member
        }


def scanned_files() -> dict[str, bytes]:
    """Return the files the hostile scan reads, by name (bombs are built when asked for)."""
    return {
        "good.csv": GOOD_CSV.encode(),
        "bomb_ratio.zip": ratio_bomb(),
        "nested.zip": nested_zip(7),
        "many.zip": many_members(10_050),
        "slip.zip": zip_slip(),
        "links.zip": zip_links(),
        "locked.zip": encrypted_zip("secret.csv", GOOD_CSV.encode(), b"s3cret"),
        "locked.xlsx": encrypted_office(),
        "locked.docx": encrypted_office(),
        "locked.pdf": pdf_bytes(f"SSN {SSN}", password="s3cret"),
        "bomb.docx": docx_bomb(),
        "broken.xlsx": xlsx_broken_mid_rows(),
        "report.csv": pdf_bytes(f"SSN {SSN}"),
        "bad_bom.csv": utf16_odd(f"name,email\nAnn,{EMAIL}\n"),
        "latin.txt": b"caf\xe9 \xff\xfe\x80 contact " + EMAIL.encode() + b"\n",
        "nul.csv": b"a,b\n1,\x00\x00\x00\n" * 50,
        "deep.json": deep_json(100_000, EMAIL),
    }


def write_share(share: Path, outside: Path) -> None:
    """Write the hostile files, and plant links, a fifo and a device in the share."""
    share.mkdir(parents=True)
    for name, data in scanned_files().items():
        (share / name).write_bytes(data)
    with (share / "long_line.log").open("wb") as fh:
        fh.write(long_line(50 * MIB, f" {EMAIL}"))
    outside.write_text(f"ssn {SSN}\n")
    (share / "outside_link.txt").symlink_to(outside)
    (share / "zero_link").symlink_to("/dev/zero")
    (share / "loop_link").symlink_to(share / "loop_link")
    import os

    os.mkfifo(share / "queue.fifo")
    try:
        os.mknod(share / "null.dev", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        (share / "null.dev").symlink_to("/dev/null")  # unprivileged: the same trap by a link


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[HostileScan]:
    """Scan the hostile share once per module with `dataward scan` and return its JSON."""
    from dataward.core.workspace import init_workspace

    root = tmp_path_factory.mktemp("hostile")
    share, outside = root / "share", root / "outside.txt"
    write_share(share, outside)
    ws = root / "ws"
    ws.mkdir()
    shutil.copy(sqlite_template, ws / "dataward.sqlite3")
    init_workspace(ws, env={}, database_url="")
    assert main(["clients", "add", "acme", "--name", "Acme", "-w", str(ws)]) == 0
    out = root / "scan.json"
    code = main(
        ["scan", str(share), "--client", "acme", "-j", "1", "-f", "json", "-o", str(out),
         "-w", str(ws)]
    )  # fmt: skip
    doc = json.loads(out.read_text()) if out.exists() else {}
    yield HostileScan(share, outside, code, doc)
    shutil.rmtree(root, ignore_errors=True)
