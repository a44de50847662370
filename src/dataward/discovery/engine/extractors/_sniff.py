"""Tell a file's format from its first bytes when its name does not say."""

from __future__ import annotations

import re
import zipfile
from typing import BinaryIO

from dataward.discovery.engine.extractors._textio import detect_encoding

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,60}:[ \t]", re.MULTILINE)
_MAIL_HEADERS = re.compile(
    rb"^(from|to|cc|subject|date|received|mime-version|message-id|return-path):", re.I | re.M
)


def sniff(head: bytes, stream: BinaryIO) -> str | None:
    """Return the kind of extractor for content starting with ``head`` (None for binary)."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(stream)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return "msg"
    if head.startswith(b"PAR1"):
        return "parquet"
    if _HEADER_LINE.match(head) and len(set(_MAIL_HEADERS.findall(head.lower()))) >= 2:
        return "eml"
    if detect_encoding(head) is None:
        return None
    return "json" if head.lstrip()[:1] in (b"{", b"[") else "text"


def _zip_kind(stream: BinaryIO) -> str:
    try:
        with zipfile.ZipFile(stream) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    finally:
        stream.seek(0)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


ENCRYPTED_OFFICE = "password-protected (encrypted) office document"


def ole_reason(stream: BinaryIO) -> str:
    """Return why an OLE file named as an XLSX or DOCX is not read (seeks back to 0)."""
    import olefile

    try:
        ole = olefile.OleFileIO(stream)
        try:
            encrypted = ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo")
        finally:
            ole.close()
    except Exception:  # noqa: BLE001 - a broken container is only "not readable"
        encrypted = False
    finally:
        stream.seek(0)
    if encrypted:
        return ENCRYPTED_OFFICE
    return "legacy office file (ole), not read"
