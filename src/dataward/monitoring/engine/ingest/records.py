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


class Complete:
    """A binary file seen only up to its last newline: a log still being written.

    A line the writer has not finished (no newline yet) looks like a whole, shorter record; read
    through this view, it is left for the next ingestion, which resumes before it.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.limit = last_newline(stream)

    def seekable(self) -> bool:
        """Return True: the view is over a regular file."""
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        """Seek within the file (the limit applies to reads)."""
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        """Return the file position."""
        return self.stream.tell()

    def read(self, size: int = -1) -> bytes:
        """Read at most up to the last newline."""
        left = self.limit - self.stream.tell()
        if left <= 0:
            return b""
        return self.stream.read(left if size < 0 else min(size, left))

    def readline(self, size: int = -1) -> bytes:
        """Read one line, never past the last newline."""
        left = self.limit - self.stream.tell()
        if left <= 0:
            return b""
        return self.stream.readline(left if size < 0 else min(size, left))


def last_newline(stream: BinaryIO) -> int:
    """Return the offset just after the file's last newline (0 when it has none)."""
    end = stream.seek(0, 2)
    pos = end
    while pos > 0:
        step = min(CHUNK, pos)
        stream.seek(pos - step)
        chunk = stream.read(step)
        found = chunk.rfind(b"\n")
        if found >= 0:
            stream.seek(0)
            return pos - step + found + 1
        pos -= step
    stream.seek(0)
    return 0
