"""Find sensitive values in text: one hyperscan pass, per-type validation, overlap resolution."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence

from dataward.discovery.engine import candidates
from dataward.discovery.engine.context import Context
from dataward.discovery.engine.types import DEFAULT_REGIONS, ENTITIES, Detection
from dataward.errors import DatawardError

THRESHOLD = 0.5
_KNOWN = frozenset(ENTITIES)


def _wanted(entities: Iterable[str] | None) -> frozenset[str] | None:
    """Return the requested entity types, checked against the known ones."""
    if entities is None:
        return None
    wanted = frozenset(entities)
    unknown = sorted(wanted - _KNOWN)
    if unknown:
        raise DatawardError(
            f"unknown entity type {unknown[0]!r}", "detect", "use one of types.ENTITIES"
        )
    return wanted


def _regions(regions: Iterable[str] | None) -> tuple[str, ...]:
    """Return the phone regions as upper-case ISO codes (the defaults when none are given)."""
    if regions is None:
        return DEFAULT_REGIONS
    return tuple(r.strip().upper() for r in regions if r.strip()) or DEFAULT_REGIONS


def _resolve(hits: list[tuple[float, int, int, int, str]]) -> list[Detection]:
    """Keep the best claim on each span: higher score, then the more specific type, then longer."""
    hits.sort(key=lambda h: (-h[0], h[1], h[2] - h[3]))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Detection] = []
    for score, _, start, end, entity in hits:
        at = bisect_left(starts, start)
        if at < len(starts) and starts[at] < end or at and ends[at - 1] > start:
            continue
        starts.insert(at, start)
        ends.insert(at, end)
        kept.append(Detection(entity, start, end, score))
    kept.sort(key=lambda d: (d.start, d.end))
    return kept


def detect(
    text: str,
    *,
    entities: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    context: str = "",
) -> list[Detection]:
    """Return the sensitive values in ``text``, sorted by start, with no overlaps.

    ``context`` (a column header or JSON key) counts as if it were next to every candidate.
    """
    return _detect(text, _wanted(entities), _regions(regions), context)


def _detect(
    text: str, wanted: frozenset[str] | None, regions: tuple[str, ...], context: str
) -> list[Detection]:
    """Detect with the entity types and regions already checked (detect_cells' per-cell call)."""
    if not text:
        return []
    ctx = Context(text, context.replace("_", " ") if context else "", regions)
    dets = candidates.detectors()
    hits: list[tuple[float, int, int, int, str]] = []
    for index, start, end in candidates.scan(text):
        det = dets[index]
        if wanted is not None and det.entity not in wanted:
            continue
        for s, e, score in det.check(ctx, start, end):
            if score >= THRESHOLD and e > s:
                hits.append((score, det.rank, s, e, det.entity))
    for det in dets:
        if det.finder is not None and (wanted is None or det.entity in wanted):
            hits.extend(
                (sc, det.rank, s, e, det.entity) for s, e, sc in det.finder(ctx) if sc >= THRESHOLD
            )
    return _resolve(hits) if hits else []


def detect_cells(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    entities: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
) -> Iterator[tuple[int, int, Detection]]:
    """Yield (row index, column index, detection) for each cell, using its header as context."""
    wanted = _wanted(entities)
    region_codes = _regions(regions)
    labels = [str(h) for h in header]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if not cell or not isinstance(cell, str):
                continue
            label = labels[c] if c < len(labels) else ""
            for det in _detect(cell, wanted, region_codes, label):
                yield r, c, det
