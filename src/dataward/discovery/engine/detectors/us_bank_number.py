"""Detect US bank account numbers: 8 to 17 digits, only next to account wording."""

from __future__ import annotations

from stdnum.us import rtn

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import (
    NOT_PERSONAL,
    Detector,
    Hit,
    clamp,
    glued,
    words,
)

CONTEXT = words(
    "account", "acct", "a/c", "acc", "checking", "savings", "bank", "ach", "deposit",
    "direct debit", "account no", "account number", "routing", "iban", "beneficiary",
)  # fmt: skip
ROUTING = words("routing", "aba", "rtn", "transit", "sort code")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when account wording sits right before it (or in its header)."""
    text = ctx.text
    if glued(text, start, end) or text[start - 1 : start] in ("$", "+"):
        return []
    if not ctx.cue(CONTEXT, start):
        return []
    number = text[start:end]
    if len(set(number)) < 3:
        return []
    score = 0.8
    if len(number) == 9 and rtn.is_valid(number) and ctx.near(ROUTING, start, end, 16):
        return []
    if NOT_PERSONAL.search(ctx.before(start, 16)):
        score -= 0.4
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="US_BANK_NUMBER",
    patterns=(r"\b\d{8,17}\b",),
    check=_check,
    rank=13,
)
