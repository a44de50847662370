"""Dated obligations (risk treatments, reviews, training, notification clocks, expiries).

Every package that keeps a dated duty offers it through the ``obligations`` hook as
``Obligation`` rows; ``dataward remind`` gathers them, groups them by owner and sends a digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class Obligation:
    """One dated duty owed by one person."""

    kind: str  # e.g. "risk treatment", "vendor review", "notification clock"
    ref: str  # the record it belongs to, e.g. RISK-0003, INC-0002, a vendor's name
    title: str  # one line saying what must be done
    owner: str  # a dataward user name or an e-mail address
    due: date
    client: str | None = None  # client slug; None for the operation

    def state(self, today: date, soon_days: int = DUE_SOON_DAYS) -> str:
        """Return overdue, due soon or later."""
        if self.due < today:
            return "overdue"
        if (self.due - today).days <= soon_days:
            return "due soon"
        return "later"
