"""Mask card numbers, national ids and secrets in an event's free-text fields before storing it.

Identity and network fields (who, from where, on which host, what action) are what monitoring is
for and are kept; every other text field is screened with the discovery detectors, and a match is
replaced by its entity type in brackets. A cheap pre-filter skips text that cannot hold one.
"""

from __future__ import annotations

import re
from typing import Any

from dataward.discovery import detect

MASKED = (
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "UK_NHS",
    "UK_NINO",
    "IN_AADHAAR",
    "IN_PAN",
    "PH_TIN",
    "PH_SSS",
    "SECRET",
)
KEPT_PREFIXES = ("event.", "host.", "log.", "network.", "observer.", "agent.", "ecs.", "winlog.")
KEPT = frozenset(
    {
        "@timestamp",
        "user.name",
        "user.id",
        "user.domain",
        "user.email",
        "source.ip",
        "source.port",
        "source.domain",
        "destination.ip",
        "destination.port",
        "client",
        "record_count",
        "process.pid",
        "process.name",
        "email.to.address",
        "email.from.address",
    }
)
_MAYBE = re.compile(r"\d[\d \-./]{7,}\d|[A-Za-z0-9_\-+/]{20,}|[=:]\s*\S{6,}|-----BEGIN|@\S+:\S")


def mask(fields: dict[str, Any]) -> int:
    """Mask sensitive values in the free-text fields, in place; return how many were masked."""
    masked = 0
    for key, value in fields.items():
        if key in KEPT or key.startswith(KEPT_PREFIXES):
            continue
        if isinstance(value, str):
            clean, n = _mask_text(value)
            if n:
                fields[key] = clean
                masked += n
        elif isinstance(value, list):
            items = [_mask_text(v) if isinstance(v, str) else (v, 0) for v in value]
            if any(n for _, n in items):
                fields[key] = [v for v, _ in items]
                masked += sum(n for _, n in items)
    return masked


def _mask_text(text: str) -> tuple[str, int]:
    """Return the text with each sensitive value replaced by [ENTITY], and the count."""
    if len(text) < 9 or not _MAYBE.search(text):
        return text, 0
    found = detect(text, entities=MASKED)
    if not found:
        return text, 0
    out, last = [], 0
    for d in sorted(found, key=lambda d: d.start):
        if d.start < last:
            continue
        out += [text[last : d.start], f"[{d.entity_type}]"]
        last = d.end
    out.append(text[last:])
    return "".join(out), len(found)
