"""Judge whether incidents get closed, with lessons learned, within a target time by severity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CLOSE_TARGET_DAYS = {"critical": 30, "high": 45, "medium": 60, "low": 90}
"""Days from awareness to closing (lessons learned recorded), by severity."""


@dataclass(frozen=True)
class IncidentFacts:
    """What the checks read about one incident."""

    ref: str
    title: str
    severity: str
    status: str
    detected_at: datetime
    closed_at: datetime | None
    handler: str


def close_by(facts: IncidentFacts) -> datetime:
    """Return when the incident should be closed at the latest."""
    return facts.detected_at + timedelta(days=CLOSE_TARGET_DAYS.get(facts.severity, 30))


def open_past_target(facts: IncidentFacts, now: datetime) -> bool:
    """Return whether the incident is still open (no lessons learned yet) past its target."""
    return facts.closed_at is None and now > close_by(facts)
