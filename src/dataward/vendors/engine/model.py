"""The plain records the vendor engine reads: vendors, their tier, reviews and answers."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

TIERS = ("low", "medium", "high")
#: Words a register may use for a tier, mapped onto ours (three tiers; critical counts as high).
TIER_WORDS = {
    "low": "low",
    "minor": "low",
    "medium": "medium",
    "med": "medium",
    "moderate": "medium",
    "high": "high",
    "critical": "high",
}
#: What a vendor can reach besides data: a link into the network, or administrator rights.
ACCESS_KINDS = ("network", "privileged")
#: Categories that make a vendor high risk on their own (cards, health, money, identity, logins).
HIGH_CATEGORIES = frozenset({"PCI", "PHI", "FINANCIAL", "GOVERNMENT_ID", "CREDENTIALS"})
#: Categories that are personal data: sharing any needs a data-processing agreement.
PERSONAL_CATEGORIES = frozenset({"PII", "PCI", "PHI", "FINANCIAL", "HR", "GOVERNMENT_ID"})
#: Months between reviews per tier, when a review does not name the next one.
CADENCE_MONTHS = {"high": 12, "medium": 24, "low": 36}
DUE_SOON_DAYS = 30
STATUSES = ("active", "offboarded")
OUTCOMES = ("approved", "conditional", "rejected")


@dataclass(frozen=True)
class Tier:
    """A vendor's computed risk tier and the reasons for it."""

    tier: str
    reasons: tuple[str, ...]


def compute_tier(categories: Iterable[str], clients: Iterable[str], access: Iterable[str]) -> Tier:
    """Return the tier the vendor's reach implies.

    high: any of PCI, PHI, FINANCIAL, GOVERNMENT_ID, CREDENTIALS; or more than one client; or
    network or privileged access. medium: other personal data (PII, HR). low: anything else.
    """
    cats, served, reach = set(categories), list(clients), set(access)
    reasons = [f"holds {c}" for c in sorted(cats & HIGH_CATEGORIES)]
    if len(served) > 1:
        reasons.append("serves more than one client")
    reasons += [f"has {a} access" for a in ACCESS_KINDS if a in reach]
    if reasons:
        return Tier("high", tuple(reasons))
    personal = sorted(cats & PERSONAL_CATEGORIES)
    if personal:
        return Tier("medium", tuple(f"holds {c}" for c in personal))
    return Tier("low", ("no personal data, one client at most, no network or privileged access",))


def higher(a: str, b: str) -> str:
    """Return the higher of two tiers ('' counts as lowest)."""
    return max(a, b, key=lambda t: TIERS.index(t) if t in TIERS else -1)


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class Answer:
    """One questionnaire answer as stored: the value, a comment and the evidence cited."""

    question: str
    value: Any
    comment: str = ""
    evidence: tuple[str, ...] = ()  # sha256 of each evidence file


@dataclass(frozen=True)
class VendorFacts:
    """What the checks and listings judge about one vendor."""

    name: str
    clients: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    owner: str = ""
    dpa_signed: bool = False
    dpa_date: date | None = None
    last_review: date | None = None
    next_review_due: date | None = None
    declared_tier: str = ""
    status: str = "active"
    last_outcome: str = ""
    answered_on: date | None = None
    answers: Mapping[str, Answer] = field(default_factory=dict)

    @property
    def computed(self) -> Tier:
        """Return the tier the vendor's reach implies."""
        return compute_tier(self.data_categories, self.clients, self.access)

    @property
    def tier(self) -> str:
        """Return the tier that governs: the higher of the declared and the computed one."""
        return higher(self.declared_tier, self.computed.tier)

    @property
    def personal_data(self) -> tuple[str, ...]:
        """Return the personal-data categories the vendor receives."""
        return tuple(c for c in self.data_categories if c in PERSONAL_CATEGORIES)

    def review_due(self) -> date | None:
        """Return when the next review is due: as recorded, else by the tier's cadence."""
        if self.next_review_due is not None:
            return self.next_review_due
        if self.last_review is not None:
            return add_months(self.last_review, CADENCE_MONTHS[self.tier])
        return None

    def review_state(self, today: date) -> str:
        """Return never reviewed, overdue, due soon or current."""
        due = self.review_due()
        if due is None:
            return "never reviewed"
        if due < today:
            return "overdue"
        return "due soon" if (due - today).days <= DUE_SOON_DAYS else "current"
