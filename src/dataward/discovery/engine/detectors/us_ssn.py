"""Detect US Social Security numbers: area, group and serial rules; undashed only with context."""

from __future__ import annotations

from stdnum.us import ssn

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

CONTEXT = words("ssn", "social security", "social", "soc sec", "ss#", "ss no", "ss number", "ssa")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when it follows the SSA allocation rules."""
    value = ctx.text[start:end]
    number = digits(value)
    if len(number) != 9 or glued(ctx.text, start, end) or not consistent(value, " -."):
        return []
    if "." in value and not ctx.near(CONTEXT, start, end):
        return []  # dotted (123.45.6789) only next to SSN wording
    if not ssn.is_valid(number):
        return []
    if len(value) == 9:
        score = 0.85 if ctx.cue(CONTEXT, start) else 0.0
    else:
        near = ctx.near(CONTEXT, start, end)
        score = (0.75 if "-" in value or "." in value else 0.55) + (0.2 if near else 0.0)
    if NOT_PERSONAL.search(ctx.before(start, 20)):
        score -= 0.4
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="US_SSN",
    patterns=(r"\b\d{3}[ \-]\d{2}[ \-]\d{4}\b", r"\b\d{9}\b", r"\b\d{3}\.\d{2}\.\d{4}\b"),
    check=_check,
    rank=6,
)
