"""Read a binary stream as numbered lines with byte offsets, in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

MAX_LINE = 1 << 20
BOM = b"\xef\xbb\xbf"
TOO_LONG = "line longer than 1 MiB"
CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Parsed:
    """One event read from a log, normalised to flat ECS fields.

    ``line`` is the first physical line of the record, ``lines`` how many physical lines it
    spans (more than one for CSV rows with quoted newlines and objects in JSON arrays), ``end``
    the byte offset just after it. To resume, pass ``start=end, start_line=last_line``.
    """

    line: int
    end: int
    ts: datetime
    fields: dict[str, Any]
    client: str | None
    lines: int = 1

    @property
    def last_line(self) -> int:
        """Return the last physical line of the record (the ``start_line`` to resume after it)."""
        return self.line + self.lines - 1


@dataclass(frozen=True, slots=True)
class Malformed:
    """One record that could not be read; ``reason`` never quotes the input."""

    line: int
    end: int
    reason: str
    lines: int = 1

    @property
    def last_line(self) -> int:
        """Return the last physical line of the record (the ``start_line`` to resume after it)."""
        return self.line + self.lines - 1


Record = Parsed | Malformed


def seek_to(stream: BinaryIO, start: int) -> None:
    """Move a fresh stream to byte offset ``start``, seeking when it can, else reading past."""
    if start <= 0:
        return
    try:
        if stream.seekable():
            stream.seek(start)
            return
    except (AttributeError, OSError):
        pass
    remaining = start
    while remaining > 0:
        chunk = stream.read(min(remaining, CHUNK))
        if not chunk:
            return
        remaining -= len(chunk)


def iter_lines(stream: BinaryIO, start: int, start_line: int) -> Iterator[tuple[int, int, bytes]]:
    """Yield ``(line number, end offset, raw line)``; a line over 1 MiB yields empty ``b""``.

    Raw lines keep their line ending, so a real line is never empty; the BOM of a line at
    offset 0 is dropped. An over-long line is skipped in pieces and never held whole.
    """
    readline = stream.readline
    pos = start
    number = start_line
    raw = readline(MAX_LINE + 1)
    if raw and start == 0 and raw.startswith(BOM):
        pos += 3
        raw = raw[3:]
    while raw:
        number += 1
        pos += len(raw)
        if len(raw) > MAX_LINE and raw[-1:] != b"\n":
            while raw and raw[-1:] != b"\n":
                raw = readline(CHUNK)
                pos += len(raw)
            yield number, pos, b""
        else:
            yield number, pos, raw
        raw = readline(MAX_LINE + 1)


def shape(value: object) -> str:
    """Describe a value by its counts of digits and letters, never by its content."""
    text = str(value)
    digits = sum(ch.isdigit() for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    return f"digits {digits}, letters {letters}"
