"""Read Outlook .msg files (OLE compound documents): headers, body, recipients, attachments."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from dataward.discovery.engine.extractors._sniff import ENCRYPTED_OFFICE
from dataward.discovery.engine.extractors._textio import split_text
from dataward.discovery.engine.extractors.eml import strip_tags
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Segment, Skipped

#: Message properties read as short fields: (property id, context shown with the text).
FIELDS = (
    (0x0037, "Subject"), (0x0C1A, "Sender name"), (0x0C1F, "Sender address"),
    (0x5D01, "Sender SMTP address"), (0x0042, "Sent representing name"),
    (0x0065, "Sent representing address"), (0x0E04, "To"), (0x0E03, "Cc"), (0x0E02, "Bcc"),
    (0x007D, "Transport headers"),
)  # fmt: skip
RECIPIENT_FIELDS = ((0x3001, "Recipient name"), (0x3003, "Recipient address"), (0x39FE, "To"))
PR_BODY, PR_HTML, PR_CODEPAGE = 0x1000, 0x1013, 0x3FFD
ATTACH_DATA, ATTACH_LONG_NAME, ATTACH_NAME = 0x3701, 0x3707, 0x3704


@extractor(suffixes=(".msg",), random_access=True)
def extract_msg(src: Source) -> Iterator[Part]:
    """Yield fields (context = field name), the body, then each attachment's own parts."""
    import olefile

    ole = olefile.OleFileIO(src.stream)
    try:
        if not ole.exists("__properties_version1.0"):
            encrypted = ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo")
            reason = ENCRYPTED_OFFICE if encrypted else "ole file is not an outlook message"
            yield Skipped(src.where(), reason)
            return
        yield from _message(src, ole, "")
    finally:
        ole.close()


def _message(src: Source, ole: Any, prefix: str) -> Iterator[Part]:
    codepage = _long(ole, prefix, PR_CODEPAGE)
    read = _Reader(ole, prefix, f"cp{codepage}" if codepage else "cp1252")
    seen: set[str] = set()
    for pid, label in FIELDS:
        if (value := read.text(pid)) and value not in seen:
            seen.add(value)
            yield Segment(value, src.where(), label)
    storages = {
        e[len(prefix.split("/")) - 1] for e in ole.listdir(storages=True) if _under(e, prefix)
    }
    for name in sorted(s for s in storages if s.startswith("__recip_version1.0_")):
        inner = _Reader(ole, f"{prefix}{name}/", read.ansi)
        for pid, label in RECIPIENT_FIELDS:
            if (value := inner.text(pid)) and value not in seen:
                seen.add(value)
                yield Segment(value, src.where(), label)
    body = read.text(PR_BODY)
    if not body and (
        html := read.text(PR_HTML) or read.binary(PR_HTML).decode(read.ansi, "replace")
    ):
        body = strip_tags(html)
    for line, chunk in split_text(body, src.limits.chunk_chars):
        if chunk.strip():
            yield Segment(chunk, src.where(line=line), "body")
    for number, name in enumerate(sorted(s for s in storages if s.startswith("__attach_")), 1):
        yield from _attachment(src, ole, f"{prefix}{name}/", read.ansi, number)


def _attachment(src: Source, ole: Any, prefix: str, ansi: str, number: int) -> Iterator[Part]:
    read = _Reader(ole, prefix, ansi)
    filename = (read.text(ATTACH_LONG_NAME) or read.text(ATTACH_NAME) or "").replace("/", "_")
    filename = filename.replace("\\", "_").strip() or f"attachment-{number}"
    embedded = f"{prefix}__substg1.0_{ATTACH_DATA:04X}000D/"
    if ole.exists(embedded + "__properties_version1.0"):
        if reason := src.admit(0):
            yield Skipped(src.where(member=src.child(filename)), reason)
            return
        if src.depth + 1 > src.limits.max_depth:
            yield Skipped(src.where(member=src.child(filename)), "nested deeper than limit")
            return
        inner = replace(src, name=filename, member=src.child(filename), depth=src.depth + 1)
        yield from _message(inner, ole, embedded)
        return
    data = read.binary(ATTACH_DATA)
    if not data:
        return
    if reason := src.admit(len(data)):
        yield Skipped(src.where(member=src.child(filename)), reason)
        return
    yield from src.nested(filename, io.BytesIO(data), len(data))


def _under(entry: list[str], prefix: str) -> bool:
    parts = [p for p in prefix.split("/") if p]
    return len(entry) == len(parts) + 1 and entry[: len(parts)] == parts


def _long(ole: Any, prefix: str, pid: int) -> int:
    path = f"{prefix}__properties_version1.0"
    if not ole.exists(path):
        return 0
    data = ole.openstream(path).read()
    start = 32 if not prefix else (24 if prefix.endswith("000D/") else 8)
    for offset in range(start, len(data) - 15, 16):
        tag, _, value = struct.unpack_from("<III", data, offset)
        if tag == (pid << 16 | 0x0003):
            return int(value)
    return 0


class _Reader:
    """Read one object's property streams, in their unicode or 8-bit form."""

    def __init__(self, ole: Any, prefix: str, ansi: str) -> None:
        self.ole, self.prefix = ole, prefix
        try:
            "".encode(ansi)
            self.ansi = ansi
        except LookupError:
            self.ansi = "cp1252"

    def _stream(self, pid: int, ptype: int) -> bytes | None:
        path = f"{self.prefix}__substg1.0_{pid:04X}{ptype:04X}"
        return bytes(self.ole.openstream(path).read()) if self.ole.exists(path) else None

    def text(self, pid: int) -> str:
        """Return a string property (unicode 001F or 8-bit 001E form), or ``""``."""
        data = self._stream(pid, 0x001F)
        if data is not None:
            return data.decode("utf-16-le", "replace").rstrip("\0")
        data = self._stream(pid, 0x001E)
        return data.decode(self.ansi, "replace").rstrip("\0") if data is not None else ""

    def binary(self, pid: int) -> bytes:
        """Return a binary property (0102), or empty bytes."""
        return self._stream(pid, 0x0102) or b""
