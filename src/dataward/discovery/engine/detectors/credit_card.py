"""Detect payment card numbers: issuer ranges, lengths, grouping and the Luhn checksum."""

from __future__ import annotations

from stdnum import luhn

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
from dataward.discovery.engine.names import wordset

CONTEXT = words(
    "card", "credit", "debit", "visa", "mastercard", "amex", "american express", "discover",
    "cc", "pan", "card no", "cardholder", "payment", "charged",
)  # fmt: skip
DOCS = words("test", "sandbox", "example", "dummy", "sample", "demo", "staging", "fake")
#: Card numbers published by payment gateways for testing.
TEST_CARDS = wordset(
    "4111111111111111 4242424242424242 4012888888881881 4000056655665556 5555555555554444 "
    "5105105105105100 2223003122003222 378282246310005 371449635398431 6011111111111117 "
    "6011000990139424 3566002020360505 30569309025904 38520000023237 4000000000000002 "
    "5200828282828210 6200000000000005 4000000000000077 378734493671000"
)


def issuer_ok(number: str) -> bool:
    """Return whether the number's prefix and length match a real card scheme."""
    n, p2, p4 = len(number), int(number[:2]), int(number[:4])
    if number[0] == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if number.startswith(("6011", "65")) or 644 <= int(number[:3]) <= 649 or p2 == 62:
        return 16 <= n <= 19
    if p2 == 35:
        return 16 <= n <= 19
    if p2 in (36, 38, 39) or 300 <= int(number[:3]) <= 305:
        return 14 <= n <= 19
    return False


def _grouping_ok(value: str) -> bool:
    """Return whether separators, if any, split the number like a printed card."""
    if not consistent(value):
        return False
    for sep in " -":
        if sep in value:
            sizes = [len(g) for g in value.split(sep)]
            return sizes[:-1] == [4] * (len(sizes) - 1) or sizes in ([4, 6, 5], [4, 6, 4])
    return True


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the number when it is a Luhn-valid card of a known scheme."""
    value = ctx.text[start:end]
    number = digits(value)
    if not 13 <= len(number) <= 19 or glued(ctx.text, start, end) or not _grouping_ok(value):
        return []
    if not issuer_ok(number) or not luhn.is_valid(number):
        return []
    score = 0.8 + (0.15 if ctx.near(CONTEXT, start, end) else 0.0)
    if NOT_PERSONAL.search(ctx.before(start, 24)):
        score -= 0.35
    if number in TEST_CARDS:
        score = 0.2 if ctx.near(DOCS, start, end, 60) else 0.45
    return [(start, end, clamp(score))]


DETECTOR = Detector(
    entity="CREDIT_CARD",
    patterns=(r"\b\d(?:[ \-]?\d){12,18}\b",),
    check=_check,
    rank=3,
)
