"""Define what a detector is and collect every entity type's detector in one registry."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataward.discovery.engine.context import Context

_NON_DIGITS = re.compile(r"[^0-9]")
#: A hit proposed by a validator: (start, end, score) in character offsets.
Hit = tuple[int, int, float]
#: A validator receives the scan context and a candidate span and returns hits (often one).
Check = Callable[["Context", int, int], list[Hit]]


@dataclass(frozen=True, slots=True)
class Detector:
    """One entity type: hyperscan-compatible candidate patterns and the check run on each match.

    ``rank`` orders overlapping claims: a lower rank is more specific and wins ties. A detector
    whose candidates are not pattern-shaped (personal names) supplies ``finder`` instead.
    Without ``som`` the scan reports match ends only (faster) and ``start`` is 0.
    """

    entity: str
    patterns: tuple[str, ...]
    check: Check
    rank: int
    caseless: bool = False
    finder: Callable[[Context], list[Hit]] | None = None
    som: bool = True


def words(*phrases: str) -> re.Pattern[str]:
    """Return a case-insensitive regex matching any of the phrases as whole words."""
    # re.escape writes a space as "\\ ": each space becomes any run of spaces, "_" or "-".
    body = "|".join(re.escape(p).replace("\\ ", r"[\s_\-]*") for p in phrases)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])", re.IGNORECASE)


def clamp(score: float) -> float:
    """Return a score limited to [0, 1] and rounded for stable output."""
    return round(min(1.0, max(0.0, score)), 3)


def digits(value: str) -> str:
    """Return only the ASCII digits of a value."""
    return _NON_DIGITS.sub("", value)


def all_detectors() -> tuple[Detector, ...]:
    """Return every detector in ``types.ENTITIES`` order (a module may hold several)."""
    from dataward.discovery.engine.detectors import (
        credit_card,
        date_of_birth,
        email_address,
        iban_code,
        in_aadhaar,
        in_pan,
        ip_address,
        person,
        ph_sss,
        ph_tin,
        phone_number,
        secret,
        uk_nhs,
        uk_nino,
        us_bank_number,
        us_passport,
        us_ssn,
    )

    modules = (
        email_address,
        phone_number,
        credit_card,
        us_ssn,
        iban_code,
        ip_address,
        us_bank_number,
        us_passport,
        uk_nhs,
        uk_nino,
        in_aadhaar,
        in_pan,
        ph_tin,
        ph_sss,
        date_of_birth,
        secret,
        person,
    )
    found: list[Detector] = []
    for module in modules:
        found.extend(getattr(module, "DETECTORS", None) or (module.DETECTOR,))
    return tuple(found)


def glued(text: str, start: int, end: int) -> bool:
    """Return whether a numeric candidate is part of a longer token or digit-group sequence.

    True for ``ORD-2026-123456``, ``CUST-12345678``, ``x123``, a group inside
    ``9400 1111 2222 3333 4444`` and numbers touching letters, dots or slashes.
    """
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    if before[-1:].isalnum() or after[:1].isalnum():
        return True
    if len(before) == 2 and before[1] in "-/._" and before[0].isalnum():
        return True
    if len(before) == 2 and before[1] == " " and before[0].isdigit():
        return True
    if len(after) == 2 and after[0] in "-/._" and after[1].isalnum():
        return True
    return len(after) == 2 and after[0] == " " and after[1].isdigit()


#: Words that say a number is a reference, not personal data.
NOT_PERSONAL = words(
    "order", "order no", "invoice", "inv", "ref", "reference", "tracking", "ticket", "sku",
    "build", "version", "po", "claim", "policy", "case", "serial", "cursor", "epoch", "batch",
)  # fmt: skip


def consistent(value: str, seps: str = " -") -> bool:
    """Return whether a grouped value uses at most one kind of separator."""
    return sum(1 for s in seps if s in value) <= 1
