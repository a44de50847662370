"""Detect IBANs, compact or in groups of four, validated with the ISO 7064 mod 97 check."""

from __future__ import annotations

from stdnum import iban

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the longest prefix of the candidate that is a valid IBAN."""
    text = ctx.text
    if text[start - 1 : start].isalnum():
        return []
    value = text[start:end]
    groups = value.split(" ")
    while groups:
        candidate = " ".join(groups)
        if len(candidate) >= 15 and iban.is_valid(candidate.replace(" ", "")):
            return [(start, start + len(candidate), 0.95)]
        groups.pop()
    return []


DETECTOR = Detector(
    entity="IBAN_CODE",
    patterns=(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",),
    check=_check,
    rank=2,
    caseless=True,
)
