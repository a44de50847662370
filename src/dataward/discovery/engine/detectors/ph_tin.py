"""Detect Philippine TINs: 9 digits plus an optional 3 to 5 digit branch code, with TIN wording."""

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

CONTEXT = words("tin", "tin no", "taxpayer", "tax identification", "bir", "tax id")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when TIN wording is right before it or in its header."""
    value = ctx.text[start:end]
    number = digits(value)
    if glued(ctx.text, start, end) or not consistent(value) or len(set(number)) < 3:
        return []
    if len(number) not in (9, 12, 13, 14) or not ctx.cue(CONTEXT, start):
        return []
    return [(start, end, 0.9 if "-" in value else 0.8)]


DETECTOR = Detector(
    entity="PH_TIN",
    patterns=(r"\b\d{3}[ \-]?\d{3}[ \-]?\d{3}(?:[ \-]?\d{3,5})?\b",),
    check=_check,
    rank=8,
)
