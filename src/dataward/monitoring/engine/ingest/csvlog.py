"""Read CSV logs: a header row, then one event per row (quoted fields may span lines)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, BinaryIO

from dataward.monitoring.engine.ingest.mapping import Mapping
from dataward.monitoring.engine.ingest.normalise import Normaliser
from dataward.monitoring.engine.ingest.records import (
    MAX_LINE,
    TOO_LONG,
    Malformed,
    Record,
    iter_lines,
    seek_to,
)

DELIMITERS = (",", ";", "\t")


class _TooLongError(Exception):
    """A physical line or a whole record passed 1 MiB."""


class _Lines:
    """Feed decoded lines to csv.reader while remembering where the reader has got to."""

    def __init__(self, lines: Iterator[tuple[int, int, bytes]], line: int, end: int) -> None:
        self.lines = lines
        self.line = line
        self.end = end
        self.size = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.line, self.end, raw = next(self.lines)
        if not raw:
            raise _TooLongError(TOO_LONG)
        self.size += len(raw)
        if self.size > MAX_LINE:
            raise _TooLongError("record longer than 1 MiB (is a quote left open?)")
        return raw.decode("utf-8", "replace")


def _header(stream: BinaryIO) -> tuple[list[str], str, int, int] | Malformed | None:
    """Read the header from offset 0: names, delimiter, end offset and line number."""
    for line, end, raw in iter_lines(stream, 0, 0):
        if not raw:
            return Malformed(line, end, "header " + TOO_LONG)
        text = raw.decode("utf-8", "replace")
        if not text.strip():
            continue
        delimiter = max(DELIMITERS, key=text.count)
        try:
            names = next(csv.reader([text], delimiter=delimiter, strict=True), [])
        except csv.Error as exc:
            return Malformed(line, end, "header " + _csv_reason(exc))
        return [n.strip() for n in names], delimiter, end, line
    return None


def _targets(names: list[str], mapping: Mapping) -> list[str]:
    """Return the ECS name for each column ("" to drop it)."""
    lower = {k.lower(): v for k, v in mapping.fields.items()}
    keep = mapping.timestamp_field
    out = []
    for n, name in enumerate(names, 1):
        target = mapping.fields.get(name) or lower.get(name.lower())
        if target is None and (name.startswith("@") or "." in name or name == keep):
            target = name
        if target is None and mapping.keep_unmapped:
            label = name.lower().replace(" ", "_") or f"column_{n}"
            target = f"labels.{label}"
        out.append(target or "")
    return out


def _csv_reason(exc: csv.Error) -> str:
    """Name a CSV syntax error by its kind, never quoting the row."""
    text = str(exc)
    if "end of data" in text:
        return "not valid CSV (a quoted field is not closed)"
    if "field limit" in text:
        return "not valid CSV (a field is longer than the CSV field limit)"
    if "new-line" in text:
        return "not valid CSV (a carriage return inside an unquoted field)"
    if "expected after" in text:
        return "not valid CSV (text after a closing quote)"
    return "not valid CSV (bad quoting)"


def read_csv(
    stream: BinaryIO, norm: Normaliser, mapping: Mapping, start: int, start_line: int
) -> Iterator[Record]:
    """Yield one Parsed or Malformed per data row; the header is always read from offset 0."""
    seekable = _seekable(stream)
    if start > 0 and seekable:
        stream.seek(0)
    found = _header(stream)
    if found is None:
        return
    if isinstance(found, Malformed):
        yield found
        return
    names, delimiter, header_end, header_line = found
    if start > header_end:
        if seekable:
            stream.seek(start)
        else:
            seek_to(stream, start - header_end)  # a pipe: read past the rows already done
    else:
        start, start_line = header_end, header_line
    yield from _rows(stream, norm, mapping, names, delimiter, start, start_line)


def _seekable(stream: BinaryIO) -> bool:
    """Return whether the stream can seek (files can, pipes cannot)."""
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError):
        return False


def _rows(
    stream: BinaryIO,
    norm: Normaliser,
    mapping: Mapping,
    names: list[str],
    delimiter: str,
    start: int,
    start_line: int,
) -> Iterator[Record]:
    """Yield the data rows after the header."""
    targets = _targets(names, mapping)
    width = len(names)
    src = _Lines(iter_lines(stream, start, start_line), start_line, start)
    reader = csv.reader(src, delimiter=delimiter, strict=True)
    while True:
        first = src.line + 1
        src.size = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except (_TooLongError, csv.Error) as exc:
            reason = str(exc) if isinstance(exc, _TooLongError) else _csv_reason(exc)
            yield Malformed(first, src.end, reason, src.line - first + 1)
            continue
        lines = src.line - first + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width:
            reason = f"row has {len(row)} columns, the header has {width}"
            yield Malformed(first, src.end, reason, lines)
            continue
        out: dict[str, Any] = {}
        for target, value in zip(targets, row, strict=True):
            if target and value and (value := value.strip()):
                out[target] = value
        yield norm.finish(out, first, src.end, lines)
