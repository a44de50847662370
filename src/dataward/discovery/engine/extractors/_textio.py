"""Detect a text's encoding from its first bytes, and cut long text into line-aligned chunks."""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, Protocol, TextIO

import charset_normalizer

#: Bytes read to guess an encoding.
HEAD_BYTES = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def detect_encoding(head: bytes) -> str | None:
    """Return the Python codec of text starting with ``head``, or None when it looks binary."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if not head:
        return "utf-8"
    utf8 = codecs.getincrementaldecoder("utf-8")()
    try:
        text = utf8.decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8" if not _binaryish(text) else None
    match = charset_normalizer.from_bytes(head).best()
    if match is None or _binaryish(str(match)):
        return None
    name = match.encoding
    if _single_byte(name) and _mostly_latin(str(match)):
        return "cp1252" if _decodes(head, "cp1252") else "latin-1"
    return name


def _binaryish(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS)
    return controls > max(2, len(sample) // 100)


def _single_byte(name: str) -> bool:
    try:
        return len(bytes(range(128, 256)).decode(name, errors="replace")) == 128
    except LookupError:
        return False


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text[:8192] if ord(ch) > 127 and ch.isalpha()]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin * 2 >= len(letters)


def _decodes(head: bytes, name: str) -> bool:
    try:
        head.decode(name)
    except UnicodeDecodeError:
        return False
    return True


@contextmanager
def open_text(stream: BinaryIO) -> Iterator[TextIO | None]:
    """Yield ``stream`` decoded as text with universal newlines, or None when it is binary.

    The stream is read from its start and left open afterwards.
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    encoding = detect_encoding(head)
    if encoding is None:
        yield None
        return
    wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline=None)
    try:
        yield wrapper
    finally:
        wrapper.detach()


class Readable(Protocol):
    """Anything with a text ``read(size)``."""

    def read(self, size: int, /) -> str:
        """Return up to ``size`` characters."""
        ...


def read_chunks(text: Readable, limit: int, first_line: int = 1) -> Iterator[tuple[int, str]]:
    """Yield ``(line, chunk)`` of at most ``limit`` characters, cut after the last newline."""
    line, carry = first_line, ""
    while True:
        block = text.read(max(1, limit - len(carry)))
        chunk = carry + block
        if not block:
            if chunk:
                yield line, chunk
            return
        cut = chunk.rfind("\n") + 1 if len(chunk) >= limit else len(chunk)
        if cut == 0:
            cut = len(chunk)
        piece, carry = chunk[:cut], chunk[cut:]
        yield line, piece
        line += piece.count("\n")


def split_text(text: str, limit: int, first_line: int = 1) -> Iterator[tuple[int, str]]:
    """Yield ``(line, chunk)`` pieces of a string already in memory, as ``read_chunks`` does."""
    yield from read_chunks(io.StringIO(text, newline=None), limit, first_line)
