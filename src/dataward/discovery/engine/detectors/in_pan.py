"""Detect Indian PANs: AAAPA1234A with a valid holder-type fourth letter."""

from __future__ import annotations

from stdnum.in_ import pan

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit, clamp, words

CONTEXT = words("pan", "permanent account", "income tax", "pan card", "pan no")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the PAN when python-stdnum accepts it."""
    value = ctx.text[start:end]
    if not pan.is_valid(value):
        return []
    score = 0.8 + (0.15 if ctx.near(CONTEXT, start, end) else 0.0)
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="IN_PAN",
    patterns=(r"\b[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]\b",),
    check=_check,
    rank=10,
)
