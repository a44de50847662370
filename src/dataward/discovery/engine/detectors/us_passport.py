"""Detect US passport book numbers (nine digits, or a letter and eight) next to "passport"."""

from __future__ import annotations

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit, glued, words

CONTEXT = words("passport", "passport no", "passport number", "passport#")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when passport wording is right before it or in its header."""
    text = ctx.text
    value = text[start:end]
    if glued(text, start, end) or len(set(value)) < 3:
        return []
    if not ctx.cue(CONTEXT, start):
        return []
    return [(start, end, 0.85)]


DETECTOR = Detector(
    entity="US_PASSPORT",
    patterns=(r"\b[A-Z]?\d{8}\b", r"\b\d{9}\b"),
    check=_check,
    rank=12,
)
