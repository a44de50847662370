"""Read Excel workbooks sheet by sheet as streamed tables, with cached formula values."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dataward.discovery.engine.extractors._cells import cell_text
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.extractors.zip import package_refusal
from dataward.discovery.engine.types import Skipped, Table


@extractor(suffixes=(".xlsx", ".xlsm"), random_access=True)
def extract_xlsx(src: Source) -> Iterator[Part]:
    """Yield one table per sheet; its header is the sheet's first non-empty row."""
    import warnings

    from openpyxl import load_workbook

    if reason := package_refusal(src):
        yield Skipped(src.where(), reason)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(src.stream, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            rows = _rows(sheet)
            header = next(rows, None)
            if header is None:
                continue
            names = [cell or f"col{i + 1}" for i, cell in enumerate(header)]
            yield Table(names, rows, src.where(sheet=str(sheet.title)))
    finally:
        book.close()


def _rows(sheet: Any) -> Iterator[Sequence[str]]:
    started = False
    for values in sheet.iter_rows(values_only=True):
        row = [cell_text(v) for v in values]
        while row and not row[-1]:
            row.pop()
        if started or any(row):
            started = True
            yield row
