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
#: Kept whole: short identity, network and classification fields. Free text under these
#: prefixes (``event.original``, ``event.reason``, ``log.original``, Windows event data such as
#: a command line) is screened like any other field.
KEPT_PREFIXES = ("host.", "log.syslog.", "network.", "observer.", "agent.", "ecs.")
KEPT = frozenset(
    {
        "@timestamp",
        "user.name",
        "user.id",
        "user.domain",
        "user.email",
        "user.target.name",
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
        "log.level",
        "winlog.channel",
        "winlog.record_id",
        "winlog.event_id",
        "winlog.provider_name",
        "winlog.computer_name",
        "winlog.logon.type",
    }
    | {
        f"event.{name}"
        for name in (
            *("action", "category", "type", "outcome", "code", "module", "dataset", "provider"),
            *("kind", "id", "severity", "created", "ingested", "start", "end", "duration"),
            *("sequence", "timezone", "risk_score"),
        )
    }
)
#: Windows event data that names accounts and sessions, not content (``...UserSid``, ...).
KEPT_SUFFIXES = (
    "Sid",
    "Guid",
    "LogonId",
    "UserName",
    "DomainName",
    "LogonType",
    "IpAddress",
    "IpPort",
    "WorkstationName",
    "PackageName",
)
_MAYBE = re.compile(r"\d[\d \-./]{7,}\d|[A-Za-z0-9_\-+/]{20,}|[=:]\s*\S{6,}|-----BEGIN|@\S+:\S")


def mask(fields: dict[str, Any]) -> int:
    """Mask sensitive values in the free-text fields, in place; return how many were masked."""
    masked = 0
    for key, value in fields.items():
        if key in KEPT or key.startswith(KEPT_PREFIXES) or key.endswith(KEPT_SUFFIXES):
            continue
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**8:
            value = str(value)  # a card or account number sent as a JSON number
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
