"""Read plain-text and log files as line-aligned chunks, whatever their encoding."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.discovery.engine.extractors._textio import open_text, read_chunks
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Segment, Skipped

TEXT_SUFFIXES = (
    ".txt", ".log", ".text", ".md", ".rst", ".ini", ".cfg", ".conf", ".properties", ".env",
    ".xml", ".html", ".htm", ".yaml", ".yml", ".sql", ".out", ".err", ".trace", ".vcf", ".ldif",
)  # fmt: skip


@extractor(kind="text", suffixes=TEXT_SUFFIXES)
def extract_text(src: Source) -> Iterator[Part]:
    """Yield chunks of about ``limits.chunk_chars`` characters, each with its first line."""
    with open_text(src.stream) as text:
        if text is None:
            yield Skipped(src.where(), "binary")
            return
        for line, chunk in read_chunks(text, src.limits.chunk_chars):
            yield Segment(chunk, src.where(line=line))
