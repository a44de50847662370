"""Score detections against labeled spans: span matching, per-entity counts and F1."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dataward.discovery.engine.types import ENTITIES

Counts = dict[str, dict[str, int]]


class Located(Protocol):
    """Anything with an entity type and character offsets (a Span or a Detection)."""

    @property
    def entity_type(self) -> str:
        """Return the entity type."""
        ...

    @property
    def start(self) -> int:
        """Return the first character's offset."""
        ...

    @property
    def end(self) -> int:
        """Return the offset just past the last character."""
        ...


@dataclass
class Matching:
    """The outcome of matching one document: matched pairs, missed truths, spurious predictions."""

    pairs: list[tuple[Located, Located]] = field(default_factory=list)
    missed: list[Located] = field(default_factory=list)
    spurious: list[Located] = field(default_factory=list)


def _overlap(a: Located, b: Located) -> int:
    """Return how many characters two spans share."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match(truth: Sequence[Located], predictions: Sequence[Located]) -> Matching:
    """Match predictions to true spans of the same type.

    A pair counts when the overlap covers at least half the true span. Pairs are taken largest
    overlap first; each true span and each prediction is used at most once, so a second
    prediction on the same value is a false positive.
    """
    candidates: list[tuple[int, int, int]] = []
    for ti, t in enumerate(truth):
        for pi, p in enumerate(predictions):
            if p.entity_type == t.entity_type:
                shared = _overlap(t, p)
                if shared > 0 and 2 * shared >= t.end - t.start:
                    candidates.append((-shared, ti, pi))
    candidates.sort()
    used_t: set[int] = set()
    used_p: set[int] = set()
    out = Matching()
    for _, ti, pi in candidates:
        if ti not in used_t and pi not in used_p:
            used_t.add(ti)
            used_p.add(pi)
            out.pairs.append((truth[ti], predictions[pi]))
    out.missed = [t for i, t in enumerate(truth) if i not in used_t]
    out.spurious = [p for i, p in enumerate(predictions) if i not in used_p]
    return out


def score(truth: Sequence[Located], predictions: Sequence[Located]) -> Counts:
    """Return true positives, false positives and false negatives per entity type."""
    result = match(truth, predictions)
    counts: Counts = {}
    for kind, items in (
        ("tp", [t for t, _ in result.pairs]),
        ("fn", result.missed),
        ("fp", result.spurious),
    ):
        for item in items:
            row = counts.setdefault(item.entity_type, {"tp": 0, "fp": 0, "fn": 0})
            row[kind] += 1
    return counts


def add(total: Counts, part: Counts) -> None:
    """Add one document's counts into a running total."""
    for entity, row in part.items():
        into = total.setdefault(entity, {"tp": 0, "fp": 0, "fn": 0})
        for key, value in row.items():
            into[key] += value


def _ratios(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Return precision, recall and F1 (0 when undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def metrics(total: Counts, entities: Iterable[str] = ENTITIES) -> dict[str, dict[str, float]]:
    """Return support, counts, precision, recall and F1 per entity, plus ``micro`` over them."""
    out: dict[str, dict[str, float]] = {}
    sums = {"tp": 0, "fp": 0, "fn": 0}
    for entity in entities:
        row = total.get(entity, {"tp": 0, "fp": 0, "fn": 0})
        for key in sums:
            sums[key] += row[key]
        out[entity] = {"support": row["tp"] + row["fn"], **row, **_ratios(**row)}
    out["micro"] = {"support": sums["tp"] + sums["fn"], **sums, **_ratios(**sums)}
    return out


def mask_text(value: str) -> str:
    """Return a value with letters turned into x/X and digits into 9, punctuation kept."""
    return "".join(
        ("X" if c.isupper() else "x") if c.isalpha() else "9" if c.isdigit() else c for c in value
    )
