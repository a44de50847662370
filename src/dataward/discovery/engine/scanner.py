"""Scan one file or table: extract text, detect, and keep only masks, fingerprints and counts."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dataward.discovery.engine.types import CATEGORY, Limits, Segment, Skipped, Table, Where

#: Keep at most this many detailed findings per location; counts and distinct values stay exact.
MAX_FINDINGS = 5_000
#: Count distinct values exactly up to this many fingerprints per location and entity type.
MAX_DISTINCT = 200_000
HASH_BLOCK = 1 << 20
#: Rows kept so a cell can be masked after detect_cells has read ahead to classify columns.
LOOKAHEAD = 20_000

Fingerprint = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What to look for and how far to go, shared by every file of a scan."""

    entities: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    limits: Limits = field(default_factory=Limits)
    max_findings: int = MAX_FINDINGS


@dataclass(frozen=True, slots=True)
class FoundItem:
    """One detection, stripped of its value: where, what, score, preview and fingerprint."""

    entity_type: str
    where: Where
    start: int
    end: int
    score: float
    preview: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class ColumnStat:
    """Rows of one table column that hold one entity type, out of its non-empty rows."""

    member: str
    column: str
    entity_type: str
    rows_with: int
    rows_total: int


@dataclass(slots=True)
class Tally:
    """Exact counts and distinct fingerprints per entity type, for the inventory."""

    counts: Counter[str] = field(default_factory=Counter)
    distinct: dict[str, set[str]] = field(default_factory=dict)

    def add(self, entity: str, fp: str) -> None:
        """Count one value of an entity type."""
        self.counts[entity] += 1
        seen = self.distinct.setdefault(entity, set())
        if len(seen) < MAX_DISTINCT:
            seen.add(fp)


@dataclass(slots=True)
class LocationResult:
    """Everything a scan keeps about one file or table."""

    items: list[FoundItem] = field(default_factory=list)
    columns: list[ColumnStat] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    chars: int = 0
    truncated: bool = False

    def keep(self, item: FoundItem, limit: int) -> None:
        """Count a finding and keep its details while under the limit."""
        self.tally.add(item.entity_type, item.fingerprint)
        if len(self.items) < limit:
            self.items.append(item)
        else:
            self.truncated = True


def file_sha256(path: Path) -> str:
    """Return a file's SHA-256, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def scan_parts(
    parts: Iterable[Segment | Table | Skipped], fingerprint: Fingerprint, opts: ScanOptions
) -> LocationResult:
    """Detect sensitive values in extracted parts and return what may be kept."""
    result = LocationResult()
    for part in parts:
        if isinstance(part, Skipped):
            result.skipped.append(part)
        elif isinstance(part, Table):
            _scan_table(part, result, fingerprint, opts)
        else:
            _scan_segment(part, result, fingerprint, opts)
    return result


def _found(
    entity: str,
    value: str,
    where: Where,
    start: int,
    end: int,
    score: float,
    fingerprint: Fingerprint,
) -> FoundItem:
    from dataward.discovery import mask, normalize

    return FoundItem(
        entity, where, start, end, round(score, 3), mask(entity, value),
        fingerprint(f"{entity}:{normalize(entity, value)}"),
    )  # fmt: skip


def _scan_segment(
    seg: Segment, result: LocationResult, fingerprint: Fingerprint, opts: ScanOptions
) -> None:
    from dataward.discovery import detect

    text = seg.text
    result.chars += len(text)
    base = seg.where
    line, pos = base.line, 0
    for det in detect(text, entities=opts.entities, regions=opts.regions, context=seg.context):
        if line is not None:
            line += text.count("\n", pos, det.start)
            pos = det.start
        where = Where(base.member, base.sheet, base.page, line, base.row, base.column)
        value = text[det.start : det.end]
        item = _found(det.entity_type, value, where, det.start, det.end, det.score, fingerprint)
        result.keep(item, opts.max_findings)


def _scan_table(
    table: Table, result: LocationResult, fingerprint: Fingerprint, opts: ScanOptions
) -> None:
    from dataward.discovery import detect_cells

    header = list(table.header)
    at = table.where
    filled: Counter[int] = Counter()
    hits: Counter[tuple[int, str]] = Counter()
    last_row: dict[tuple[int, str], int] = {}
    buffer: dict[int, Sequence[str]] = {}

    def rows() -> Iterator[Sequence[str]]:
        for index, row in enumerate(table.rows):
            buffer[index] = row
            buffer.pop(index - LOOKAHEAD, None)
            for i, cell in enumerate(row):
                if cell:
                    filled[i] += 1
                    result.chars += len(cell)
            yield row

    for r, c, det in detect_cells(header, rows(), entities=opts.entities, regions=opts.regions):
        name = header[c] if c < len(header) else f"col{c + 1}"
        row = buffer.get(r)
        value = row[c][det.start : det.end] if row is not None and c < len(row) else ""
        where = Where(at.member, at.sheet, at.page, at.line, r + 1, name)
        item = _found(det.entity_type, value, where, det.start, det.end, det.score, fingerprint)
        result.keep(item, opts.max_findings)
        key = (c, det.entity_type)
        if last_row.get(key) != r:
            last_row[key] = r
            hits[key] += 1
    for (c, entity), rows_with in sorted(hits.items()):
        name = header[c] if c < len(header) else f"col{c + 1}"
        result.columns.append(ColumnStat(table.where.member, name, entity, rows_with, filled[c]))


def category_of(entity: str) -> str:
    """Return the data category of an entity type (PII when unknown, e.g. a plug-in's type)."""
    return CATEGORY.get(entity, "PII")
