"""Stream the elements of a top-level JSON array without reading the whole array."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dataward.monitoring.engine.ingest.records import CHUNK, MAX_LINE

STRUCTURE = re.compile(rb'[{}\[\]",]')
STRING_END = re.compile(rb'["\\]')
CONTENT = re.compile(rb"[^ \t\r\n,]")


@dataclass(frozen=True, slots=True)
class Element:
    """One array element: its raw bytes (None when over 1 MiB) or a problem with the array."""

    line: int
    lines: int
    end: int
    data: bytes | None
    problem: str | None = None


class ArrayReader:
    """Split a JSON array into elements by tracking brackets and strings, chunk by chunk.

    ``inside`` says the stream is already past the opening ``[`` (resuming at an element's end).
    """

    def __init__(self, stream: BinaryIO, start: int, start_line: int, inside: bool) -> None:
        self.stream = stream
        self.buf = b""
        self.base = start  # offset of buf[0] in the file
        self.counted = 0  # newlines are counted in buf[:counted]
        self.line = start_line  # newlines before buf[counted]
        self.inside = inside
        self.eof = False

    def _fill(self, keep: int) -> bool:
        """Drop buf[:keep], append a chunk; return False at end of file."""
        if self.eof:
            return False
        self._count(keep)
        self.buf = self.buf[keep:]
        self.base += keep
        self.counted -= keep
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _count(self, upto: int) -> int:
        """Advance the newline count to buf[upto] and return the 1-based line there."""
        if upto > self.counted:
            self.line += self.buf.count(b"\n", self.counted, upto)
            self.counted = upto
        return self.line + 1

    def __iter__(self) -> Iterator[Element]:
        i = 0
        while not self.inside:
            match = CONTENT.search(self.buf, i)
            if match is None:
                if not self._fill(len(self.buf)):
                    return
                i = 0
                continue
            i = match.end()
            self.inside = True
        yield from self._elements(i)

    def _elements(self, i: int) -> Iterator[Element]:
        """Yield elements from buf[i:] on, until the closing bracket or end of file."""
        while True:
            match = CONTENT.search(self.buf, i)
            if match is None:
                if not self._fill(len(self.buf)):
                    line = self._count(len(self.buf))
                    end = self.base + len(self.buf)
                    yield Element(line, 1, end, None, "the JSON array is not closed (no ])")
                    return
                i = 0
                continue
            start = match.start()
            if self.buf[start : start + 1] == b"]":
                yield from self._after(start + 1)
                return
            element = yield from self._element(start)
            if element is None:
                return
            i = element

    def _element(self, start: int) -> Generator[Element, None, int | None]:
        """Scan one element from buf[start]; yield it and return the index after it."""
        line = self._count(start)
        depth, i, in_string, oversize = 0, start, False, False
        while True:
            pattern = STRING_END if in_string else STRUCTURE
            match = pattern.search(self.buf, i)
            if match is None:
                if not oversize and len(self.buf) - start > MAX_LINE:
                    oversize = True
                keep = len(self.buf) if oversize else start
                i -= keep
                start -= keep
                if not self._fill(keep):
                    self._count(len(self.buf))
                    end = self.base + len(self.buf)
                    problem = "the JSON array ends inside an element (file cut short?)"
                    yield Element(line, self.line - line + 2, end, None, problem)
                    return None
                continue
            char = self.buf[match.start()]
            i = match.end()
            if in_string:
                if char == 0x5C:  # backslash: skip the escaped byte
                    i += 1
                else:
                    in_string = False
            elif char == 0x22:
                in_string = True
            elif char in b"{[":
                depth += 1
            elif char in b"]}" and depth > 1:
                depth -= 1
            elif depth == 0 or char in b"]}":
                # a scalar ends before "," or "]"; a stray "}" is kept so the element is not empty
                stop = match.start() if depth == 0 and char != 0x7D else i
                yield self._emit(line, start, stop, oversize)
                return stop

    def _emit(self, line: int, start: int, stop: int, oversize: bool) -> Element:
        """Return the element in buf[start:stop] (bytes dropped when it passed 1 MiB)."""
        data = None if oversize else self.buf[max(start, 0) : stop]
        newlines = self.buf.count(b"\n", max(start, 0), stop)
        lines = self._count(stop) - line + 1 if oversize else newlines + 1
        return Element(line, lines, self.base + stop, data)

    def _after(self, i: int) -> Iterator[Element]:
        """Report text after the closing bracket, if any."""
        while True:
            match = CONTENT.search(self.buf, i)
            if match is not None:
                line = self._count(match.start())
                end = self.base + len(self.buf)
                yield Element(line, 1, end, None, "text after the end of the JSON array")
                return
            if not self._fill(len(self.buf)):
                return
            i = 0
