"""Read PDF documents page by page; encrypted or broken ones are skipped with a reason."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from dataward.discovery.engine.extractors._textio import split_text
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Segment, Skipped

logging.getLogger("pypdf").setLevel(logging.ERROR)


@extractor(suffixes=(".pdf",), random_access=True)
def extract_pdf(src: Source) -> Iterator[Part]:
    """Yield each page's text (``page`` 1-based, ``line`` within the page)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(src.stream, strict=False)
        if reader.is_encrypted and not _unlocked(reader):
            yield Skipped(src.where(), "encrypted pdf")
            return
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        yield Skipped(src.where(), "corrupt pdf (unreadable structure)")
        return
    for number in range(1, pages + 1):
        try:
            text = reader.pages[number - 1].extract_text()
        except Exception:  # noqa: BLE001 - one bad page does not stop the others
            yield Skipped(src.where(page=number), "corrupt pdf page")
            continue
        for line, chunk in split_text(text or "", src.limits.chunk_chars):
            if chunk.strip():
                yield Segment(chunk, src.where(page=number, line=line))


def _unlocked(reader: object) -> bool:
    try:
        return bool(reader.decrypt(""))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - unsupported ciphers count as locked
        return False
