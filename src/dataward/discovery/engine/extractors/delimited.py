"""Read CSV, TSV and other delimited files as one streamed table, sniffing dialect and header."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence

from dataward.discovery.engine.extractors._textio import open_text
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Skipped, Table

#: Characters of text used to sniff the dialect and the header.
SAMPLE_CHARS = 32 * 1024
#: Characters given to csv.Sniffer (its regular expressions take quadratic time on some text).
SNIFF_CHARS = 8 * 1024
DELIMITERS = ",;\t|"
_LABEL = re.compile(r"^[A-Za-z_][\w .#/()%-]{0,63}$")
_DATA_HINT = re.compile(r"[\d@]")


@extractor(kind="csv", suffixes=(".csv", ".tsv", ".tab", ".psv"))
def extract_delimited(src: Source) -> Iterator[Part]:
    """Yield one table whose rows stream from the file; the header is sniffed or col1..colN."""
    csv.field_size_limit(max(csv.field_size_limit(), src.limits.chunk_chars))
    with open_text(src.stream) as text:
        if text is None:
            yield Skipped(src.where(), "binary")
            return
        limit = src.limits.chunk_chars
        sample = text.read(SAMPLE_CHARS)
        sample += text.readline(limit) if len(sample) == SAMPLE_CHARS else ""
        if not sample.strip():
            return
        dialect = _dialect(sample, src.suffix())
        # A line longer than the limit is read in pieces (each parsed as a row), never whole.
        rest = iter(lambda: text.readline(limit), "")
        lines = itertools.chain(io.StringIO(sample, newline=""), rest)
        reader = csv.reader(lines, dialect)
        head = _sample_rows(sample, dialect)
        if _has_header(sample, head):
            header = [cell.strip() or f"col{i + 1}" for i, cell in enumerate(next(reader))]
        else:
            width = max((len(row) for row in head), default=1)
            header = [f"col{i + 1}" for i in range(width)]
        yield Table(header, (row for row in reader if row), src.where())


def _dialect(sample: str, suffix: str) -> type[csv.Dialect]:
    """Pick the delimiter that splits the sample's rows into the most consistent widths."""
    cut = sample[: sample.rfind("\n") + 1] or sample
    best, best_score = "\t" if suffix in (".tsv", ".tab") else ",", (0.0, 0)
    for delimiter in DELIMITERS:
        dialect = type("Sniffed", (csv.excel,), {"delimiter": delimiter})
        widths = [len(row) for row in _sample_rows(cut, dialect) if row]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) / len(widths), common)
        if common > 1 and score > best_score:
            best, best_score = delimiter, score
    return type("Sniffed", (csv.excel,), {"delimiter": best})


def _sample_rows(sample: str, dialect: type[csv.Dialect]) -> list[list[str]]:
    cut = sample[: sample.rfind("\n") + 1] or sample
    try:
        return [row for row in itertools.islice(csv.reader(io.StringIO(cut), dialect), 50) if row]
    except csv.Error:
        return []


def _has_header(sample: str, rows: Sequence[Sequence[str]]) -> bool:
    if len(rows) < 2:
        return bool(rows) and all(_LABEL.match(c.strip()) for c in rows[0])
    first = [c.strip() for c in rows[0]]
    if not all(first) or len(set(first)) != len(first):
        return False
    if not all(_LABEL.match(c) for c in first):
        return False
    head = sample[:SNIFF_CHARS]  # the Sniffer's regexes are slow on long text: keep it short
    try:
        if csv.Sniffer().has_header(head[: head.rfind("\n") + 1]):
            return True
    except csv.Error:
        pass
    for i, label in enumerate(first):
        cells = [row[i] for row in rows[1:] if i < len(row) and row[i]]
        if cells and not _DATA_HINT.search(label) and any(_DATA_HINT.search(c) for c in cells):
            return True
    return False
