"""Dated obligations (risk treatments, reviews, training, notification clocks, expiries).

Every package that keeps a dated duty offers it through the ``obligations`` hook as
``Obligation`` rows; ``dataward remind`` gathers them, groups them by owner and sends a digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

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
    due_at: datetime | None = None  # the exact deadline, for duties counted in hours

    def state(
        self, today: date, soon_days: int = DUE_SOON_DAYS, now: datetime | None = None
    ) -> str:
        """Return overdue, due soon or later.

        A duty with an exact deadline (a 72-hour notification clock) is overdue from the moment
        it passes, not from the next day: ``now`` is the instant judged (default: the start of
        ``today``).
        """
        if self.due_at is not None:
            moment = now if now is not None else start_of(today)
            if moment > self.due_at:
                return "overdue"
        elif self.due < today:
            return "overdue"
        if (self.due - today).days <= soon_days:
            return "due soon"
        return "later"


def start_of(day: date) -> datetime:
    """Return midnight UTC at the start of a day."""
    return datetime.combine(day, time(), tzinfo=UTC)
