"""Read Word documents: paragraphs as batched segments and each table as a table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dataward.discovery.engine.extractors._textio import split_text
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.extractors.zip import package_refusal
from dataward.discovery.engine.types import Segment, Skipped, Table


@extractor(suffixes=(".docx", ".docm"), random_access=True)
def extract_docx(src: Source) -> Iterator[Part]:
    """Yield body paragraphs in batches (``line`` = paragraph number), then tables, then headers."""
    from docx import Document

    if reason := package_refusal(src):
        yield Skipped(src.where(), reason)
        return

    doc = Document(src.stream)
    yield from _batches(src, (p.text for p in doc.paragraphs), "")
    for table in doc.tables:
        yield from _table(src, table)
    for section in doc.sections:
        for part, label in ((section.header, "header"), (section.footer, "footer")):
            if not part.is_linked_to_previous:
                yield from _batches(src, (p.text for p in part.paragraphs), label)


def _batches(src: Source, paragraphs: Iterator[str], context: str) -> Iterator[Part]:
    limit = src.limits.chunk_chars
    batch: list[str] = []
    size, first, number = 0, 1, 0
    for number, text in enumerate(paragraphs, start=1):
        if batch and size + len(text) + 1 > limit:
            yield from _flush(src, batch, first, context)
            batch, size, first = [], 0, number
        batch.append(text)
        size += len(text) + 1
    if batch:
        yield from _flush(src, batch, first, context)


def _flush(src: Source, batch: list[str], first: int, context: str) -> Iterator[Part]:
    text = "\n".join(batch)
    if not text.strip():
        return
    for line, chunk in split_text(text, src.limits.chunk_chars, first):
        yield Segment(chunk, src.where(line=line), context)


def _table(src: Source, table: Any) -> Iterator[Part]:
    rows = ([cell.text for cell in row.cells] for row in table.rows)
    header = next(rows, None)
    if header is None:
        return
    names = [text.strip() or f"col{i + 1}" for i, text in enumerate(header)]
    yield Table(names, rows, src.where())
