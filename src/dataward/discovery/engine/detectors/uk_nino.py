"""Detect UK National Insurance numbers: allowed prefix, six digits, suffix A to D."""

from __future__ import annotations

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit, clamp, words

CONTEXT = words("national insurance", "ni", "nino", "ni number", "ni no", "insurance number")
BAD_FIRST = frozenset("DFIQUV")
BAD_SECOND = frozenset("DFIOQUV")
BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def valid(value: str) -> bool:
    """Return whether a compact NINO (no spaces, upper case) follows HMRC's prefix rules."""
    prefix = value[:2]
    return (
        len(value) == 9
        and prefix[0] not in BAD_FIRST
        and prefix[1] not in BAD_SECOND
        and prefix not in BAD_PREFIXES
        and value[2:8].isdigit()
        and value[8] in "ABCD"
    )


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when the prefix is allocatable and the spacing is regular."""
    value = ctx.text[start:end]
    compact = value.replace(" ", "")
    if not valid(compact) or (" " in value and value.count(" ") not in (1, 2, 4)):
        return []
    if len(set(compact[2:8])) < 2:
        return []
    score = 0.8 + (0.15 if ctx.near(CONTEXT, start, end) else 0.0)
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="UK_NINO",
    patterns=(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",),
    check=_check,
    rank=9,
)
