"""Read JSON and JSON Lines files as one segment per leaf value, located by JSON pointer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from dataward.discovery.engine.extractors._textio import detect_encoding, open_text, read_chunks
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Segment, Skipped

#: Parse whole JSON documents up to this size; larger ones are read as text chunks.
MAX_PARSE_BYTES = 32 * 1024**2


@extractor(kind="json", suffixes=(".json", ".geojson", ".har"))
def extract_json(src: Source) -> Iterator[Part]:
    """Yield a segment per string or number leaf; fall back to lines or text when it won't parse."""
    data = src.stream.read(MAX_PARSE_BYTES + 1)
    if len(data) <= MAX_PARSE_BYTES:
        encoding = detect_encoding(data[:65536])
        if encoding is None:
            yield Skipped(src.where(), "binary")
            return
        try:
            doc = json.loads(data.decode(encoding, errors="replace"))
        except (ValueError, RecursionError):
            pass
        else:
            del data
            yield from leaves(src, doc, None)
            return
    del data
    yield from extract_json_lines(src)


@extractor(kind="jsonl", suffixes=(".jsonl", ".ndjson", ".jsonlines"))
def extract_json_lines(src: Source) -> Iterator[Part]:
    """Yield leaves of each line's document with its line number; bad lines are read as text."""
    with open_text(src.stream) as text:
        if text is None:
            yield Skipped(src.where(), "binary")
            return
        yield from _lines(src, text)


def _lines(src: Source, text: TextIO) -> Iterator[Part]:
    limit = src.limits.chunk_chars
    number = 0
    while line := text.readline(limit):
        number += 1
        if not line.endswith("\n") and len(line) >= limit:
            yield Segment(line, src.where(line=number))
            for _, chunk in read_chunks(_RestOfLine(text, limit), limit, number):
                yield Segment(chunk, src.where(line=number))
            continue
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):
            yield Segment(line, src.where(line=number))
        else:
            yield from leaves(src, doc, number)


class _RestOfLine:
    """Read what is left of an over-long line, stopping after its newline."""

    def __init__(self, text: TextIO, limit: int) -> None:
        self.text, self.limit, self.done = text, limit, False

    def read(self, size: int) -> str:
        """Return up to ``size`` characters of the rest of the line."""
        if self.done:
            return ""
        piece = self.text.readline(min(size, self.limit))
        self.done = not piece or piece.endswith("\n")
        return piece


def leaves(src: Source, doc: object, line: int | None) -> Iterator[Part]:
    """Yield a segment per string or number leaf, with its pointer as column and key as context."""
    stack: list[tuple[str, str, object]] = [("", "", doc)]
    while stack:
        pointer, key, value = stack.pop()
        if isinstance(value, dict):
            items = [(f"{pointer}/{_escape(str(k))}", str(k), v) for k, v in value.items()]
            stack.extend(reversed(items))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{pointer}/{i}", key, v) for i, v in enumerate(value)]))
        elif isinstance(value, str) and value:
            yield Segment(value, src.where(line=line, column=pointer or "/"), key)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield Segment(str(value), src.where(line=line, column=pointer or "/"), key)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
