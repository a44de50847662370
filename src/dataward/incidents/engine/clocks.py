"""Compute notification clocks from the rules and judge their state at a given time.

A clock starts when the operation became aware of the incident (``detected_at``): GDPR
Art. 33 and the HIPAA breach rule both count from awareness or discovery, not from when the
incident happened, and so do most contracts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dataward.incidents.engine.rules import Affected, Rule, applies

PERSONAL = frozenset({"PII", "PHI", "PCI", "HR", "GOVERNMENT_ID"})
"""Categories that are personal data whatever else is affected."""

NOT_REQUIRED = "not required"
SETTLED = frozenset({"met", "met late", NOT_REQUIRED})
FAILING = frozenset({"overdue", "met late"})
STATES = ("overdue", "due soon", "open", "met late", "met", NOT_REQUIRED)


@dataclass(frozen=True)
class Due:
    """A clock a rule starts for one affected client."""

    rule: str
    client: str
    audience: str
    title: str
    due_at: datetime
    soon: timedelta


@dataclass(frozen=True)
class Clock:
    """A stored clock as the checks and listings judge it."""

    ref: str
    client: str
    rule: str
    audience: str
    title: str
    due_at: datetime
    soon: timedelta
    notified_at: datetime | None = None
    decision: str = ""  # "", "notified" or "not required"
    handler: str = ""

    def state(self, now: datetime) -> str:
        """Return met, met late, not required, overdue, due soon or open."""
        return clock_state(self.due_at, self.soon, self.notified_at, self.decision, now)


def personal_data(categories: Iterable[str]) -> bool:
    """Return whether affected categories include personal data by their nature."""
    return bool(PERSONAL & set(categories))


def due_clocks(
    rules: Sequence[Rule], detected_at: datetime, affected: Sequence[Affected]
) -> list[Due]:
    """Return every clock the rules start for the affected clients, by client then rule."""
    out = []
    for who in sorted(affected, key=lambda a: a.client):
        for rule in rules:
            window = rule.window(who.contract_hours)
            if window is None or not applies(rule, who):
                continue
            out.append(
                Due(rule.id, who.client, rule.audience, rule.title, detected_at + window, rule.soon)
            )
    return out


def clock_state(
    due_at: datetime,
    soon: timedelta,
    notified_at: datetime | None,
    decision: str,
    now: datetime,
) -> str:
    """Return a clock's state at ``now``."""
    if decision == NOT_REQUIRED:
        return NOT_REQUIRED
    if notified_at is not None:
        return "met" if notified_at <= due_at else "met late"
    if now > due_at:
        return "overdue"
    return "due soon" if due_at - now <= soon else "open"


def left(due_at: datetime, now: datetime) -> str:
    """Return the time left in words a handler reads at a glance: 2d 5h, or 3h 10m late."""
    seconds = int((due_at - now).total_seconds())
    late, seconds = seconds < 0, abs(seconds)
    days, hours, minutes = seconds // 86400, (seconds % 86400) // 3600, (seconds % 3600) // 60
    text = f"{days}d {hours}h" if days else f"{hours}h {minutes}m" if hours else f"{minutes}m"
    return f"{text} late" if late else text
