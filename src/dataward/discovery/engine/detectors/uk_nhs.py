"""Detect NHS numbers: ten digits (often 3-3-4) passing the NHS modulus 11 check."""

from __future__ import annotations

from stdnum.gb import nhs

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import (
    Detector,
    Hit,
    consistent,
    digits,
    glued,
    words,
)

CONTEXT = words(
    "nhs", "national health", "health and care number", "chi number", "nhs no", "nhs number"
)


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when the checksum holds; without NHS wording it stays below 0.5."""
    value = ctx.text[start:end]
    number = digits(value)
    if glued(ctx.text, start, end) or not consistent(value) or not nhs.is_valid(number):
        return []
    if ctx.near(CONTEXT, start, end):
        return [(start, end, 0.95)]
    return [(start, end, 0.4)]


DETECTOR = Detector(
    entity="UK_NHS",
    patterns=(r"\b\d{3}[ \-]?\d{3}[ \-]?\d{4}\b",),
    check=_check,
    rank=4,
)
