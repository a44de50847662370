"""Merge the results of a table's ranges into the one result a sequential scan would give.

Why a merge is exact: the scanner decides each cell on its own, from the cell's text and its
column header (``detect_cells`` has no per-column state and reads no rows ahead), so a value
found in a range is found the same way in a whole-table stream. What is per stream is additive
(counts, rows holding a type, non-empty cells) or ordered (detailed findings, row numbers), and
the ranges are merged in key order with row numbers shifted by the rows before them. The kept
findings are the first ``max_findings`` in that order, as a sequential scan keeps its first.

Distinct fingerprints are exact up to ``MAX_DISTINCT`` per type; past it both keep that many, but
not necessarily the same ones (a set does not remember which came first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from dataward.discovery.engine.scanner import MAX_DISTINCT, ColumnStat, LocationResult
from dataward.discovery.engine.sources.rangescan import RangeOutcome


def merge(parts: Sequence[RangeOutcome], header: Sequence[str], limit: int) -> LocationResult:
    """Merge the scanned ranges of one table (every one of them, in any order) into one result."""
    ordered = sorted(parts, key=lambda p: p.task.index)
    if len(ordered) == 1 and ordered[0].result is not None:
        return ordered[0].result
    merged = LocationResult()
    position = {name: i for i, name in enumerate(header)}
    filled = [0] * len(header)
    hits: Counter[tuple[int, str]] = Counter()
    offset = 0
    member = ""
    for part in ordered:
        result = part.result or LocationResult()
        member = part.task.ref.member
        _take_items(merged, result, offset, limit)
        merged.truncated = merged.truncated or result.truncated
        merged.skipped.extend(result.skipped)
        merged.chars += result.chars
        for entity, count in result.tally.counts.items():
            merged.tally.counts[entity] += count
        for entity, seen in result.tally.distinct.items():
            _union(merged.tally.distinct.setdefault(entity, set()), seen)
        for stat in result.columns:
            hits[position[stat.column], stat.entity_type] += stat.rows_with
        for i, count in enumerate(part.filled):
            filled[i] += count
        offset += part.rows
    for (c, entity), rows_with in sorted(hits.items()):
        merged.columns.append(ColumnStat(member, header[c], entity, rows_with, filled[c]))
    return merged


def _take_items(merged: LocationResult, result: LocationResult, offset: int, limit: int) -> None:
    """Append a range's findings, renumbering rows, while under the limit."""
    room = max(0, limit - len(merged.items))
    for item in result.items[:room]:
        row = item.where.row
        where = item.where if row is None else replace(item.where, row=row + offset)
        merged.items.append(replace(item, where=where))
    if len(result.items) > room:
        merged.truncated = True


def _union(into: set[str], more: set[str]) -> None:
    """Add fingerprints while under the cap a single scan applies."""
    if len(into) + len(more) <= MAX_DISTINCT:
        into |= more
        return
    for fp in more:
        if len(into) >= MAX_DISTINCT:
            return
        into.add(fp)
