"""Detect Aadhaar numbers: twelve digits not starting 0 or 1, Verhoeff check, often 4-4-4."""

from __future__ import annotations

from stdnum.in_ import aadhaar

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import (
    NOT_PERSONAL,
    Detector,
    Hit,
    clamp,
    consistent,
    digits,
    glued,
    words,
)

CONTEXT = words("aadhaar", "aadhar", "adhaar", "uid", "uidai", "e-kyc", "ekyc", "kyc")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when the checksum holds; context lifts it, reference words sink it."""
    value = ctx.text[start:end]
    number = digits(value)
    if glued(ctx.text, start, end) or not consistent(value) or not aadhaar.is_valid(number):
        return []
    score = 0.95 if ctx.near(CONTEXT, start, end) else 0.6 if len(value) == 14 else 0.4
    if NOT_PERSONAL.search(ctx.before(start, 20)):
        score -= 0.4
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="IN_AADHAAR",
    patterns=(r"\b[2-9]\d{3}[ \-]?\d{4}[ \-]?\d{4}\b",),
    check=_check,
    rank=5,
)
