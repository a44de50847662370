"""Detect Philippine SSS numbers: ten digits written 34-1234567-8, with SSS wording."""

from __future__ import annotations

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import (
    Detector,
    Hit,
    consistent,
    digits,
    glued,
    words,
)

CONTEXT = words("sss", "social security system", "sss no", "sss number", "ss number")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when SSS wording is near; the dashed shape alone is not enough."""
    value = ctx.text[start:end]
    number = digits(value)
    if glued(ctx.text, start, end) or not consistent(value) or len(set(number)) < 3:
        return []
    dashed = value.count("-") == 2
    if not ctx.cue(CONTEXT, start, 64 if dashed else 40):
        # The dashed 2-7-1 shape is specific: SSS wording earlier in the document is enough
        # (a roster under an "SSS" title, a chat where the agent asked for the SSS number).
        if not dashed or not CONTEXT.search(ctx.before(start, 400)):
            return []
        return [(start, end, 0.8)]
    return [(start, end, 0.9 if value.count("-") == 2 else 0.75)]


DETECTOR = Detector(
    entity="PH_SSS",
    patterns=(r"\b\d{2}-\d{7}-\d\b", r"\b\d{10}\b", r"\b\d{2} \d{7} \d\b"),
    check=_check,
    rank=7,
)
